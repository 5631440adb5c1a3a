// SPDX-License-Identifier: MIT
// `anyml denoise` on volumes: a 16-slice TIFF stack and HDF5 file give the slices of 16 denoise calls (1- and
// 3-slice models), --range, --resume of a 5-slice partial, Ctrl-C leaving a valid partial, errors naming the slice.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHdf5Stack, openHdf5Volume } from '../../src/io/hdf5_volume.js';
import { decodeTiffImage } from '../../src/io/tiff.js';
import { openTiffPages } from '../../src/io/tiff_pages.js';
import { createTiffStack } from '../../src/io/tiff_stack.js';
import { denoise } from '../../src/tomogan/denoise.js';
import { type Generator, createGenerator, saveWeights } from '../../src/tomogan/model.js';
import { randomImage } from '../helpers/tomogan.js';
import { BIN, anyml } from './run_cli.js';

const N = 16;
const S = 64;
const slices = Array.from({ length: N }, (_v, k) => randomImage(S, S, 1, 300 + k).data);
let dir: string;
const models: Record<1 | 3, { gen: Generator; json: string }> = {} as never;

async function writeStack(path: string, data: Float32Array[], size = S): Promise<void> {
  const w = await createTiffStack(path, size, size);
  for (const d of data) await w.append(d);
  await w.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anyml-volume-'));
  for (const depth of [1, 3] as const) {
    const gen = createGenerator({ depth, seed: 60 + depth });
    const saved = saveWeights(gen);
    mkdirSync(join(dir, `m${depth}`));
    writeFileSync(join(dir, `m${depth}`, 'model.json'), JSON.stringify(saved.modelJson));
    writeFileSync(join(dir, `m${depth}`, 'weights.bin'), new Uint8Array(saved.weightData));
    models[depth] = { gen, json: join(dir, `m${depth}`, 'model.json') };
  }
  await writeStack(join(dir, 'in.tif'), slices);
  const h = await createHdf5Stack(join(dir, 'in.h5'), '/exchange/data', S, S);
  for (const d of slices) await h.append(d);
  await h.close();
});

/** The reference: one denoise call per slice (3-slice: the stack k−1, k, k+1 with the edges replicated). */
async function reference(depth: 1 | 3, k: number): Promise<Float32Array> {
  const at = (i: number) => slices[Math.min(N - 1, Math.max(0, i))];
  const data = depth === 1 ? slices[k] : Float32Array.from([...at(k - 1), ...at(k), ...at(k + 1)]);
  return (await denoise({ width: S, height: S, depth, data }, { model: models[depth].gen, backend: 'wasm' })).image.data;
}

const pagesOf = (path: string) => decodeTiffImage(readFileSync(path), path);
const run = (args: string[], depth: 1 | 3 = 1) => anyml(['denoise', ...args, '--weights', models[depth].json, '--backend', 'wasm', '--slices', String(depth), '--json']);

