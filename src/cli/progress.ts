// SPDX-License-Identifier: MIT
// The CLI's one progress bar on stderr (cli-progress), shown only on a TTY: never in --json mode or in pipes.

import type { SvmProgress } from '../svm/types.js';

/** A bar over `total` steps; `update` starts it on first use. */
export interface Bar {
  update(done: number, total: number, payload?: Record<string, string>): void;
  stop(): void;
}

/** Loads cli-progress only when a bar will show (a TTY), keeping it off the start-up path of scripted runs. */
export async function createBar(enabled: boolean, format: string): Promise<Bar> {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar({ stream: process.stderr, format, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(done, total, payload) {
      if (!started) bar.start(total, 0, payload);
      started = true;
      bar.setTotal(total);
      bar.update(done, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export interface ProgressSink {
  onEpoch(p: SvmProgress): void;
  stop(): void;
}

/** SVM training progress: one bar over the epochs of each fit (λ search fits, then the final fit). */
export async function createProgress(enabled: boolean): Promise<ProgressSink> {
  const bar = await createBar(enabled, '{phase} λ={lambda} |{bar}| epoch {value}/{total} objective {objective}');
  return {
    onEpoch: (p) => bar.update(p.epoch, p.epochs, { phase: p.phase, lambda: p.lambda.toExponential(0), objective: p.objective.toPrecision(5) }),
    stop: () => bar.stop(),
  };
}
