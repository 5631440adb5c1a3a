// SPDX-License-Identifier: MIT
// The public entry `anyml/tomogan` (browsers, workers, Node): the TomoGAN generator on tfjs (webgpu, wasm, cpu) and,
// in Node, onnxruntime-node (`native`); weights, tiled denoising, training, ONNX export and Keras import. Images,
// metrics and the simulator it works with come from `anyml`.

export { createGenerator, Generator, layerSpecs, saveWeights, loadWeights, generatorFromWeights, DECODER_WIDTHS } from './model.js';
export type { DecoderWidths, ConvSpec, ConvWeights, GeneratorConfig, CreateGeneratorOptions, TomoganModelJson, SavedWeights, WeightEntry, LoadWeightsOptions } from './model.js';
export { denoise, DEFAULT_TILE } from './denoise.js';
export type { DenoiseOptions, DenoiseResult, DenoiseScale } from './denoise.js';
export { nativeAvailable } from './backends/native.js';
export { loadDefaultWeights, loadShippedWeights, defaultWeightsUrl, DEFAULT_WEIGHTS_NAME, DEFAULT_3SLICE_WEIGHTS_NAME, SHIPPED_WEIGHTS } from './default_weights.js';
export type { ShippedWeightsName } from './default_weights.js';
export { trainTomogan, encodeCheckpoint, decodeCheckpoint, generatorFromCheckpoint } from './train/train.js';
export type { TrainTomoganOptions, TrainRecord, TrainCheckpoint, TrainResult, TrainingPair } from './train/train.js';
export { simulatedPairs } from './train/dataset.js';
export type { SimulatedPairsOptions, SimulatedPair } from './train/dataset.js';
export { registerWasmTrainingKernels } from './train/wasm_kernels.js';
export { registerTomoganBackend, setWasmThreads, tomoganBackends, webgpuAdapterInfo } from './backends/index.js';
export type { ForwardOptions, TomoganBackend } from './backends/index.js';
export type { BackendChoice, TensorLike, TomoganBackendName, WebgpuAdapterInfo } from './types.js';
export { TOMOGAN_BACKENDS } from './types.js';
export { planTiles, padTo8, DEFAULT_HALO, RECEPTIVE_REACH } from './tiling.js';
export type { Tile } from './tiling.js';
export { exportOnnx, onnxIrVersion, ONNX_INPUT, ONNX_OUTPUT } from './onnx.js';
export type { ExportOnnxOptions } from './onnx.js';
export { importKerasH5 } from './keras.js';
export type { ImportKerasOptions } from './keras.js';
export { quantizeTomogan, quantizeFinetune } from './edge/build.js';
export type { QuantizeTomoganFullOptions, FinetuneOptions } from './edge/build.js';
export type { QuantizeTomoganOptions, SimulatedCalibration } from './edge/quantize.js';
export { DEFAULT_CALIBRATION } from './edge/quantize.js';
export { runEdge, runEdgeFullFrame, isEdgeModel, FINETUNE_CORE } from './edge/pipeline.js';
export type { TomoganEdgeModel, EdgeStageTimes, RunEdgeOptions, RunEdgeResult } from './edge/pipeline.js';
export { createFinetune, finetuneGraph, DEFAULT_FINETUNE } from './edge/finetune.js';
export type { FinetuneConfig, FinetuneWeights } from './edge/finetune.js';
export { trainFinetune } from './edge/finetune_train.js';
export type { FinetunePair, TrainFinetuneOptions, TrainFinetuneResult } from './edge/finetune_train.js';
export { edgeRuntimes, registerEdgeRuntime } from './edge/runtimes.js';
export type { EdgeRuntime } from './edge/runtimes.js';
export { edgeModelToJson, edgeModelFromJson, loadDefaultEdgeModel, defaultEdgeUrl, DEFAULT_EDGE_NAME, DEFAULT_EDGE_BASE, EDGE_FORMAT } from './edge/model_file.js';
export type { EdgeModelJson } from './edge/model_file.js';
export { generatorGraph } from './graph.js';
export { exportTflite } from './edge/export.js';
export type { ExportTfliteOptions } from './edge/export.js';
export { exportEdgeOnnx } from './edge/export_onnx.js';
export type { ExportEdgeOnnxOptions } from './edge/export_onnx.js';
export { edgeQuality, edgeVariants, EDGE_VARIANTS } from './edge/report.js';
export type { EdgeQuality, EdgeVariant } from './edge/report.js';
export { needsScaling } from './denoise.js';
export { registerLiteRtBackend } from './backends/litert.js';
export type { LiteRtLike, LiteRtTensorLike, LiteRtBackendOptions } from './backends/litert.js';
export { threeSliceFrom } from './depth.js';
export { denoiseVolume } from './volume.js';
export type { DenoiseVolumeOptions, DenoiseVolumeResult, VolumeProgress, VolumeSink, VolumeSource, VolumeInput } from './volume.js';
