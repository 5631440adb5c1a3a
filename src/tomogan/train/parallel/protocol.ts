// SPDX-License-Identifier: MIT
// What the coordinator and the TomoGAN training workers exchange (docs/tomogan.md "Data-parallel training"): the
// setup message, the per-step message, batch shares, flat parameter vectors and the shared-memory layout.
import type { FailHook, Transport } from '../../../svm/parallel/protocol.js';
import { CTL, shardRange } from '../../../svm/parallel/protocol.js';
import type { DecoderWidths } from '../../model.js';
import type { TfBackendName } from '../../types.js';
import type { TrainCheckpoint } from '../types.js';

export { CTL };
export type { FailHook, Transport };

/**
 * Internal test hooks (not public API). `failWorker`: the next data-parallel trainTomogan run makes worker `index`
 * throw in its first step ('run'), exit ('exit') or hang ('hang'); that run consumes it. `timeoutMs`: the per-call
 * timeout of the next run (default 30 min: one step at crop 256 takes minutes on one core).
 */
export const __testHooks: { failWorker?: FailHook; timeoutMs?: number } = {};

/** The pending hooks, cleared (one run uses them). */
export function takeHooks(): { fail?: FailHook; timeoutMs: number } {
  const h = { fail: __testHooks.failWorker, timeoutMs: __testHooks.timeoutMs ?? 30 * 60_000 };
  __testHooks.failWorker = undefined;
  __testHooks.timeoutMs = undefined;
  return h;
}

/** Worker p's crops of a global batch of B: [⌊p·B/P⌋, ⌊(p+1)·B/P⌋), contiguous, sizes differing by at most one. */
export const shareRange = (p: number, P: number, batch: number): [number, number] => shardRange(p, P, batch);

/** One worker's setup. `g`, `d`: the flat initial parameters (message transport; shared: in the buffer). */
export interface TomoganWorkerSetup {
  index: number;
  workers: number;
  backend: TfBackendName;
  depth: 1 | 3;
  widths: DecoderWidths;
  crop: number;
  st: TrainCheckpoint['settings'];
  transport: Transport;
  g?: Float32Array;
  d?: Float32Array;
  sab?: SharedArrayBuffer;
  fail?: FailHook;
}

/**
 * One step on a worker: its crops (NHWC, n of them) and the loss scale n/batch. `g`/`d`: parameters changed since the
 * last step (message transport: the values; shared: `true`, read them from the buffer).
 */
export interface StepJob {
  kind: 'g' | 'd';
  x: Float32Array;
  y: Float32Array;
  n: number;
  scale: number;
  g?: Float32Array | true;
  d?: Float32Array | true;
}

/** A worker's answer: the scaled loss, the unweighted parts (mean over its share), and (message) the gradient. */
export interface StepResult {
  value: number;
  parts: number[];
  grad?: Float32Array;
}

/** Elements of each shape, and their total: the layout of a flat parameter (or gradient) vector. */
export function flatSize(shapes: readonly number[][]): number {
  return shapes.reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
}

/**
 * Shared buffer: Int32 control words [abort, count, generation (bumped after each parameter write), progress_0 …
 * progress_{P−1} (steps each worker has written)], then f32 G parameters, f32 D parameters, then one f32 gradient
 * slot per worker, as long as the larger of the two.
 */
export class TomoganLayout {
  readonly ctlWords: number;
  readonly head: number;
  readonly slot: number;
  readonly bytes: number;
  constructor(readonly workers: number, readonly gSize: number, readonly dSize: number) {
    this.ctlWords = CTL.PROGRESS + workers;
    this.head = Math.ceil((this.ctlWords * 4) / 8) * 8;
    this.slot = Math.max(gSize, dSize);
    this.bytes = this.head + 4 * (gSize + dSize + workers * this.slot);
  }

  ctl(sab: SharedArrayBuffer): Int32Array {
    return new Int32Array(sab, 0, this.ctlWords);
  }

  params(sab: SharedArrayBuffer, kind: 'g' | 'd'): Float32Array {
    return kind === 'g' ? new Float32Array(sab, this.head, this.gSize) : new Float32Array(sab, this.head + 4 * this.gSize, this.dSize);
  }

  grad(sab: SharedArrayBuffer, p: number, kind: 'g' | 'd'): Float32Array {
    return new Float32Array(sab, this.head + 4 * (this.gSize + this.dSize + p * this.slot), kind === 'g' ? this.gSize : this.dSize);
  }
}
