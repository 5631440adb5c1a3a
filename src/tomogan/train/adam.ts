// SPDX-License-Identifier: MIT
// Adam (Kingma & Ba 2015, Algorithm 1) on plain tensors, with its whole state exportable for checkpoints:
// m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², θ ← θ − lr·m̂/(√v̂ + ε), m̂ = m/(1−β1^t), v̂ = v/(1−β2^t).
// Keras defaults (docs/tomogan.md "Training": Adam lr 1e-4, Keras defaults otherwise): β1 0.9, β2 0.999, ε 1e-7.
// Own code rather than tf.train.adam: that one keys its slots by globally unique variable names, which makes
// saving, resuming and running two trainings in one process awkward.
import { tf } from '../tf.js';

export interface AdamConfig {
  lr: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class Adam {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Steps taken (t in Algorithm 1). */
  step = 0;
  m: tf.Tensor[];
  v: tf.Tensor[];

  constructor(cfg: AdamConfig, shapes: number[][]) {
    this.lr = cfg.lr;
    this.beta1 = cfg.beta1 ?? 0.9;
    this.beta2 = cfg.beta2 ?? 0.999;
    this.epsilon = cfg.epsilon ?? 1e-7;
    this.m = shapes.map((s) => tf.zeros(s));
    this.v = shapes.map((s) => tf.zeros(s));
  }

  /** Returns the updated parameters; disposes the old parameters, the old moments and the gradients. */
  apply(params: tf.Tensor[], grads: tf.Tensor[]): tf.Tensor[] {
    this.step++;
    const c1 = 1 - this.beta1 ** this.step;
    const c2 = 1 - this.beta2 ** this.step;
    const out: tf.Tensor[] = [];
    for (let i = 0; i < params.length; i++) {
      const [p, m, v] = tf.tidy(() => {
        const g = grads[i];
        const m1 = tf.add(tf.mul(this.m[i], this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(tf.mul(this.v[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const upd = tf.div(tf.div(m1, c1), tf.add(tf.sqrt(tf.div(v1, c2)), this.epsilon));
        return [tf.sub(params[i], tf.mul(upd, this.lr)), m1, v1];
      });
      params[i].dispose();
      grads[i].dispose();
      this.m[i].dispose();
      this.v[i].dispose();
      this.m[i] = m;
      this.v[i] = v;
      out.push(p);
    }
    return out;
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
