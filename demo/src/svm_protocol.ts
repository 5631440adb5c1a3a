// SPDX-License-Identifier: MIT
// Messages between the SVM tab and its coordinator worker (svm.worker.ts). Types only.
import type { EpochRecord, SvmEvaluation, TrainTiming } from 'anyml';
import type { WireError } from './ui.js';

export interface SvmRunOptions {
  workers: number;
  syncEvery: number | 'epoch';
  transport: 'auto' | 'shared' | 'message';
  lambda: number | 'auto';
  epochs: number;
  seed: number;
  /** Re-run the fit for 1…E epochs to plot test accuracy per epoch (the API reports only the objective per epoch). */
  accuracyPerEpoch: boolean;
}

export type SvmRequest =
  | { type: 'train'; file?: File; options: SvmRunOptions }
  | { type: 'cancel' };

export interface DataInfo {
  name: string;
  trainRows: number;
  testRows: number;
  features: number;
  nnz: number;
  /** Generating or parsing the data, ms. */
  loadMs: number;
}

export interface TrainedInfo {
  backend: string;
  lambda: number;
  transport?: string;
  lambdaSearch?: { lambda: number; accuracy: number; hinge: number }[];
  history: EpochRecord[];
  timing: TrainTiming;
  train: SvmEvaluation;
  test: SvmEvaluation;
  /** Wall time of the trainSvm call (pool start, λ search, final fit, bias refit), ms. */
  wallMs: number;
  modelJson: string;
  liblinear: string;
}

export type SvmEvent =
  | { type: 'status'; text: string }
  | { type: 'data'; info: DataInfo }
  | { type: 'epoch'; phase: 'lambda-search' | 'train'; epoch: number; epochs: number; objective: number; lambda: number }
  | { type: 'trained'; info: TrainedInfo }
  | { type: 'replay'; epoch: number; accuracy: number }
  | { type: 'done'; ms: number }
  | { type: 'error'; error: WireError };
