// SPDX-License-Identifier: MIT
// trainTomogan: the TomoGAN training loop (TOMOGAN.md "Losses", "Optimiser and schedule") in tfjs, browser-safe.
// Per iteration: `itg` generator steps, then `itd` discriminator steps, each on a fresh minibatch of random crops.
// Generator loss λ_mse·MSE(G(x), y) + λ_adv·BCE(1, D(G(x))) [+ λ_perc·MSE(F(G(x)), F(y)) with a user feature net F];
// discriminator loss BCE(1, D(y)) + BCE(0, D(G(x))). Adam (own, ./adam.ts) so the whole state goes into checkpoints.
import { AbortError, InvalidInputError } from '../../errors.js';
import { bounded, seedState } from '../../rng.js';
import { useBackend, useGradients } from '../backends/index.js';
import { tf } from '../tf.js';
import type { ParamArray, TensorLike, TfBackendName } from '../types.js';
import type { Image } from '../../types.js';
import { type ConvWeights, type DecoderWidths, Generator, createGenerator, layerSpecs } from '../model.js';
import { Adam } from './adam.js';
import { createDiscriminator, discriminatorForward, discriminatorShapes } from './discriminator.js';
import { registerWasmTrainingKernels } from './wasm-kernels.js';

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

const BCE = (logits: tf.Tensor, target: 0 | 1): tf.Scalar =>
  tf.losses.sigmoidCrossEntropy(target ? tf.onesLike(logits) : tf.zerosLike(logits), logits) as tf.Scalar;

function validateData(data: readonly TrainingPair[], depth: number, crop: number): void {
  if (!Array.isArray(data) || data.length === 0) throw new InvalidInputError('trainTomogan: options.data', String(data?.length ?? data), 'at least one { noisy, clean } pair');
  data.forEach((p, i) => {
    const w = `trainTomogan: data[${i}]`;
    if (!p?.noisy?.data || !p?.clean?.data) throw new InvalidInputError(w, typeof p, '{ noisy: Image, clean: Image }');
    if (p.noisy.depth !== depth) throw new InvalidInputError(`${w}.noisy.depth`, String(p.noisy.depth), `${depth} (the model's input depth)`);
    if (p.clean.depth !== 1) throw new InvalidInputError(`${w}.clean.depth`, String(p.clean.depth), '1 (the clean middle slice)');
    if (p.noisy.width !== p.clean.width || p.noisy.height !== p.clean.height)
      throw new InvalidInputError(`${w}`, `noisy ${p.noisy.width}×${p.noisy.height}, clean ${p.clean.width}×${p.clean.height}`, 'the same size');
    if (p.noisy.width < crop || p.noisy.height < crop) throw new InvalidInputError(`${w}`, `${p.noisy.width}×${p.noisy.height}`, `at least the crop size ${crop}×${crop}`);
    for (const [k, img] of [['noisy', p.noisy], ['clean', p.clean]] as const)
      for (let j = 0; j < img.data.length; j++)
        if (!Number.isFinite(img.data[j])) throw new InvalidInputError(`${w}.${k}.data[${j}]`, String(img.data[j]), 'finite pixel values');
  });
}

/**
 * Draws `batch` random crops (independent offsets, TOMOGAN.md "Optimiser and schedule") with an optional random
 * dihedral transform (flip × 90° rotation) applied to input and target alike. NHWC buffers.
 */
function drawBatch(data: readonly TrainingPair[], rng: Uint32Array, batch: number, crop: number, depth: number, augment: boolean) {
  const x = new Float32Array(batch * crop * crop * depth);
  const y = new Float32Array(batch * crop * crop);
  for (let b = 0; b < batch; b++) {
    const p = data[bounded(rng, data.length)];
    const { width: W, height: H } = p.clean;
    const r0 = bounded(rng, H - crop + 1);
    const c0 = bounded(rng, W - crop + 1);
    const t = augment ? bounded(rng, 8) : 0;
    const flip = t >= 4;
    const rot = t % 4;
    for (let i = 0; i < crop; i++)
      for (let j = 0; j < crop; j++) {
        // Destination (i, j) reads source (si, sj): rotate by rot·90°, then flip columns.
        const jj = flip ? crop - 1 - j : j;
        let si = i;
        let sj = jj;
        if (rot === 1) [si, sj] = [crop - 1 - jj, i];
        else if (rot === 2) [si, sj] = [crop - 1 - i, crop - 1 - jj];
        else if (rot === 3) [si, sj] = [jj, crop - 1 - i];
        const src = (r0 + si) * W + (c0 + sj);
        const dst = (b * crop + i) * crop + j;
        y[dst] = p.clean.data[src];
        for (let z = 0; z < depth; z++) x[dst * depth + z] = p.noisy.data[z * W * H + src];
      }
  }
  return { x, y };
}

