// SPDX-License-Identifier: MIT
// The public types of TomoGAN training: options, per-iteration records, checkpoints and the result.
import type { Image } from '../../types.js';
import type { Generator, DecoderWidths } from '../model.js';
import type { ParamArray, TensorLike, TfBackendName } from '../types.js';

/** One training pair on TomoGAN's 0…255 scale: `noisy` has the model's depth (1, or 3 adjacent slices), `clean` 1. */
export interface TrainingPair {
  noisy: Image;
  clean: Image;
}

export interface TrainTomoganOptions {
  /** Training pairs (whole images; random crops are drawn from them). */
  data: readonly TrainingPair[];
  /** Start from these weights (fine-tuning); else a seeded generator of `depth`/`widths`. */
  init?: Generator;
  depth?: 1 | 3;
  widths?: DecoderWidths;
  /** Generator iterations (default 1000). With `resume`, the total to reach. */
  iterations?: number;
  /** Minibatch (default 16, TomoGAN). */
  batch?: number;
  /** Crop size in px, a multiple of 8 (default 64; TomoGAN: 256). The discriminator is built for this size. */
  crop?: number;
  /** Adam learning rate for G and D (default 1e-4, TomoGAN). */
  lr?: number;
  /** Loss weights (TomoGAN defaults: adv 20, mse 0.5, perc 2). lambdaAdv 0 trains G on the pixel loss alone, no D. */
  lambdaAdv?: number;
  lambdaMse?: number;
  lambdaPerc?: number;
  /**
   * Feature network for the perceptual term (e.g. a VGG the user loads): a tfjs Tensor4D, NHWC 0…255 grey, in; any
   * tfjs tensor out. Typed structurally (TensorLike) so that anyml's declarations do not import tfjs-core's.
   */
  perceptual?(x: TensorLike): TensorLike;
  /** Generator / discriminator steps per iteration (default 1 and 2, TomoGAN). */
  itg?: number;
  itd?: number;
  /** Random flips and 90° rotations of each crop (default true; TomoGAN had none). */
  augment?: boolean;
  /** Seed of crops, augmentation and the discriminator's initial weights (default 0). */
  seed?: number;
  /** tfjs backend (default 'wasm'; 'cpu' is the slow reference; 'webgpu' where a GPU exists). */
  backend?: TfBackendName;
  /** Called every `checkpointEvery` iterations and at the end with the full state (default every 500). */
  checkpointEvery?: number;
  onCheckpoint?: (c: TrainCheckpoint) => void | Promise<void>;
  /** Continue a run from a checkpoint: the next step is the same as without the interruption. */
  resume?: TrainCheckpoint;
  onProgress?: (r: TrainRecord) => void;
  signal?: AbortSignal;
  /**
   * Data-parallel training on this many worker threads (Node worker_threads, browser Web Workers; default 0: the
   * calling thread). Each step's batch is drawn as without workers and split into contiguous shares; the gradients
   * are summed in worker order and Adam runs in the calling thread (docs/tomogan.md "Data-parallel training").
   * At most `batch`; not with the perceptual term (its feature network cannot be sent to a worker) or 'webgpu'.
   */
  workers?: number;
  /** How gradients and parameters travel: 'shared' (SharedArrayBuffer), 'message' (postMessage), 'auto' (default: shared where usable). */
  transport?: 'auto' | 'shared' | 'message';
}

/** One iteration's losses (generator terms from its last step; discriminator mean over its steps). */
export interface TrainRecord {
  iteration: number;
  /** Total generator loss and its parts (unweighted). */
  gLoss: number;
  mse: number;
  adv: number;
  perc: number;
  dLoss: number;
  ms: number;
}

/** Everything needed to continue training exactly: weights, Adam moments, RNG state, counters, settings. */
export interface TrainCheckpoint {
  format: 'anyml-tomogan-train-checkpoint';
  iteration: number;
  depth: 1 | 3;
  widths: DecoderWidths;
  crop: number;
  rng: number[];
  settings: { batch: number; lr: number; lambdaAdv: number; lambdaMse: number; lambdaPerc: number; itg: number; itd: number; augment: boolean; seed: number };
  /** Named arrays: `g/<layer>/kernel|bias`, `d/...`, `adam_g/m/<i>`, … plus `adam_g/step`, `adam_d/step` in `steps`. */
  tensors: ParamArray[];
  steps: { g: number; d: number };
  history: TrainRecord[];
}

export interface TrainResult {
  generator: Generator;
  history: TrainRecord[];
  backend: TfBackendName;
  seconds: number;
  checkpoint: TrainCheckpoint;
}