describe('anyml denoise: volumes', () => {
  it('a 16-page TIFF stack (1-slice) gives the 16 slices of 16 denoise calls; --json summary', async () => {
    const out = join(dir, 'out1.tif');
    const r = run([join(dir, 'in.tif'), out]);
    expect(r.stderr).toBe('');
    expect(r.json).toMatchObject({ slices: N, depth: N, range: [0, N], backend: 'wasm', width: S, height: S });
    for (const k of ['seconds', 'slicesPerSecond', 'peakRssBytes']) expect(r.json![k] as number).toBeGreaterThan(0);
    const img = pagesOf(out);
    expect(img.depth).toBe(N);
    for (let k = 0; k < N; k++) expect(img.data.subarray(k * S * S, (k + 1) * S * S)).toEqual(await reference(1, k));
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('an HDF5 volume (3-slice, edges replicated) → an HDF5 dataset at the same path; {i} patterns', async () => {
    const out = join(dir, 'out3.h5');
    expect(run([join(dir, 'in.h5'), out], 3).json).toMatchObject({ slices: N, backend: 'wasm' });
    const v = await openHdf5Volume(out);
    expect([v.depth, v.dataset]).toEqual([N, '/exchange/data']);
    for (let k = 0; k < N; k++) expect(await v.slice(k)).toEqual(await reference(3, k));
    v.close();
    expect(run([out, join(dir, 's_{i:3}.tif'), '--range', '14:'], 1).json).toMatchObject({ slices: 2, range: [14, 16] });
    expect(pagesOf(join(dir, 's_015.tif')).depth).toBe(1);
    expect(existsSync(join(dir, 's_013.tif'))).toBe(false);
  });

  it('--range a:b writes b − a slices; --resume of a 5-slice partial gives the file of a full run', async () => {
    const part = join(dir, 'r.tif');
    expect(run([join(dir, 'in.tif'), part, '--range', '3:7']).json).toMatchObject({ slices: 4, range: [3, 7] });
    const img = pagesOf(part);
    expect(img.depth).toBe(4);
    expect(img.data.subarray(2 * S * S, 3 * S * S)).toEqual(await reference(1, 5));
    const full = join(dir, 'full.tif');
    expect(run([join(dir, 'in.tif'), full]).code).toBe(0);
    const out = join(dir, 'resumed.tif');
    expect(run([join(dir, 'in.tif'), join(dir, 'five.tif'), '--range', '0:5']).code).toBe(0);
    renameSync(join(dir, 'five.tif'), `${out}.partial`);
    expect(run([join(dir, 'in.tif'), out, '--resume']).json).toMatchObject({ slices: N - 5, resumed: 5 });
    expect(readFileSync(out).equals(readFileSync(full))).toBe(true);
  });
});

/** Starts `anyml denoise big.tif <out>`, sends `sig` once 2 pages of the partial are linked; its exit code and stderr. */
async function interrupt(sig: NodeJS.Signals, out: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'denoise', join(dir, 'big.tif'), out, '--weights', models[1].json, '--backend', 'wasm', '--json'], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  for (let t = 0; t < 600; t++) {
    await new Promise((r) => setTimeout(r, 100));
    const n = await openTiffPages(`${out}.partial`).then(async (p) => (await p.close(), p.pages.length), () => 0);
    if (n >= 2) break;
  }
  child.kill(sig);
  return { code: await exited, stderr };
}

describe('anyml denoise: interrupted', () => {
  beforeAll(async () => {
    const big = Array.from({ length: 48 }, (_v, k) => randomImage(128, 128, 1, 500 + k).data);
    await writeStack(join(dir, 'big.tif'), big, 128);
  });

  it('SIGINT mid-run leaves a valid partial (never the final name); --resume finishes it', async () => {
    const out = join(dir, 'big_out.tif');
    const { code, stderr } = await interrupt('SIGINT', out);
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted: \d+ of 48 slices in .*big_out\.tif\.partial; rerun with --resume/);
    expect(existsSync(out)).toBe(false);
    const partial = pagesOf(`${out}.partial`);
    expect(partial.depth).toBeGreaterThanOrEqual(2);
    expect(partial.depth).toBeLessThan(48);
    const r = anyml(['denoise', join(dir, 'big.tif'), out, '--weights', models[1].json, '--backend', 'wasm', '--json', '--resume']);
    expect(r.json).toMatchObject({ resumed: partial.depth, slices: 48 - partial.depth });
    expect(pagesOf(out).depth).toBe(48);
    expect(existsSync(`${out}.partial`)).toBe(false);
  }, 180_000);

  it('SIGTERM (a job scheduler stopping it) exits 143 with the same valid partial', async () => {
    const out = join(dir, 'big_term.tif');
    const { code, stderr } = await interrupt('SIGTERM', out);
    expect(code).toBe(143);
    expect(stderr).toMatch(/interrupted: \d+ of 48 slices in .*big_term\.tif\.partial/);
    expect(existsSync(out)).toBe(false);
    expect(pagesOf(`${out}.partial`).depth).toBeGreaterThanOrEqual(2);
  }, 180_000);
});

describe('anyml denoise: volume errors name the slice', () => {
  it('mismatched page sizes, a NaN slice, a 2-D HDF5 dataset with --slices 3, a missing dataset', async () => {
    const mixed = join(dir, 'mixed.tif');
    await writeStack(mixed, slices.slice(0, 3));
    const t = await openTiffPages(mixed);
    const ifd = t.pages[2].ifd;
    await t.close();
    const fh = await open(mixed, 'r+');
    const b = Buffer.alloc(4);
    b.writeUInt32LE(32, 0);
    await fh.write(b, 0, 4, ifd + 2 + 8); // page 2: ImageWidth 32 (same byte count as 64×64 at height 128)
    b.writeUInt32LE(128, 0);
    await fh.write(b, 0, 4, ifd + 2 + 12 + 8);
    await fh.close();
    let r = run([mixed, join(dir, 'e1.tif')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/mixed\.tif: page 2: got 32×128, expected 64×64 like page 0/);
    const nan = slices.slice(0, 8).map((d) => d.slice());
    nan[5][70] = NaN;
    await writeStack(join(dir, 'nan.tif'), nan);
    r = run([join(dir, 'nan.tif'), join(dir, 'e2.tif')]);
    expect(r.stderr).toMatch(/slice 5: got NaN at row 1, column 6/);
    expect(existsSync(join(dir, 'e2.tif')) || existsSync(join(dir, 'e2.tif.partial'))).toBe(false);
    const { default: h5 } = await import('h5wasm/node');
    await h5.ready;
    const f = new h5.File(join(dir, 'flat.h5'), 'w');
    f.create_dataset({ name: 'img', data: slices[0], shape: [S, S], dtype: '<f' });
    f.close();
    r = run([join(dir, 'flat.h5'), join(dir, 'e3.h5'), '--dataset', '/img'], 3);
    expect(r.stderr).toMatch(/flat\.h5: \/img: got one slice \(a 2-D image\), expected at least 2 slices with --slices 3/);
    // 3-slice weights without --slices 3: the flag is named, before any file is opened.
    r = anyml(['denoise', join(dir, 'in.h5'), join(dir, 'e5.h5'), '--weights', models[3].json, '--backend', 'wasm']);
    expect(r.stderr).toMatch(/anyml denoise: --slices: got 1, expected 3 \(these weights take 3 adjacent slices\)/);
    r = run([join(dir, 'in.h5'), join(dir, 'e4.h5'), '--dataset', '/exchange/missing']);
    expect(r.stderr).toMatch(/in\.h5: dataset \/exchange\/missing: missing dataset: got no such 2-D or 3-D dataset, expected one of: \/exchange\/data \[16×64×64\]/);
  });
});
