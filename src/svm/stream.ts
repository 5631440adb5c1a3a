// SPDX-License-Identifier: MIT
// Streaming SVM training: one SGD pass per incoming batch, the solver state carried from batch to batch.

import { checkBoolean, checkInt, checkKeys, checkNumber, checkOneOf, fail } from '../check.js';
import { AnymlError, InvalidInputError } from '../errors.js';
import { type LibsvmWindowsOptions, type LineSource, libsvmWindows } from '../io/windows.js';
import type { Dataset, Matrix } from '../types.js';
import { svmBackends } from './backends/index.js';
import { optimalBias } from './bias.js';
import { checkDataset } from './data.js';
import { SCHEDULES, type Schedule, type SolverOptions, type SolverState, type SvmBackend } from './solver.js';
import { SvmModel } from './model.js';
import { RowReservoir } from './reservoir.js';
import { applyScaling, foldScaling } from './scale.js';
import { checkStreamScale, RunningMaxAbs, rescaleState, type StreamScaleMode } from './stream_scale.js';

/** Default λ of a stream. See {@link SvmStreamOptions.lambda} for why. */
export const STREAM_DEFAULT_LAMBDA = 3e-4;
/** Default mini-batch size of a stream. See {@link SvmStreamOptions.batchSize}. */
export const STREAM_DEFAULT_BATCH = 10;
/** Default reservoir size for the bias refit. */
export const STREAM_DEFAULT_RESERVOIR = 10000;

/** Options of {@link createSvmStream}. Every field is optional; defaults are given per field. */
export interface SvmStreamOptions {
  /**
   * Regularisation λ > 0. Default 3e-4. A stream cannot hold data out to search λ ('auto' is refused). One pass is
   * short for Pegasos, whose iterate settles after many multiples of 1/λ samples, so the default is larger than
   * trainSvm's usual choice (1e-5 on ijcnn1): of 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, it gave the best one-pass test
   * accuracy on ijcnn1 read in file order (README, "Streaming training").
   */
  lambda?: number;
  /**
   * Initial number of features. A batch with more columns grows the model: the solver state (v and the averaging
   * accumulator) is zero-padded, which is exact, since an unseen feature has had weight 0 in every past iterate.
   * A batch with fewer columns is widened to the model's. Default: the first batch's column count.
   */
  features?: number;
  /**
   * The user's label values [neg, pos]. Default: the first batch's `labels`. A later batch whose labels are the
   * same values (in either order) is remapped; any other value is an error, so pass this option when the first
   * batch may hold only one of the two classes.
   */
  labels?: [neg: number, pos: number];
  /**
   * Mini-batch size k of the SGD updates. Default 10: a file read in order is not a shuffled sample (neighbouring
   * rows of ijcnn1 are consecutive steps of one time series), and averaging k gradients per step damps that noise
   * (ijcnn1 one pass: 91.79–91.86% with k = 1, 91.90–92.01% with k = 10, seeds 1–4).
   */
  batchSize?: number;
  /** Step-size schedule. Default 'pegasos'. With 'paper' the epoch counter counts batches (one pass each). */
  schedule?: Schedule;
  /** Averaged SGD. Default true: on one pass it is what makes Pegasos's noisy last iterate usable. */
  averaged?: boolean;
  /**
   * Samples before averaging starts. Default round(6/λ) (20,000 at the default λ): the average starts once Pegasos's
   * step 1/(λt) is at most 1/6. Its first iterates are huge and noisy, and one pass has no second epoch to start
   * averaging in (trainSvm's rule). On ijcnn1 (λ = 3e-4, k = 1) starts of 0, 1,000, 5,000, 10,000, 20,000 gave
   * 90.68, 90.92, 91.46, 91.66, 91.86%. This is a burn-in tuned on that one data set; set it for yours.
   */
  averageStart?: number;
  /** Bias step multiplier (0 = no bias). Default 1. */
  biasScale?: number;
  /**
   * How `model()` sets the bias: 'reservoir' (default) refits it exactly (optimalBias, src/svm/bias.ts) on a
   * seeded uniform sample of every row seen; 'window' refits it on the latest batch (tracks drift, noisier);
   * 'none' keeps the SGD bias. SGD leaves the unregularised bias noisy, and ijcnn1's accuracy is sensitive to it.
   */
  refitBias?: 'reservoir' | 'window' | 'none';
  /** Rows kept for the 'reservoir' refit. Default 10000. */
  reservoirSize?: number;
  /** Seed of the shuffles within each batch and of the reservoir. Default 1. */
  seed?: number;
  /** 'auto' (default: wasm-simd, then wasm, then js) or a backend name. */
  backend?: string;
  /**
   * Feature scaling (src/svm/stream_scale.ts, docs/svm-solver.md "Feature scaling"). 'maxabs': running max-abs, each
   * column divided by the largest |value| seen so far (including the current batch); when a maximum grows, the
   * solver state is rescaled so the raw-space model is unchanged. 'auto' (default): nothing while every value seen
   * is within [−1, 1] (already-scaled data trains exactly as with 'none'), running max-abs from the first batch
   * with a larger value. 'none'. trainSvm's 'standard' is refused: centring needs the column means up front.
   */
  scale?: 'auto' | 'maxabs' | 'none';
}

