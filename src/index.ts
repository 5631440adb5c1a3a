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
export { decodeImage, encodeImage, scaleToUint8Range, unscale, percentile, checkImage, sniffImageFormat } from './io/image.js';
export type { ImageFormat, ImageEncodeFormat, DecodeImageOptions, EncodeImageOptions, ScaleOptions } from './io/image.js';
export type { Image } from './tomogan/image.js';
export { createGenerator, Generator, layerSpecs, upsample2x, saveWeights, loadWeights, generatorFromWeights, DECODER_WIDTHS } from './tomogan/model.js';
export type { DecoderWidths, ConvSpec, ConvWeights, GeneratorConfig, CreateGeneratorOptions, TomoganModelJson, SavedWeights, WeightEntry, LoadWeightsOptions } from './tomogan/model.js';
export { denoise, DEFAULT_TILE } from './tomogan/denoise.js';
export type { DenoiseOptions, DenoiseResult } from './tomogan/denoise.js';
export { planTiles, padTo8, DEFAULT_HALO, RECEPTIVE_REACH } from './tomogan/tiling.js';
export type { Tile } from './tomogan/tiling.js';
export { parseNpy, formatNpy } from './io/npy.js';
export type { NpyArray, NpyData, NpyDtype } from './io/npy.js';
export { mse, psnr, ssim } from './tomogan/metrics.js';
export type { MetricInput, PixelArray, PlainImage, PsnrOptions, SsimOptions, SsimResult } from './tomogan/metrics.js';