function genArrays(gen: Generator): ParamArray[] {
  return gen.specs.flatMap((s) => {
    const w = gen.weights.get(s.name)!;
    return [
      { name: `${s.name}/kernel`, shape: [s.k, s.k, s.cin, s.cout], values: w.kernel },
      { name: `${s.name}/bias`, shape: [s.cout], values: w.bias },
    ];
  });
}

async function readAll(ts: readonly tf.Tensor[], names: readonly { name: string; shape: number[] }[], prefix: string): Promise<ParamArray[]> {
  const out: ParamArray[] = [];
  for (let i = 0; i < ts.length; i++) out.push({ name: `${prefix}${names[i].name}`, shape: names[i].shape, values: Float32Array.from((await ts[i].data()) as Float32Array) });
  return out;
}

/** Trains (or fine-tunes) the TomoGAN generator; see TrainTomoganOptions. The result's generator is a plain Generator. */
export async function trainTomogan(opts: TrainTomoganOptions): Promise<TrainResult> {
  const t0 = performance.now();
  const r = opts.resume;
  if (r && r.format !== 'anyml-tomogan-train-checkpoint') throw new InvalidInputError('trainTomogan: options.resume', String((r as { format?: string }).format), "an 'anyml-tomogan-train-checkpoint'");
  const depth = r?.depth ?? opts.init?.depth ?? opts.depth ?? 1;
  const widths = r?.widths ?? opts.init?.widths ?? opts.widths ?? 'repo';
  const crop = r?.crop ?? opts.crop ?? 64;
  const st = r?.settings ?? {
    batch: opts.batch ?? 16,
    lr: opts.lr ?? 1e-4,
    lambdaAdv: opts.lambdaAdv ?? 20,
    lambdaMse: opts.lambdaMse ?? 0.5,
    lambdaPerc: opts.lambdaPerc ?? (opts.perceptual ? 2 : 0),
    itg: opts.itg ?? 1,
    itd: opts.itd ?? 2,
    augment: opts.augment ?? true,
    seed: opts.seed ?? 0,
  };
  const iterations = opts.iterations ?? 1000;
  const checkpointEvery = opts.checkpointEvery ?? 500;
  const positiveInt = (k: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(`trainTomogan: options.${k}`, String(v), 'a positive integer');
  };
  positiveInt('iterations', iterations);
  positiveInt('batch', st.batch);
  positiveInt('itg', st.itg);
  positiveInt('checkpointEvery', checkpointEvery);
  if (!Number.isInteger(st.itd) || st.itd < 0) throw new InvalidInputError('trainTomogan: options.itd', String(st.itd), 'an integer ≥ 0');
  if (!(st.lr > 0)) throw new InvalidInputError('trainTomogan: options.lr', String(st.lr), 'a positive number');
  for (const k of ['lambdaAdv', 'lambdaMse', 'lambdaPerc'] as const)
    if (!(st[k] >= 0)) throw new InvalidInputError(`trainTomogan: options.${k}`, String(st[k]), 'a number ≥ 0');
  if (st.lambdaPerc > 0 && !opts.perceptual) throw new InvalidInputError('trainTomogan: options.perceptual', 'nothing', `a feature network, since lambdaPerc = ${st.lambdaPerc}`);
  const dShapes = discriminatorShapes(crop); // validates crop: a multiple of 8, at least 8
  validateData(opts.data, depth, crop);
  if (r && r.iteration >= iterations) throw new InvalidInputError('trainTomogan: options.iterations', String(iterations), `more than the checkpoint's ${r.iteration} iterations`);

  const backend = opts.backend ?? 'wasm';
  await useBackend(backend);
  await useGradients();
  // Conv2DBackpropFilter is missing on wasm; the stride-1 Conv2DBackpropInput route makes steps ~3.5× faster and the
  // cpu-exact MaxPoolGrad routes ties and non-positive maxima as the reference does (wasm-kernels.ts).
  if (backend === 'wasm') registerWasmTrainingKernels({ fastConv2DBackpropInput: true, fixMaxPoolGrad: true });

  // Parameters as plain tensors in a fixed order; gradients by tf.valueAndGrads over that list.
  const gSpecs = layerSpecs({ depth, widths });
  const gNames = gSpecs.flatMap((s) => [
    { name: `${s.name}/kernel`, shape: [s.k, s.k, s.cin, s.cout] },
    { name: `${s.name}/bias`, shape: [s.cout] },
  ]);
  const byName = new Map(r?.tensors.map((t) => [t.name, t]));
  const fromCkpt = (name: string, shape: number[]): tf.Tensor => {
    const t = byName.get(name);
    if (!t || t.values.length !== shape.reduce((a, b) => a * b, 1)) throw new InvalidInputError('trainTomogan: options.resume', `no tensor '${name}' of shape [${shape}]`, 'a complete checkpoint');
    return tf.tensor(t.values, shape);
  };
  const init = opts.init ?? createGenerator({ depth, widths, seed: st.seed });
  let gP: tf.Tensor[] = r ? gNames.map((n) => fromCkpt(`g/${n.name}`, n.shape)) : genArrays(init).map((a) => tf.tensor(a.values, a.shape));
  const useD = st.lambdaAdv > 0;
  let dP: tf.Tensor[] = !useD ? [] : r ? dShapes.map((n) => fromCkpt(`d/${n.name}`, n.shape)) : createDiscriminator(crop, st.seed + 1).map((a) => tf.tensor(a.values, a.shape));
  const adamG = new Adam({ lr: st.lr }, gNames.map((n) => n.shape));
  const adamD = new Adam({ lr: st.lr }, useD ? dShapes.map((n) => n.shape) : []);
  if (r) {
    const restore = (adam: Adam, key: 'g' | 'd', names: { name: string; shape: number[] }[]) => {
      adam.dispose();
      adam.m = names.map((n, i) => fromCkpt(`adam_${key}/m/${i}`, n.shape));
      adam.v = names.map((n, i) => fromCkpt(`adam_${key}/v/${i}`, n.shape));
      adam.step = r.steps[key];
    };
    restore(adamG, 'g', gNames);
    if (useD) restore(adamD, 'd', dShapes);
  }
  const rng = r ? Uint32Array.from(r.rng) : seedState(st.seed ^ 0x5eed);
  const history: TrainRecord[] = r ? [...r.history] : [];
  // A throwaway Generator shell gives forward(); its own weights are never read when `params` is passed.
  const shell = new Generator({ depth, widths }, new Map(gSpecs.map((s) => [s.name, init.weights.get(s.name) as ConvWeights])));
  const gMap = (p: readonly tf.Tensor[]) => new Map(gSpecs.map((s, i) => [s.name, { k: p[2 * i] as tf.Tensor4D, b: p[2 * i + 1] as tf.Tensor1D }]));
  const G = (p: readonly tf.Tensor[], x: tf.Tensor4D) => shell.forward(x, { params: gMap(p), keep: true });
  const batchTensors = () => {
    const { x, y } = drawBatch(opts.data, rng, st.batch, crop, depth, st.augment);
    return { x: tf.tensor4d(x, [st.batch, crop, crop, depth]), y: tf.tensor4d(y, [st.batch, crop, crop, 1]) };
  };

  const checkpoint = async (iteration: number): Promise<TrainCheckpoint> => ({
    format: 'anyml-tomogan-train-checkpoint',
    iteration,
    depth,
    widths,
    crop,
    rng: Array.from(rng),
    settings: { ...st },
    tensors: [
      ...(await readAll(gP, gNames, 'g/')),
      ...(await readAll(dP, dShapes, 'd/')),
      ...(await readAll(adamG.m, gNames.map((n, i) => ({ name: `m/${i}`, shape: n.shape })), 'adam_g/')),
      ...(await readAll(adamG.v, gNames.map((n, i) => ({ name: `v/${i}`, shape: n.shape })), 'adam_g/')),
      ...(await readAll(adamD.m, dShapes.map((n, i) => ({ name: `m/${i}`, shape: n.shape })), 'adam_d/')),
      ...(await readAll(adamD.v, dShapes.map((n, i) => ({ name: `v/${i}`, shape: n.shape })), 'adam_d/')),
    ],
    steps: { g: adamG.step, d: adamD.step },
    history: [...history],
  });

  let last: TrainCheckpoint | undefined;
  try {
    for (let it = (r?.iteration ?? 0) + 1; it <= iterations; it++) {
      if (opts.signal?.aborted) throw new AbortError(`trainTomogan aborted before iteration ${it}`);
      const ti = performance.now();
      const rec: TrainRecord = { iteration: it, gLoss: 0, mse: 0, adv: 0, perc: 0, dLoss: 0, ms: 0 };
      for (let k = 0; k < st.itg; k++) {
        const { x, y } = batchTensors();
        const parts: tf.Scalar[] = [];
        const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => {
          const out = G(p, x);
          const mse = tf.losses.meanSquaredError(y, out) as tf.Scalar;
          let loss = tf.mul(mse, st.lambdaMse) as tf.Scalar;
          parts.push(tf.keep(mse));
          if (useD) {
            const adv = BCE(discriminatorForward(dP, out), 1);
            loss = tf.add(loss, tf.mul(adv, st.lambdaAdv));
            parts.push(tf.keep(adv));
          }
          if (st.lambdaPerc > 0) {
            const perc = tf.losses.meanSquaredError(opts.perceptual!(y) as tf.Tensor, opts.perceptual!(out) as tf.Tensor) as tf.Scalar;
            loss = tf.add(loss, tf.mul(perc, st.lambdaPerc));
            parts.push(tf.keep(perc));
          }
          return loss;
        })(gP);
        gP = adamG.apply(gP, grads);
        rec.gLoss = (await value.data())[0];
        rec.mse = (await parts[0].data())[0];
        if (useD) rec.adv = (await parts[1].data())[0];
        if (st.lambdaPerc > 0) rec.perc = (await parts[parts.length - 1].data())[0];
        for (const t of [value, x, y, ...parts]) t.dispose();
      }
      if (useD) {
        for (let k = 0; k < st.itd; k++) {
          const { x, y } = batchTensors();
          const fake = tf.tidy(() => G(gP, x));
          const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => tf.add(BCE(discriminatorForward(p, y), 1), BCE(discriminatorForward(p, fake), 0)) as tf.Scalar)(dP);
          dP = adamD.apply(dP, grads);
          rec.dLoss += (await value.data())[0] / st.itd;
          for (const t of [value, x, y, fake]) t.dispose();
        }
      }
      rec.ms = performance.now() - ti;
      history.push(rec);
      opts.onProgress?.(rec);
      if (it % checkpointEvery === 0 || it === iterations) {
        last = await checkpoint(it);
        await opts.onCheckpoint?.(last);
      }
    }
    const weights = new Map<string, ConvWeights>();
    const arrays = await readAll(gP, gNames, '');
    gSpecs.forEach((s, i) => weights.set(s.name, { kernel: arrays[2 * i].values, bias: arrays[2 * i + 1].values }));
    return { generator: new Generator({ depth, widths }, weights), history, backend, seconds: (performance.now() - t0) / 1000, checkpoint: last! };
  } finally {
    for (const t of [...gP, ...dP]) t.dispose();
    adamG.dispose();
    adamD.dispose();
  }
}

