// SPDX-License-Identifier: MIT
// The public entry of anyml (browsers, workers and Node). Node-only helpers live in `anyml/node`.

export * from './errors.js';
export type { CsrMatrix, Dataset, DenseMatrix, Matrix } from './types.js';
export { trainSvm, DEFAULT_LAMBDA_GRID } from './svm/train.js';
export { SvmModel } from './svm/model.js';
export type { SvmModelInit } from './svm/model.js';
export type { EpochRecord, SvmEvaluation, SvmModelJson, SvmOptions, SvmProgress, TrainTiming, Schedule } from './svm/types.js';
export { registerSvmBackend, svmBackends } from './svm/backends.js';
export type { SvmEngine, Solver, SolverOptions, SolverState, EngineName } from './svm/engine.js';
export { makeClassification } from './svm/synthetic.js';
export type { SyntheticOptions } from './svm/synthetic.js';
export { subsetDataset } from './svm/data.js';
export { parseLibsvm } from './io/libsvm.js';
export { createSvmStream, trainSvmStream } from './svm/stream.js';
export type { SvmStream, SvmStreamOptions, SvmStreamTrainOptions } from './svm/stream.js';
export { libsvmWindows } from './io/windows.js';
export type { LibsvmWindowsOptions, LineSource } from './io/windows.js';
export { parseCsv } from './io/csv.js';
export { hasSimd, loadCore } from './backends/wasm/loader.js';
export { KERNELS } from './kernels/index.js';
export { BackendRegistry } from './backends/registry.js';
export type { BackendEntry } from './backends/registry.js';
