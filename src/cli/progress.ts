// SPDX-License-Identifier: MIT
// Epoch progress bar on stderr, shown only on a TTY (never in --json mode or pipes).

import type { SvmProgress } from '../svm/types.js';

export interface ProgressSink {
  onEpoch(p: SvmProgress): void;
  stop(): void;
}

/** Loads cli-progress only when a bar will show (a TTY), keeping it off the start-up path of scripted runs. */
export async function createProgress(enabled: boolean): Promise<ProgressSink> {
  if (!enabled || !process.stderr.isTTY) return { onEpoch() {}, stop() {} };
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{phase} λ={lambda} |{bar}| epoch {value}/{total} objective {objective}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onEpoch(p) {
      const payload = { phase: p.phase, lambda: p.lambda.toExponential(0), objective: p.objective.toPrecision(5) };
      if (!started) {
        bar.start(p.epochs, 0, payload);
        started = true;
      }
      bar.setTotal(p.epochs);
      bar.update(p.epoch, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