/** The generator stored in a checkpoint (its `g/…` tensors). */
export function generatorFromCheckpoint(c: TrainCheckpoint): Generator {
  const byName = new Map(c.tensors.map((t) => [t.name, t.values]));
  const weights = new Map<string, ConvWeights>();
  for (const s of layerSpecs({ depth: c.depth, widths: c.widths })) {
    const kernel = byName.get(`g/${s.name}/kernel`);
    const bias = byName.get(`g/${s.name}/bias`);
    if (!kernel || !bias) throw new InvalidInputError('checkpoint', `no g/${s.name} weights`, 'a TomoGAN training checkpoint');
    weights.set(s.name, { kernel: Float32Array.from(kernel), bias: Float32Array.from(bias) });
  }
  return new Generator({ depth: c.depth, widths: c.widths }, weights);
}

/** Serialises a checkpoint as JSON (everything but the arrays) + one little-endian float32 buffer. */
export function encodeCheckpoint(c: TrainCheckpoint): { json: string; bin: Uint8Array } {
  const total = c.tensors.reduce((n, t) => n + t.values.length, 0);
  const buf = new Float32Array(total);
  let off = 0;
  const manifest = c.tensors.map((t) => {
    buf.set(t.values, off);
    off += t.values.length;
    return { name: t.name, shape: t.shape };
  });
  return { json: JSON.stringify({ ...c, tensors: manifest }), bin: new Uint8Array(buf.buffer) };
}

/** Inverse of encodeCheckpoint; checks that the buffer holds exactly the manifest's values. */
export function decodeCheckpoint(json: string, bin: Uint8Array): TrainCheckpoint {
  const meta = JSON.parse(json) as Omit<TrainCheckpoint, 'tensors'> & { tensors: { name: string; shape: number[] }[] };
  if (meta?.format !== 'anyml-tomogan-train-checkpoint') throw new InvalidInputError('checkpoint.json: format', String(meta?.format), "'anyml-tomogan-train-checkpoint'");
  const total = meta.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  if (bin.byteLength !== 4 * total) throw new InvalidInputError('checkpoint.bin', `${bin.byteLength} bytes`, `${4 * total} bytes (the manifest's ${total} float32 values)`);
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  let off = 0;
  const tensors = meta.tensors.map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const values = all.subarray(off, off + n);
    off += n;
    return { name: t.name, shape: t.shape, values };
  });
  return { ...meta, tensors };
}

