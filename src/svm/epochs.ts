// SPDX-License-Identifier: MIT
// One whole fit on one engine: the epoch loop with its convergence check. The calling thread runs it for
// in-thread training, and a worker runs the same code for each class it trains (one-vs-rest), so a class's
// weights do not depend on where it was trained.

import { AbortError } from '../errors.js';
import type { Matrix } from '../types.js';
import { checkObjective, converged, seconds } from './convergence.js';
import type { SolverOptions, SvmBackend } from './solver.js';
import type { EpochRecord } from './types.js';

/** Samples per call into the engine: bounds the time between abort checks. */
const CHUNK = 1 << 16;

export interface EpochLoop {
  /** Everything but averageStart, which is one epoch when epochs > 1 (averaging starts after the first pass). */
  solver: Omit<SolverOptions, 'averageStart'>;
  epochs: number;
  tol: number;
  signal?: AbortSignal;
  onEpoch?: (epoch: number, objective: number) => void;
}

/** Runs up to `epochs` passes, stopping when the objective's relative change is below tol. */
export function runEpochs(engine: SvmBackend, x: Matrix, y: Float32Array, f: EpochLoop): { w: Float32Array; bias: number; history: EpochRecord[] } {
  const rows = x.rows;
  const solver = engine.createSolver(x, y, { ...f.solver, averageStart: f.epochs > 1 ? rows : 0 });
  const history: EpochRecord[] = [];
  try {
    let prev = Infinity;
    for (let e = 1; e <= f.epochs; e++) {
      const t0 = seconds();
      solver.beginEpoch();
      for (let done = 0; done < rows; ) {
        if (f.signal?.aborted) throw new AbortError('trainSvm: aborted by options.signal');
        done += solver.run(Math.min(CHUNK, rows - done));
      }
      const t1 = seconds();
      const objective = solver.objective();
      const t2 = seconds();
      checkObjective(objective, e, f.solver.lambda);
      history.push({ epoch: e, objective, updateSeconds: t1 - t0, checkSeconds: t2 - t1 });
      f.onEpoch?.(e, objective);
      if (converged(prev, objective, f.tol)) break;
      prev = objective;
    }
    return { ...solver.weights(), history };
  } finally {
    solver.dispose();
  }
}
