// SPDX-License-Identifier: MIT
// SVM solver parity: every backend in the svmBackends registry runs the same cases (schedule × batch size ×
// averaging × shuffling × matrix kind) and is checked against the js reference by its TOLERANCE.solver entry:
// `exact` backends must equal it bit for bit (weights, bias, objective and the whole state), the others within
// relative bounds. A backend that cannot run here skips with its reason, except under CI=true.
import { beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../src/errors.js';
import { jsBackend, svmBackends } from '../../src/svm/backends/index.js';
import type { Schedule, Solver, SolverOptions, SvmBackend } from '../../src/svm/solver.js';
import type { Matrix } from '../../src/types.js';
import { bits32, bits64, synthetic } from './data.js';
import { TOLERANCE } from './tolerance.js';

const CI = process.env.CI === 'true';
const EPOCHS = 3;
const data = synthetic(300, 40, 0.2, 7);
const backends = new Map<string, SvmBackend | string>();
beforeAll(async () => {
  for (const name of svmBackends.names()) {
    const r = await svmBackends.resolve(name, 'svm parity').catch((e: unknown) => {
      if (!(e instanceof BackendUnavailableError) || CI) throw e;
      return e.message;
    });
    backends.set(name, typeof r === 'string' ? r : r.impl);
  }
});

/** Runs EPOCHS epochs; `chunked` drives run() in uneven pieces, as workers do between model averages. */
function train(e: SvmBackend, x: Matrix, opts: SolverOptions, chunked: boolean) {
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
type Run = ReturnType<typeof train>;

function expectExact(got: Run, ref: Run): void {
  expect(bits32(got.w)).toEqual(bits32(ref.w));
  expect(bits64(got.bias)).toBe(bits64(ref.bias));
  expect(bits64(got.objective)).toBe(bits64(ref.objective));
  expect(bits32(got.state.v)).toEqual(bits32(ref.state.v));
  expect(got.state.avg ? Array.from(got.state.avg).map(bits64) : null).toEqual(ref.state.avg ? Array.from(ref.state.avg).map(bits64) : null);
  const scalars = (s: Run['state']) => [s.scale, s.bias, s.t, s.epoch, s.pos, s.avgDiv, s.avgWFrac, s.avgBias].map(bits64);
  expect(scalars(got.state)).toEqual(scalars(ref.state));
  expect(Array.from(got.state.rng)).toEqual(Array.from(ref.state.rng));
  expect(Array.from(got.state.perm!)).toEqual(Array.from(ref.state.perm!));
}

function expectClose(got: Run, ref: Run, tol: { weightsRel: number; biasRel: number; objectiveRel: number }): void {
  let num = 0, den = 0;
  for (let j = 0; j < ref.w.length; j++) {
    num += (got.w[j] - ref.w[j]) ** 2;
    den += ref.w[j] ** 2;
  }
  expect(Math.sqrt(num / den), 'relative weight error').toBeLessThanOrEqual(tol.weightsRel);
  expect(Math.abs(got.bias - ref.bias) / (1 + Math.abs(ref.bias)), 'bias error').toBeLessThanOrEqual(tol.biasRel);
  expect(Math.abs(got.objective - ref.objective) / ref.objective, 'relative objective error').toBeLessThanOrEqual(tol.objectiveRel);
}

const cases: [string, Schedule, number, boolean, boolean, 'csr' | 'dense'][] = [];
for (const schedule of ['pegasos', 'seed-alpha', 'paper'] as const)
  for (const batchSize of [1, 7])
    for (const averaged of [false, true])
      for (const shuffle of [false, true])
        for (const kind of ['csr', 'dense'] as const)
          cases.push([`${schedule} k=${batchSize} avg=${averaged} shuffle=${shuffle} ${kind}`, schedule, batchSize, averaged, shuffle, kind]);

describe.each(svmBackends.names())('sgd_svm parity: %s vs js', (name) => {
  const tol = TOLERANCE.solver[name as keyof typeof TOLERANCE.solver];
  it('has a tolerance entry', () => expect(tol, `TOLERANCE.solver['${name}']`).toBeDefined());

  it.for(cases)('%s', ([, schedule, batchSize, averaged, shuffle, kind], ctx) => {
    const b = backends.get(name)!;
    if (typeof b === 'string') {
      console.warn(`skipping ${name}: ${b}`);
      return ctx.skip();
    }
    // averageStart 250 is not a multiple of 7, so a batch straddles the start of the averaging window.
    const opts: SolverOptions = { lambda: 1e-2, batchSize, schedule, shuffle, averaged, averageStart: 250, biasScale: 1, seed: 42 };
    const x = kind === 'csr' ? data.csr : data.dense;
    const chunked = batchSize === 7;
    const [ref, got] = [train(jsBackend, x, opts, chunked), train(b, x, opts, chunked)];
    if ('exact' in tol) expectExact(got, ref);
    else expectClose(got, ref, tol);
  });

  it('biasScale 0 fits no bias', (ctx) => {
    const b = backends.get(name)!;
    if (typeof b === 'string') return ctx.skip();
    const opts: SolverOptions = { lambda: 1e-2, batchSize: 1, schedule: 'pegasos', shuffle: true, averaged: true, averageStart: 0, biasScale: 0, seed: 1 };
    expect(train(b, data.csr, opts, false).bias).toBe(0);
  });
});
