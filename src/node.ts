// SPDX-License-Identifier: MIT
// The Node-only entry `anyml/node`: datasets and images by file path, and atomic file writes. Everything else is
// imported from `anyml` (and `anyml/tomogan`), which work in Node as they are. Also the TFLite C interpreter and the
// Edge TPU runtime (both native libraries through koffi).

export { readDataset } from './io/node.js';
export type { ReadDatasetOptions, ReadDatasetResult } from './io/node.js';
export { writeFileAtomic } from './io/atomic.js';
export { readImage, writeImage, imageFormatFromPath } from './io/node_image.js';
export type { ReadImageOptions, WriteImageOptions } from './io/node_image.js';
export { openTflite, findTfliteLibrary } from './quant/tflite_c.js';
export type { TfliteInterpreter, TfliteTensorInfo, OpenTfliteOptions } from './quant/tflite_c.js';
export type { TfliteDelegateSpec } from './quant/tflite_c.js';
export { parseEdgeTpuDevice, findEdgeTpuLibrary, checkEdgeTpuModel, createEdgeTpuRuntime, registerEdgeTpuRuntime } from './tomogan/edge/edgetpu.js';
export type { EdgeTpuDevice, EdgeTpuModelInfo, EdgeTpuRuntime, EdgeTpuRuntimeOptions, EdgeTpuRegistration } from './tomogan/edge/edgetpu.js';
export { openVolume, openVolumeOutput, partialName } from './io/volume_files.js';
export type { OpenedVolume, VolumeOutput, OutputSpec as VolumeOutputSpec } from './io/volume_files.js';