/** An SVM trained batch by batch. */
export interface SvmStream {
  /** One SGD pass over `batch` (shuffled with the stream's seeded RNG), continuing from the current state. */
  partialFit(batch: Dataset): Promise<void>;
  /** A snapshot of the current model; it copies the state, so training continues exactly as without the call. */
  model(): SvmModel;
  /** Samples trained on so far. */
  readonly seen: number;
  /** Batches trained on so far. */
  readonly batches: number;
  /** Ends the stream; later calls throw. */
  dispose(): void;
}

interface Resolved {
  solver: SolverOptions;
  features: number;
  labels: [number, number] | undefined;
  refit: 'reservoir' | 'window' | 'none';
  reservoirSize: number;
  scale: StreamScaleMode;
}

const FN = 'createSvmStream';

/** Every SvmStreamOptions key (the compiler keeps this list complete), for checkKeys. */
const OPTION_KEYS = Object.keys({
  lambda: 1, features: 1, labels: 1, batchSize: 1, schedule: 1, averaged: 1, averageStart: 1, biasScale: 1, refitBias: 1,
  reservoirSize: 1, seed: 1, backend: 1, scale: 1,
} satisfies Record<keyof SvmStreamOptions, 1>);
const REFITS = ['reservoir', 'window', 'none'] as const;

function resolve(o: SvmStreamOptions): Resolved {
  const w = (k: string) => `${FN}: options.${k}`;
  if (o === null || typeof o !== 'object') fail(`${FN}: options`, o, 'an object');
  checkKeys(`${FN}: options`, o, OPTION_KEYS);
  const labels = o.labels;
  if (labels !== undefined && !(Array.isArray(labels) && labels.length === 2 && labels.every(Number.isFinite) && labels[0] !== labels[1])) {
    fail(w('labels'), labels, 'two distinct finite numbers [neg, pos]');
  }
  const lambda = checkNumber(w('lambda'), o.lambda ?? STREAM_DEFAULT_LAMBDA, "a finite number > 0 (streams take no 'auto')", (x) => Number.isFinite(x) && x > 0);
  return {
    solver: {
      lambda,
      batchSize: checkInt(w('batchSize'), o.batchSize ?? STREAM_DEFAULT_BATCH, 1, 1 << 24),
      schedule: checkOneOf(w('schedule'), o.schedule ?? 'pegasos', SCHEDULES),
      shuffle: true,
      averaged: checkBoolean(w('averaged'), o.averaged ?? true),
      averageStart: checkInt(w('averageStart'), o.averageStart ?? Math.round(6 / lambda), 0),
      biasScale: checkNumber(w('biasScale'), o.biasScale ?? 1, 'a finite number ≥ 0 (0 = no bias)', (x) => x >= 0 && Number.isFinite(x)),
      seed: checkInt(w('seed'), o.seed ?? 1, 0, 0xffffffff),
    },
    features: o.features === undefined ? 0 : checkInt(w('features'), o.features, 1, 0x7fffffff),
    labels: labels ? [labels[0], labels[1]] : undefined,
    refit: checkOneOf(w('refitBias'), o.refitBias ?? 'reservoir', REFITS),
    reservoirSize: checkInt(w('reservoirSize'), o.reservoirSize ?? STREAM_DEFAULT_RESERVOIR, 1),
    scale: checkStreamScale(w('scale'), o.scale),
  };
}

/**
 * Creates a streaming linear SVM: `partialFit` runs one seeded, shuffled SGD pass (docs/svm-solver.md) over each
 * batch, continuing from the state the previous batch left, so a stream of batches is one long Pegasos run whose
 * sample order is shuffled within each batch. Same seed and same batches → the same model, bit for bit.
 *
 * @example
 * const stream = await createSvmStream({ lambda: 1e-5, seed: 7 });
 * for await (const batch of libsvmWindows(source, { window: 1000 })) await stream.partialFit(batch);
 * const model = stream.model();
 * stream.dispose();
 */
export async function createSvmStream(options: SvmStreamOptions = {}): Promise<SvmStream> {
  const r = resolve(options);
  const { name, impl } = await svmBackends.resolve(options.backend ?? 'auto', FN);
  return new Stream(r, name, impl);
}

