// SPDX-License-Identifier: MIT
// Solver parity: the wasm engine must equal the js oracle bit for bit (weights, bias, objective and the whole state)
// for every schedule × batch size × averaging × shuffling × matrix kind; wasm-simd within TOLERANCE.solver.
import { beforeAll, describe, expect, it } from 'vitest';
import { jsEngine } from '../../src/backends/js/index.js';
import { createWasmEngine } from '../../src/backends/wasm/sgd_svm.js';
import type { Schedule, Solver, SolverOptions, SvmEngine } from '../../src/svm/engine.js';
import type { Matrix } from '../../src/types.js';
import { bits32, bits64, synthetic } from './data.js';
import { TOLERANCE } from './tolerance.js';

const EPOCHS = 3;
const data = synthetic(300, 40, 0.2, 7);
let wasm: SvmEngine;
let simd: SvmEngine;
beforeAll(async () => {
  [wasm, simd] = await Promise.all([createWasmEngine('scalar'), createWasmEngine('simd')]);
});

/** Runs EPOCHS epochs; `chunked` drives run() in uneven pieces, as workers do between model averages. */
function train(e: SvmEngine, x: Matrix, opts: SolverOptions, chunked: boolean) {
  const s: Solver = e.createSolver(x, data.y, opts);
  try {
    for (let ep = 0; ep < EPOCHS; ep++) {
      if (!chunked) { s.runEpoch(); continue; }
      s.beginEpoch();
      while (s.run(41) > 0);
    }
    return { ...s.weights(), objective: s.objective(), state: s.getState() };
  } finally {
    s.dispose();
  }
}

const cases: [string, Schedule, number, boolean, boolean, 'csr' | 'dense'][] = [];
for (const schedule of ['pegasos', 'seed-alpha', 'paper'] as const)
  for (const batchSize of [1, 7])
    for (const averaged of [false, true])
      for (const shuffle of [false, true])
        for (const kind of ['csr', 'dense'] as const)
          cases.push([`${schedule} k=${batchSize} avg=${averaged} shuffle=${shuffle} ${kind}`, schedule, batchSize, averaged, shuffle, kind]);

describe('sgd_svm parity', () => {
  it.each(cases)('%s', (_name, schedule, batchSize, averaged, shuffle, kind) => {
    // averageStart 250 is not a multiple of 7, so a batch straddles the start of the averaging window.
    const opts: SolverOptions = { lambda: 1e-2, batchSize, schedule, shuffle, averaged, averageStart: 250, biasScale: 1, seed: 42 };
    const x = kind === 'csr' ? data.csr : data.dense;
    const chunked = batchSize === 7;
    const ref = train(jsEngine, x, opts, chunked);
    const got = train(wasm, x, opts, chunked);
    expect(bits32(got.w)).toEqual(bits32(ref.w));
    expect(bits64(got.bias)).toBe(bits64(ref.bias));
    expect(bits64(got.objective)).toBe(bits64(ref.objective));
    expect(bits32(got.state.v)).toEqual(bits32(ref.state.v));
    expect(got.state.avg ? Array.from(got.state.avg).map(bits64) : null).toEqual(ref.state.avg ? Array.from(ref.state.avg).map(bits64) : null);
    const scalars = (s: typeof ref.state) => [s.scale, s.bias, s.t, s.epoch, s.pos, s.avgDiv, s.avgWFrac, s.avgBias].map(bits64);
    expect(scalars(got.state)).toEqual(scalars(ref.state));
    expect(Array.from(got.state.rng)).toEqual(Array.from(ref.state.rng));
    expect(Array.from(got.state.perm!)).toEqual(Array.from(ref.state.perm!));

    const tol = TOLERANCE.solver['wasm-simd'];
    const s = train(simd, x, opts, chunked);
    let num = 0, den = 0;
    for (let j = 0; j < ref.w.length; j++) {
      num += (s.w[j] - ref.w[j]) ** 2;
      den += ref.w[j] ** 2;
    }
    expect(Math.sqrt(num / den), 'relative weight error').toBeLessThanOrEqual(tol.weightsRel);
    expect(Math.abs(s.bias - ref.bias) / (1 + Math.abs(ref.bias)), 'bias error').toBeLessThanOrEqual(tol.biasRel);
    expect(Math.abs(s.objective - ref.objective) / ref.objective, 'relative objective error').toBeLessThanOrEqual(tol.objectiveRel);
  });

  it('biasScale 0 fits no bias on every engine', () => {
    const opts: SolverOptions = { lambda: 1e-2, batchSize: 1, schedule: 'pegasos', shuffle: true, averaged: true, averageStart: 0, biasScale: 0, seed: 1 };
    for (const e of [jsEngine, wasm, simd]) expect(train(e, data.csr, opts, false).bias).toBe(0);
  });
});
