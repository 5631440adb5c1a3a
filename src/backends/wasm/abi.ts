// SPDX-License-Identifier: MIT
// Constants mirrored from cpp/include/anyml/anyml.h. Must match it: test/unit/backends/wasm/abi.test.ts parses the header.
export type { AnymlCoreModule as AnymlCore } from '../../../wasm/dist/anyml-core.mjs';

/** Status codes (enum ANYML_*). */
export const ANYML_STATUS = {
  ANYML_OK: 0,
  ANYML_E_INVALID_ARG: 1,
  ANYML_E_NOMEM: 2,
  ANYML_E_STATE: 3,
} as const;

/** Schedule codes (enum SGD_SVM_*). */
export const SCHEDULE_CODE = {
  pegasos: 0, // SGD_SVM_PEGASOS
  'seed-alpha': 1, // SGD_SVM_SEED_ALPHA
  paper: 2, // SGD_SVM_PAPER
} as const;

/** Slots of the packed scalar state (enum SGD_SVM_S_*); rng words are RNG0 .. RNG0+3. */
export const STATE_SLOT = {
  SGD_SVM_S_SCALE: 0,
  SGD_SVM_S_BIAS: 1,
  SGD_SVM_S_T: 2,
  SGD_SVM_S_EPOCH: 3,
  SGD_SVM_S_POS: 4,
  SGD_SVM_S_RNG0: 5,
  SGD_SVM_S_AVG_DIV: 9,
  SGD_SVM_S_AVG_WFRAC: 10,
  SGD_SVM_S_AVG_BIAS: 11,
  SGD_SVM_STATE_SCALARS: 12,
} as const;

/** Field order of struct sgd_svm_options (8 doubles). */
export const OPTION_FIELDS = [
  'lambda',
  'batch_size',
  'schedule',
  'shuffle',
  'averaged',
  'average_start',
  'bias_scale',
  'seed',
] as const;