/** Options of {@link trainSvmStream}: the stream's, plus how the LIBSVM input is windowed. */
export interface SvmStreamTrainOptions extends SvmStreamOptions, Omit<LibsvmWindowsOptions, 'features' | 'labels'> {}

/**
 * Trains on a LIBSVM stream in one pass: {@link libsvmWindows} windows of `window` rows (default 1000), each given to
 * `partialFit`. Returns the final model. `features` and `labels` apply to both the reader and the stream.
 *
 * @example
 * const model = await trainSvmStream(fs.createReadStream('ijcnn1.gz'), { window: 1000, gunzip: nodeGunzip });
 */
export async function trainSvmStream(source: LineSource, options: SvmStreamTrainOptions = {}): Promise<SvmModel> {
  const { window, name, signal, gunzip, maxFeatures, ...streamOptions } = options;
  const { features, labels } = options;
  const stream = await createSvmStream(streamOptions);
  try {
    for await (const batch of libsvmWindows(source, { window, name, signal, gunzip, features, maxFeatures, labels })) await stream.partialFit(batch);
    return stream.model();
  } finally {
    stream.dispose();
  }
}

class Stream implements SvmStream {
  private state: SolverState | null = null;
  private cols: number;
  private labels: [number, number] | undefined;
  private last: Dataset | null = null;
  private readonly reservoir: RowReservoir | null;
  private readonly scaler: RunningMaxAbs;
  private disposed = false;
  private nSeen = 0;
  private nBatches = 0;

  get seen(): number {
    return this.nSeen;
  }

  get batches(): number {
    return this.nBatches;
  }

  constructor(
    private readonly r: Resolved,
    private readonly backend: string,
    private readonly engine: SvmBackend,
  ) {
    this.cols = r.features;
    this.labels = r.labels;
    // A different seed from the solver's, so the sample is independent of the shuffles.
    this.reservoir = r.refit === 'reservoir' ? new RowReservoir(r.reservoirSize, (r.solver.seed ^ 0x2545f491) >>> 0) : null;
    this.scaler = new RunningMaxAbs(r.scale, r.features);
  }

  async partialFit(batch: Dataset): Promise<void> {
    this.live('partialFit');
    this.fit(batch);
  }

  private fit(batch: Dataset): void {
    const where = `SvmStream.partialFit: batch ${this.nBatches + 1}`;
    checkDataset(batch, where);
    if (batch.x.rows === 0) return;
    this.labels ??= [batch.labels[0], batch.labels[1]];
    const y = remapLabels(batch, this.labels, where);
    if (batch.x.cols > this.cols) this.grow(batch.x.cols);
    const raw = widen(batch.x, this.cols);
    const x = this.scaled(raw);
    const solver = this.engine.createSolver(x, y, this.r.solver);
    try {
      if (this.state) solver.setState(this.state);
      solver.beginEpoch();
      for (let done = 0; done < x.rows; ) done += solver.run(x.rows - done);
      const s = solver.getState();
      // The next batch has its own rows: its solver keeps its own (identity) order and position.
      delete s.perm;
      s.pos = 0;
      this.state = s;
    } finally {
      solver.dispose();
    }
    this.nSeen += x.rows;
    this.nBatches++;
    // Raw rows: the bias refit in model() uses the raw-space weights, so it sees the scales current at that time.
    if (this.r.refit === 'window') this.last = { x: raw, y, labels: this.labels };
    this.reservoir?.add(raw, y);
  }

  /**
   * The batch divided by the running scales, after taking its own maxima into them; when a scale grows, the
   * solver state is first rescaled so the model is unchanged in raw space (src/svm/stream_scale.ts).
   */
  private scaled(raw: Matrix): Matrix {
    const ratio = this.scaler.update(raw);
    if (ratio && this.state) rescaleState(this.state, ratio);
    const f = this.scaler.scaling();
    return f ? applyScaling(raw, f) : raw;
  }

  /** Zero-pads v and the averaging accumulator to `cols` features (exact: new features had weight 0 so far). */
  private grow(cols: number): void {
    const s = this.state;
    if (s) {
      const v = new Float32Array(cols);
      v.set(s.v);
      s.v = v;
      if (s.avg) {
        const a = new Float64Array(cols);
        a.set(s.avg);
        s.avg = a;
      }
    }
    this.scaler.grow(cols);
    this.cols = cols;
  }

