// SPDX-License-Identifier: MIT
// Epoch progress bar on stderr, shown only on a TTY (never in --json mode or pipes).

import cliProgress from 'cli-progress';
import type { SvmProgress } from '../svm/types.js';

export interface ProgressSink {
  onEpoch(p: SvmProgress): void;
  stop(): void;
}

export function createProgress(enabled: boolean): ProgressSink {
  if (!enabled || !process.stderr.isTTY) return { onEpoch() {}, stop() {} };
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
