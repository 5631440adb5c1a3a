// SPDX-License-Identifier: MIT
// `anyml denoise` end to end: --json contract, the output image, the shipped default weights, bad input.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, encodeImage } from '../../src/io/image.js';
import { formatNpy } from '../../src/io/npy.js';
import { loadShippedWeights } from '../../src/tomogan/default_weights.js';
import { denoise } from '../../src/tomogan/denoise.js';
import { createGenerator, saveWeights } from '../../src/tomogan/model.js';
import { nativeAvailable } from '../../src/tomogan/backends/native.js';
import { TOMOGAN_TOLERANCE } from '../parity/tomogan_tolerance.js';
import { relErr } from '../helpers/tomogan.js';
import { anyml } from './run_cli.js';

let dir: string;
let weights: string;
let input: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anyml-denoise-'));
  const gen = createGenerator({ depth: 1, widths: 'repo', seed: 5 });
  const saved = saveWeights(gen);
  gen.dispose();
  weights = join(dir, 'model.json');
  writeFileSync(weights, JSON.stringify(saved.modelJson));
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(saved.weightData));
  const w = 70;
  const h = 45; // not multiples of 8: the padding path runs
  const data = new Float32Array(w * h);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 251;
  input = join(dir, 'in.png');
  writeFileSync(input, await encodeImage({ width: w, height: h, depth: 1, data }, { format: 'png16', range: [0, 255] }));
});

describe('anyml denoise', () => {
  it('restores a PNG with --weights and prints the --json contract', async () => {
    const out = join(dir, 'out.npy');
    const r = anyml(['denoise', input, out, '--weights', weights, '--backend', 'wasm', '--tile', '32', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ backend: 'wasm', width: 70, height: 45 });
    for (const k of ['backend', 'ms', 'tiles', 'width', 'height']) expect(r.json).toHaveProperty(k);
    expect(r.json!.tiles as number).toBeGreaterThan(1);
    const img = (await decodeImage(readFileSync(out)));
    expect([img.width, img.height, img.depth]).toEqual([70, 45, 1]);
    expect(img.data.every(Number.isFinite)).toBe(true);
  });

  it('--backend native --threads 1 writes the same image as wasm (within the parity tolerance)', async () => {
    if (!(await nativeAvailable())) {
      if (process.env.CI === 'true') throw new Error('CI=true requires the optional dependency onnxruntime-node');
      console.warn('skipping the native CLI check: onnxruntime-node is not installed');
      return;
    }
    const outW = join(dir, 'w.npy');
    const outN = join(dir, 'n.npy');
    expect(anyml(['denoise', input, outW, '--weights', weights, '--backend', 'wasm', '--json']).code).toBe(0);
    const r = anyml(['denoise', input, outN, '--weights', weights, '--backend', 'native', '--threads', '1', '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ backend: 'native', width: 70, height: 45, tiles: 1 });
    const a = (await decodeImage(readFileSync(outN))).data;
    const b = (await decodeImage(readFileSync(outW))).data;
    expect(relErr(a, b)).toBeLessThanOrEqual(TOMOGAN_TOLERANCE.native);
  });

  it('without --weights uses the shipped tomogan-sim-v2 weights and names them in --json', async () => {
    const out = join(dir, 'default.png');
    const r = anyml(['denoise', input, out, '--backend', 'wasm', '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ weights: 'tomogan-sim-v2', backend: 'wasm', width: 70, height: 45 });
    expect((await decodeImage(readFileSync(out))).data.every(Number.isFinite)).toBe(true);
  });

  it('--slices 3 without --weights uses the shipped tomogan-sim-v2-3slice on a 3-slice stack (its middle slice)', async () => {
    const [w, h] = [70, 45];
    const data = new Float32Array(3 * w * h);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i % 7) * 11) % 251;
    const stack = join(dir, 'stack3.npy');
    writeFileSync(stack, formatNpy(data, [3, h, w]));
    const out = join(dir, 'stack3-out.npy');
    const r = anyml(['denoise', stack, out, '--slices', '3', '--backend', 'wasm', '--json']);
    expect(r.stderr).toBe('');
    expect(r.json).toMatchObject({ weights: 'tomogan-sim-v2-3slice', backend: 'wasm', width: w, height: h });
    const model = await loadShippedWeights('tomogan-sim-v2-3slice');
    const ref = await denoise({ width: w, height: h, depth: 3, data }, { model, backend: 'wasm' });
    model.dispose();
    expect(relErr((await decodeImage(readFileSync(out))).data, ref.image.data)).toBeLessThanOrEqual(1e-6);
  });

  it("--backend auto probes WebGPU without Dawn's diagnostics reaching stderr, and reports what ran", () => {
    const out = join(dir, 'auto.npy');
    const r = anyml(['denoise', input, out, '--weights', weights, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(''); // Dawn prints "… artificially reduced …" when probed in-process
    expect(['native', 'wasm', 'webgpu']).toContain(r.json!.backend);
  });

  it('a missing --weights file is a clear error (exit 2)', () => {
    const r = anyml(['denoise', input, join(dir, 'x.png'), '--weights', join(dir, 'nope.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.json/);
  });

  it('exits 2 on an unreadable or wrong-depth input', () => {
    const junk = join(dir, 'junk.png');
    writeFileSync(junk, 'not an image');
    expect(anyml(['denoise', junk, join(dir, 'y.png'), '--weights', weights]).code).toBe(2);
    const r = anyml(['denoise', input, join(dir, 'z.png'), '--weights', weights, '--slices', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/1 slice\(s\), expected 3/);
  });
});