  model(): SvmModel {
    this.live('model');
    const s = this.state;
    if (!s || !this.labels) throw new AnymlError('STATE', 'SvmStream.model: no batch trained yet: call partialFit first');
    const scaled = weightsOf(s, this.r.solver);
    const f = this.scaler.scaling();
    // Raw-space weights w_j / s_j (the bias is unchanged: max-abs does not centre).
    const weights = f ? foldScaling(scaled.weights, 0, f).weights : scaled.weights;
    let b = scaled.bias;
    if (this.r.solver.biasScale > 0) {
      if (this.reservoir && this.reservoir.length > 0) {
        const m = this.reservoir.margins(weights);
        b = optimalBias(m.s, m.y);
      } else if (this.r.refit === 'window' && this.last) {
        b = optimalBias(decisionNoBias(weights, this.last.x), this.last.y);
      }
    }
    const { lambda, batchSize, schedule, averaged, averageStart, biasScale, seed } = this.r.solver;
    return new SvmModel({
      weights,
      bias: b,
      labels: [this.labels[0], this.labels[1]],
      lambda,
      backend: this.backend,
      trainedWith: {
        streaming: true, lambda, batchSize, schedule, averaged, averageStart, biasScale, seed,
        refitBias: this.r.refit, scale: f ? 'maxabs' : 'none', ...(this.reservoir ? { reservoirSize: this.r.reservoirSize } : {}),
        seen: this.seen, batches: this.batches,
      },
    });
  }

  dispose(): void {
    this.disposed = true;
    this.state = null;
    this.last = null;
  }

  private live(fn: string): void {
    if (this.disposed) throw new AnymlError('DISPOSED', `SvmStream.${fn}: used after dispose()`);
  }
}

/**
 * The model a solver in state `s` reports (docs/svm-solver.md, Outputs), computed from a copy of the state; in
 * scaled-feature space when the stream scales. Exported for the tests of the rescale rule.
 */
export function weightsOf(s: SolverState, o: SolverOptions): { weights: Float64Array; bias: number } {
  const d = s.v.length;
  const w = new Float64Array(d);
  if (o.averaged && s.avg && s.t > o.averageStart) {
    for (let j = 0; j < d; j++) w[j] = Math.fround((s.avg[j] + s.avgWFrac * s.v[j]) / s.avgDiv);
    return { weights: w, bias: s.avgBias };
  }
  for (let j = 0; j < d; j++) w[j] = Math.fround(s.scale * s.v[j]);
  return { weights: w, bias: s.bias };
}

/** wᵀx_i for every row (f64). */
function decisionNoBias(w: Float64Array, x: Matrix): Float64Array {
  const out = new Float64Array(x.rows);
  if (x.kind === 'dense') {
    for (let i = 0; i < x.rows; i++) {
      let acc = 0;
      for (let j = 0; j < x.cols; j++) acc += w[j] * x.data[i * x.cols + j];
      out[i] = acc;
    }
    return out;
  }
  for (let i = 0; i < x.rows; i++) {
    let acc = 0;
    for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) acc += w[x.indices[k]] * x.values[k];
    out[i] = acc;
  }
  return out;
}

/**
 * The batch's ±1 labels in the stream's coding. Only the label values the batch actually uses are checked: a
 * parser's guess for the class a batch lacks (e.g. [-1, 1] for a batch of 1s only) must not fail it.
 */
function remapLabels(batch: Dataset, labels: [number, number], where: string): Float32Array {
  const y = batch.y;
  let usesNeg = false;
  let usesPos = false;
  for (let i = 0; i < y.length && !(usesNeg && usesPos); i++) {
    if (y[i] > 0) usesPos = true;
    else usesNeg = true;
  }
  const sign = (v: number): number => {
    if (v === labels[1]) return 1;
    if (v === labels[0]) return -1;
    throw new InvalidInputError(
      `${where}: labels`,
      `label value ${v}`,
      `one of the stream's labels ${labels[0]} or ${labels[1]}`,
      "set createSvmStream's options.labels when the first batch lacks a class",
    );
  };
  const negTo = usesNeg ? sign(batch.labels[0]) : -1;
  const posTo = usesPos ? sign(batch.labels[1]) : 1;
  if (negTo === -1 && posTo === 1) return y;
  const out = new Float32Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] > 0 ? posTo : negTo;
  return out;
}

/** `x` with `cols` columns (cols ≥ x.cols): CSR shares its arrays; dense rows are copied and zero-padded. */
function widen(x: Matrix, cols: number): Matrix {
  if (x.cols === cols) return x;
  if (x.kind === 'csr') return { ...x, cols };
  const data = new Float32Array(x.rows * cols);
  for (let i = 0; i < x.rows; i++) data.set(x.data.subarray(i * x.cols, (i + 1) * x.cols), i * cols);
  return { kind: 'dense', rows: x.rows, cols, data };
}
