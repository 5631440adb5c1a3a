// SPDX-License-Identifier: MIT
// The whole state of a training run as plain tensors: generator and discriminator parameters, both Adams, the crop
// RNG and the history. Fresh from seeds, or restored from a checkpoint so the next step is the one it would have been.
import { InvalidInputError } from '../../errors.js';
import { seedState } from '../../rng.js';
import { type ConvSpec, Generator, convWeightsFrom, createGenerator, layerSpecs, type NamedShape, weightArrays, weightShapes } from '../model.js';
import { tf } from '../tf.js';
import { Adam } from './adam.js';
import { createDiscriminator, discriminatorShapes } from './discriminator.js';
import type { TrainSettings } from './options.js';
import type { ParamArray } from '../types.js';
import type { TrainCheckpoint, TrainRecord } from './types.js';

/** The values of `ts`, named `prefix + names[i].name` (copies, so the tensors can be disposed). */
async function readAll(ts: readonly tf.Tensor[], names: readonly NamedShape[], prefix: string): Promise<ParamArray[]> {
  const out: ParamArray[] = [];
  for (let i = 0; i < ts.length; i++) out.push({ name: `${prefix}${names[i].name}`, shape: names[i].shape, values: Float32Array.from((await ts[i].data()) as Float32Array) });
  return out;
}

export class TrainState {
  readonly specs: ConvSpec[];
  readonly gNames: NamedShape[];
  readonly dNames: NamedShape[];
  readonly useD: boolean;
  gP: tf.Tensor[] = [];
  dP: tf.Tensor[] = [];
  readonly adamG: Adam;
  readonly adamD: Adam;
  readonly rng: Uint32Array;
  readonly history: TrainRecord[];
  /** A generator of the run's shape that gives forward(); its own weights are never read when `params` is passed. */
  readonly shell: Generator;

  constructor(readonly s: TrainSettings, init: Generator | undefined, r: TrainCheckpoint | undefined) {
    this.shell = init ?? createGenerator({ depth: s.depth, widths: s.widths, seed: s.st.seed });
    this.specs = layerSpecs(s);
    this.gNames = weightShapes(this.specs);
    this.useD = s.st.lambdaAdv > 0;
    this.dNames = this.useD ? discriminatorShapes(s.crop) : [];
    this.adamG = new Adam({ lr: s.st.lr }, this.gNames.map((n) => n.shape));
    this.adamD = new Adam({ lr: s.st.lr }, this.dNames.map((n) => n.shape));
    this.rng = r ? Uint32Array.from(r.rng) : seedState(s.st.seed ^ 0x5eed);
    this.history = r ? [...r.history] : [];
    if (r) this.restore(r);
    else {
      this.gP = weightArrays(this.shell).map((a) => tf.tensor(a.values, a.shape));
      if (this.useD) this.dP = createDiscriminator(s.crop, s.st.seed + 1).map((a) => tf.tensor(a.values, a.shape));
    }
  }

  private restore(r: TrainCheckpoint): void {
    const byName = new Map(r.tensors.map((t) => [t.name, t]));
    const get = (name: string, shape: number[]): tf.Tensor => {
      const t = byName.get(name);
      if (!t || t.values.length !== shape.reduce((a, b) => a * b, 1)) throw new InvalidInputError('trainTomogan: options.resume', `no tensor '${name}' of shape [${shape}]`, 'a complete checkpoint');
      return tf.tensor(t.values, shape);
    };
    this.gP = this.gNames.map((n) => get(`g/${n.name}`, n.shape));
    this.dP = this.dNames.map((n) => get(`d/${n.name}`, n.shape));
    for (const [adam, key, names] of [[this.adamG, 'g', this.gNames], [this.adamD, 'd', this.dNames]] as const) {
      adam.dispose();
      adam.m = names.map((n, i) => get(`adam_${key}/m/${i}`, n.shape));
      adam.v = names.map((n, i) => get(`adam_${key}/v/${i}`, n.shape));
      adam.step = r.steps[key];
    }
  }

  /** A checkpoint after `iteration` (copies of every tensor). */
  async snapshot(iteration: number): Promise<TrainCheckpoint> {
    const moments = (adam: Adam, names: NamedShape[], key: string) =>
      Promise.all([readAll(adam.m, names.map((n, i) => ({ name: `m/${i}`, shape: n.shape })), key), readAll(adam.v, names.map((n, i) => ({ name: `v/${i}`, shape: n.shape })), key)]);
    const { depth, widths, crop, st } = this.s;
    return {
      format: 'anyml-tomogan-train-checkpoint',
      iteration, depth, widths, crop,
      rng: Array.from(this.rng),
      settings: { ...st },
      tensors: [
        ...(await readAll(this.gP, this.gNames, 'g/')),
        ...(await readAll(this.dP, this.dNames, 'd/')),
        ...(await moments(this.adamG, this.gNames, 'adam_g/')).flat(),
        ...(await moments(this.adamD, this.dNames, 'adam_d/')).flat(),
      ],
      steps: { g: this.adamG.step, d: this.adamD.step },
      history: [...this.history],
    };
  }

  /** The trained generator, as a plain Generator (copies of the weights). */
  async generator(): Promise<Generator> {
    const arrays = new Map((await readAll(this.gP, this.gNames, '')).map((a) => [a.name, a.values]));
    return new Generator(this.s, convWeightsFrom(this.specs, (n) => arrays.get(n), 'trainTomogan'));
  }

  dispose(): void {
    for (const t of [...this.gP, ...this.dP]) t.dispose();
    this.adamG.dispose();
    this.adamD.dispose();
  }
}
