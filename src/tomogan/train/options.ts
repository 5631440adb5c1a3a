// SPDX-License-Identifier: MIT
// trainTomogan's options: defaults and checks, all before any data is simulated or any tensor made, so the CLI can
// refuse a bad flag at once (`anyml tomogan train --crop 12`).
import { checkBoolean, checkInt, checkKeys, checkNumber, checkOneOf, fail } from '../../check.js';
import type { DecoderWidths } from '../model.js';
import type { TfBackendName } from '../types.js';
import type { TrainCheckpoint, TrainTomoganOptions } from './types.js';

/** Everything a run is: resolved from the options, or from the checkpoint being resumed. */
export interface TrainSettings {
  depth: 1 | 3;
  widths: DecoderWidths;
  crop: number;
  iterations: number;
  checkpointEvery: number;
  backend: TfBackendName;
  /** Data-parallel worker threads (0: train in the calling thread). Not part of a checkpoint: a run may resume with any. */
  workers: number;
  transport: 'auto' | 'shared' | 'message';
  st: TrainCheckpoint['settings'];
}

/** Every TrainTomoganOptions key (the compiler keeps this list complete), for checkKeys. */
const OPTION_KEYS = Object.keys({
  data: 1, init: 1, depth: 1, widths: 1, iterations: 1, batch: 1, crop: 1, lr: 1, lambdaAdv: 1, lambdaMse: 1, lambdaPerc: 1,
  perceptual: 1, itg: 1, itd: 1, augment: 1, seed: 1, backend: 1, checkpointEvery: 1, onCheckpoint: 1, resume: 1, onProgress: 1,
  signal: 1, workers: 1, transport: 1,
} satisfies Record<keyof TrainTomoganOptions, 1>);

const w = (k: string) => `trainTomogan: options.${k}`;
const nonNegative = (k: string, v: unknown) => checkNumber(w(k), v, 'a finite number ≥ 0', (x) => x >= 0 && Number.isFinite(x));

function resolveSettings(opts: Partial<TrainTomoganOptions>): TrainCheckpoint['settings'] {
  const r = opts.resume;
  if (r) return r.settings;
  const lambdaPerc = nonNegative('lambdaPerc', opts.lambdaPerc ?? (opts.perceptual ? 2 : 0));
  if (lambdaPerc > 0 && typeof opts.perceptual !== 'function') fail(w('perceptual'), opts.perceptual, `a feature network, since lambdaPerc = ${lambdaPerc}`);
  return {
    batch: checkInt(w('batch'), opts.batch ?? 16, 1, 4096),
    lr: checkNumber(w('lr'), opts.lr ?? 1e-4, 'a finite number > 0', (x) => x > 0 && Number.isFinite(x)),
    lambdaAdv: nonNegative('lambdaAdv', opts.lambdaAdv ?? 20),
    lambdaMse: nonNegative('lambdaMse', opts.lambdaMse ?? 0.5),
    lambdaPerc,
    itg: checkInt(w('itg'), opts.itg ?? 1, 1),
    itd: checkInt(w('itd'), opts.itd ?? 2, 0),
    augment: checkBoolean(w('augment'), opts.augment ?? true),
    seed: checkInt(w('seed'), opts.seed ?? 0, 0, 0xffffffff),
  };
}

/**
 * Defaults (TomoGAN's where it has them) and checks for every option but `data`; a checkpoint being resumed fixes
 * the model shape, the crop and the settings. Throws InvalidInputError naming the option.
 */
export function resolveTrainOptions(opts: Partial<TrainTomoganOptions>): TrainSettings {
  checkKeys('trainTomogan: options', opts, OPTION_KEYS);
  const r = opts.resume;
  if (r && r.format !== 'anyml-tomogan-train-checkpoint') fail(w('resume'), (r as { format?: string }).format, "an 'anyml-tomogan-train-checkpoint'");
  const crop = checkInt(w('crop'), r?.crop ?? opts.crop ?? 64, 8, 8192);
  if (crop % 8 !== 0) fail(w('crop'), crop, 'a multiple of 8 (three 2×2 poolings in the generator, three stride-2 convolutions in the discriminator)');
  const iterations = checkInt(w('iterations'), opts.iterations ?? 1000, 1);
  if (r && r.iteration >= iterations) fail(w('iterations'), iterations, `more than the checkpoint's ${r.iteration} iterations`);
  const backend = checkOneOf(w('backend'), opts.backend ?? 'wasm', ['wasm', 'cpu', 'webgpu'] as const);
  const st = resolveSettings(opts);
  const workers = checkInt(w('workers'), opts.workers ?? 0, 0, 256);
  if (workers > 0 && backend === 'webgpu') fail(w('workers'), workers, "0 with backend 'webgpu' (workers train on 'wasm' or 'cpu')");
  // A feature network is a function of the caller's thread: it cannot be sent to a worker.
  if (workers > 0 && st.lambdaPerc > 0) fail(w('workers'), workers, '0 when the perceptual term is on (the feature network cannot be sent to workers)');
  if (workers > st.batch) fail(w('workers'), workers, `at most the batch (${st.batch}): every worker needs a crop`);
  return {
    depth: checkOneOf(w('depth'), r?.depth ?? opts.init?.depth ?? opts.depth ?? 1, [1, 3] as const),
    widths: checkOneOf(w('widths'), r?.widths ?? opts.init?.widths ?? opts.widths ?? 'repo', ['repo', 'paper'] as const),
    crop,
    iterations,
    checkpointEvery: checkInt(w('checkpointEvery'), opts.checkpointEvery ?? 500, 1),
    backend,
    workers,
    transport: checkOneOf(w('transport'), opts.transport ?? 'auto', ['auto', 'shared', 'message'] as const),
    st,
  };
}
