// SPDX-License-Identifier: MIT
// The public entry `anyml` (browsers, workers, Node): the SVM, data parsing, image codecs, metrics and the tomography
// simulator. It loads no tfjs, onnxruntime or h5wasm: TomoGAN is `anyml/tomogan`; files by path are `anyml/node`.

export * from './errors.js';
export type { CsrMatrix, Dataset, DenseMatrix, Image, Matrix } from './types.js';
export { trainSvm, DEFAULT_LAMBDA_GRID } from './svm/train.js';
export { SvmModel } from './svm/model.js';
export type { SvmModelInit } from './svm/model.js';
export type { EpochRecord, SparseWeights, SvmEvaluation, SvmModelJson, SvmOptions, SvmProgress, TrainTiming, Schedule } from './svm/types.js';
export { registerSvmBackend, svmBackends } from './svm/backends/index.js';
export type { SvmBackend, Solver, SolverOptions, SolverState } from './svm/solver.js';
export { makeClassification } from './svm/synthetic.js';
export type { SyntheticOptions, SyntheticSplitOptions } from './svm/synthetic.js';
export { subsetDataset } from './svm/data.js';
export { parseLibsvm } from './io/libsvm.js';
export { parseLibsvmWasm } from './io/libsvm_wasm.js';
export type { LibsvmOptions, LibsvmResult } from './io/libsvm.js';
export { createSvmStream, trainSvmStream } from './svm/stream.js';
export type { SvmStream, SvmStreamOptions, SvmStreamTrainOptions } from './svm/stream.js';
export { libsvmWindows } from './io/windows.js';
export type { LibsvmWindowsOptions, LineSource } from './io/windows.js';
export { parseCsv } from './io/csv.js';
export type { CsvOptions, CsvResult } from './io/csv.js';
export { hasSimd, loadCore } from './backends/wasm/loader.js';
export { KERNELS } from './kernels/index.js';
export { BackendRegistry } from './backends/registry.js';
export type { Availability, BackendEntry, Skipped, Unavailable } from './backends/registry.js';
export { decodeImage, encodeImage, scaleToUint8Range, unscale, percentile, checkImage, sniffImageFormat } from './io/image.js';
export type { ImageFormat, ImageEncodeFormat, DecodeImageOptions, EncodeImageOptions, ScaleOptions } from './io/image.js';
export { parseNpy, formatNpy } from './io/npy.js';
export type { NpyArray, NpyData, NpyDtype } from './io/npy.js';
export { mse, psnr, ssim } from './tomo/metrics.js';
export type { MetricInput, PixelArray, PlainImage, PsnrOptions, SsimOptions, SsimResult } from './tomo/metrics.js';
export { phantom, phantomStack, radon, anglesFor, fbp, sirt, simulateLowDose } from './tomo/index.js';
export type { PhantomKind, PhantomOptions, Sinogram, AngleList, FbpFilter, FbpOptions, Reconstruction, SimulateOptions, SimulateResult, SirtOptions } from './tomo/index.js';
export * from './quant/index.js';
export { convInt8Wasm, loadQ8Core } from './kernels/q8_conv2d.js';
export * from './host/index.js';
