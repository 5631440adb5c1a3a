// SPDX-License-Identifier: MIT
// anyml-mpi under test: the binary, mpirun with the root-friendly OpenMPI environment, model comparisons and the
// per-class / lambda-auto checks that test/e2e/mpi.test.ts runs at several rank counts.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, expect } from 'vitest';
import type { Dataset } from '../../src/types.js';
import type { SvmModel } from '../../src/svm/model.js';
import { trainSvm } from '../../src/svm/train.js';
import { SHARED_DATA } from './shared_data.js';
import { missingTool } from './tools.js';
export const ROOT = resolve(__dirname, '../..');
export const lib = (f: string) => join(SHARED_DATA, 'libsvm', f);
export const BIN = join(ROOT, 'build/mpi/anyml-mpi');
export const BIN_MPICH = join(ROOT, 'build/mpi-mpich/anyml-mpi');
// OpenMPI refuses root without these (containers, CI); harmless otherwise.
export const ENV = { ...process.env, OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' };

export const missing =
  missingTool('/usr/bin/mpirun', 'apt-get install openmpi-bin libopenmpi-dev') ??
  missingTool('/usr/bin/mpicxx', 'apt-get install libopenmpi-dev') ??
  missingTool('/usr/include/zlib.h', 'apt-get install zlib1g-dev');
export const missingMpich =
  missing ?? missingTool('/usr/bin/mpirun.mpich', 'apt-get install mpich libmpich-dev') ?? missingTool('/usr/bin/mpicxx.mpich', 'apt-get install libmpich-dev');

/** mpirun -np P anyml-mpi train ...; a 60 s cap so a hang fails the test instead of stalling the suite. */
export function mpi(np: number, args: string[], opts: { mpich?: boolean; timeout?: number } = {}): SpawnSyncReturns<string> {
  const [cmd, extra] = opts.mpich ? ['mpirun.mpich', []] : ['mpirun', np > 2 ? ['--oversubscribe'] : []];
  return spawnSync(cmd, [...extra, '-np', String(np), opts.mpich ? BIN_MPICH : BIN, ...args], {
    env: ENV, encoding: 'utf8', timeout: opts.timeout ?? 60_000,
  });
}

export interface Compare { maxRel: number; identical: boolean }

/** Largest relative difference over every weight and the bias, and whether all are bit-identical. */
export function compare(a: SvmModel, b: SvmModel): Compare {
  const xs = [...a.weights, a.bias], ys = [...b.weights, b.bias];
  expect(xs.length).toBe(ys.length);
  let maxRel = 0, identical = true;
  for (let j = 0; j < xs.length; j++) {
    if (!Object.is(xs[j], ys[j])) identical = false;
    const rel = Math.abs(xs[j] - ys[j]) / Math.max(Math.abs(ys[j]), 1e-12);
    if (rel > maxRel) maxRel = rel;
  }
  return { maxRel, identical };
}

/** A model document without trainedWith.workers (the rank count, the one field P changes under one-vs-rest). */
export function withoutWorkers(json: string) {
  const doc = JSON.parse(json);
  delete doc.trainedWith.workers;
  return doc;
}

/**
 * One-vs-rest class k is the binary fit (np 1) of the file relabelled +1 for class k and -1 for the rest: returns
 * the classes whose weights or bias differ from that fit in `doc` (a multiclass anyml-mpi model of `file`).
 */
export function perClassMismatches(file: string, text: string, doc: { labels: number[]; weights: unknown[]; bias: number[] }, args: string[]): number[] {
  const rows = text.split('\n').filter((l) => l.trim() !== '');
  return doc.labels.filter((c, k) => {
    const f = `${file}.class${k}`;
    writeFileSync(f, rows.map((l) => (Number(l.slice(0, l.indexOf(' '))) === c ? '+1' : '-1') + l.slice(l.indexOf(' '))).join('\n') + '\n');
    const r = mpi(1, ['train', f, ...args, '--model', `${f}.json`]);
    expect(r.status, r.stderr).toBe(0);
    const bin = JSON.parse(readFileSync(`${f}.json`, 'utf8'));
    expect(bin.labels).toEqual([-1, 1]);
    return !(JSON.stringify(bin.weights) === JSON.stringify(doc.weights[k]) && Object.is(bin.bias, doc.bias[k]));
  });
}

/**
 * anyml-mpi --lambda auto at each np against trainSvm lambda 'auto' (backend 'wasm': the native kernels are the
 * scalar ones): the λ and search scores of the in-thread call (Node's search runs in the calling thread, so they do
 * not depend on P) and the model of trainSvm({ workers: np }) bit for bit. Returns the search seconds per np.
 */
export async function checkLambdaAuto(file: string, data: Dataset, seed: number, dir: string, nps: number[]): Promise<number[]> {
  const alone = JSON.parse(JSON.stringify(await trainSvm(data, { lambda: 'auto', seed, backend: 'wasm' })));
  expect(alone.trainedWith.lambdaSearch).toHaveLength(5);
  const seconds: number[] = [];
  for (const np of nps) {
    const out = join(dir, `auto-${seed}-${np}.json`);
    const r = mpi(np, ['train', file, '--lambda', 'auto', '--seed', String(seed), '--model', out, '--json'], { timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.lambda, `np ${np} seed ${seed}`).toBe(alone.lambda);
    expect(doc.trainedWith.lambdaSearch, `np ${np} seed ${seed}`).toEqual(alone.trainedWith.lambdaSearch);
    expect(summary).toMatchObject({ lambda: alone.lambda, lambdaSearch: alone.trainedWith.lambdaSearch, lambdaSearchSeconds: expect.any(Number) });
    const node = JSON.parse(JSON.stringify(await trainSvm(data, { workers: np, lambda: 'auto', seed, backend: 'wasm' })));
    for (const key of ['features', 'weights', 'bias', 'labels', 'lambda']) expect(doc[key], `${key}, np ${np} seed ${seed}`).toEqual(node[key]);
    const { epochs, lambdaSearchEpochs, lambdaSearch } = node.trainedWith;
    expect(doc.trainedWith).toMatchObject({ epochs, lambdaSearchEpochs, lambdaSearch });
    seconds.push(summary.lambdaSearchSeconds);
  }
  return seconds;
}

/** Builds anyml-mpi once before a block's tests and gives them one fresh temp folder (`tmp()`). */
export function mpiWorkspace(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    execFileSync('bash', [join(ROOT, 'scripts/build-mpi.sh')], { cwd: ROOT, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), prefix));
  }, 300_000);
  return () => dir;
}
