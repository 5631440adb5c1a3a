// SPDX-License-Identifier: MIT
// Solver behaviour on every engine: state round trips, call order, disposal, input checks, and that it learns.
import { beforeAll, describe, expect, it } from 'vitest';
import { AnymlError, InvalidInputError } from '../../../src/errors.js';
import { jsBackend } from '../../../src/svm/backends/index.js';
import { createWasmBackend } from '../../../src/svm/backends/wasm/sgd_svm.js';
import type { SolverOptions, SolverState, SvmBackend } from '../../../src/svm/solver.js';
import { bits32, synthetic } from '../../parity/data.js';

const data = synthetic(120, 16, 0.3, 11);
const base: SolverOptions = {
  lambda: 1e-2, batchSize: 3, schedule: 'pegasos', shuffle: true, averaged: true, averageStart: 100, biasScale: 0.5, seed: 9,
};
const engines: Record<string, SvmBackend> = { js: jsBackend };
beforeAll(async () => {
  engines.wasm = await createWasmBackend('scalar');
  engines['wasm-simd'] = await createWasmBackend('simd');
});

/** Everything except perm, plus perm, in a form toEqual compares bit for bit. */
function snapshot(s: SolverState) {
  return { ...s, v: bits32(s.v), avg: s.avg ? Array.from(s.avg) : null, rng: Array.from(s.rng), perm: Array.from(s.perm!) };
}

describe.each(['js', 'wasm', 'wasm-simd'])('%s engine', (name) => {
  it('getState/setState: 2 epochs ≡ 1 epoch, save, restore into a fresh solver, 1 epoch', () => {
    for (const x of [data.csr, data.dense]) {
      const e = engines[name];
      const a = e.createSolver(x, data.y, base);
      a.runEpoch();
      a.runEpoch();
      const b = e.createSolver(x, data.y, base);
      b.runEpoch();
      const saved = b.getState();
      b.dispose();
      const c = e.createSolver(x, data.y, base);
      c.setState(saved);
      c.runEpoch();
      expect(snapshot(c.getState())).toEqual(snapshot(a.getState()));
      expect(bits32(c.weights().w)).toEqual(bits32(a.weights().w));
      expect(c.objective()).toBe(a.objective());
      a.dispose();
      c.dispose();
    }
  });

  it('restores mid-epoch too (pos and perm are part of the state)', () => {
    const e = engines[name];
    const a = e.createSolver(data.csr, data.y, base);
    a.beginEpoch();
    expect(a.run(50)).toBe(50);
    const saved = a.getState();
    expect(saved.pos).toBe(50);
    expect(a.run(1000)).toBe(70); // only what is left of the epoch
    const b = e.createSolver(data.csr, data.y, base);
    b.setState(saved);
    expect(b.run(1000)).toBe(70);
    expect(snapshot(b.getState())).toEqual(snapshot(a.getState()));
    a.dispose();
    b.dispose();
  });

  it('run() before beginEpoch() and use after dispose() throw', () => {
    const s = engines[name].createSolver(data.csr, data.y, base);
    expect(() => s.run(1)).toThrow('Solver.run: no epoch begun: call beginEpoch() first');
    s.dispose();
    s.dispose(); // idempotent
    expect(() => s.beginEpoch()).toThrow(AnymlError);
    expect(() => s.weights()).toThrow('Solver: used after dispose()');
  });

  it('learns the synthetic hyperplane', () => {
    // λ = 0.03, 10 epochs: js reaches objective ≈ 0.29 (from 1 at w = 0) and 94% training accuracy.
    const s = engines[name].createSolver(data.dense, data.y, { ...base, lambda: 3e-2, averageStart: 120 });
    expect(s.objective()).toBe(1); // w = 0, b = 0: every hinge is 1
    for (let i = 0; i < 10; i++) s.runEpoch();
    expect(s.objective()).toBeLessThan(0.35);
    const { w, bias } = s.weights();
    let correct = 0;
    for (let i = 0; i < data.dense.rows; i++) {
      let d = bias;
      for (let j = 0; j < data.dense.cols; j++) d += w[j] * data.dense.data[i * data.dense.cols + j];
      if (d * data.y[i] > 0) correct++;
    }
    expect(correct / data.dense.rows).toBeGreaterThan(0.9);
    s.dispose();
  });

  it('rejects bad options, data and states with messages naming argument, value and expectation', () => {
    const e = engines[name];
    const bad = (o: Partial<SolverOptions>) => () => e.createSolver(data.csr, data.y, { ...base, ...o });
    expect(bad({ lambda: 0 })).toThrow(InvalidInputError);
    expect(bad({ lambda: 0 })).toThrow('createSolver: options.lambda: got 0, expected a finite number > 0');
    expect(bad({ batchSize: 2.5 })).toThrow('createSolver: options.batchSize: got 2.5, expected an integer >= 1');
    expect(bad({ schedule: 'adam' as never })).toThrow('createSolver: options.schedule: got "adam", expected one of pegasos, seed-alpha, paper');
    expect(bad({ seed: -1 })).toThrow('createSolver: options.seed: got -1, expected an integer in [0, 2^32)');
    const y = data.y.slice();
    y[5] = 0;
    expect(() => e.createSolver(data.csr, y, base)).toThrow('createSolver: y[5]: got 0, expected -1 or +1');
    const indices = data.csr.indices.slice();
    indices[3] = 16;
    expect(() => e.createSolver({ ...data.csr, indices }, data.y, base)).toThrow('createSolver: x.indices[3]: got 16, expected a column in [0, 16)');
    expect(() => e.createSolver({ ...data.dense, rows: 7 }, data.y.subarray(0, 7), base)).toThrow('createSolver: x.data.length');
    const s = e.createSolver(data.csr, data.y, base);
    const st = s.getState();
    expect(() => s.setState({ ...st, pos: 121 })).toThrow('Solver.setState: state.pos: got 121, expected an integer in [0, rows = 120]');
    const perm = st.perm!.slice();
    perm[0] = perm[1];
    expect(() => s.setState({ ...st, perm })).toThrow('Solver.setState: state.perm[1]');
    expect(() => s.setState({ ...st, avg: null })).toThrow('Solver.setState: state.avg');
    s.dispose();
  });
});
