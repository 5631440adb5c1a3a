// SPDX-License-Identifier: MIT
// Full-int8 quantization (TFLite's 8-bit specification), the int8 reference inference, and the .tflite / ONNX-QDQ
// writers and checks, for any quant/graph.ts graph (TomoGAN's is src/tomogan/graph.ts).
export { checkGraph, graphMacs, opInputs, sizeMultiple } from './graph.js';
export type { Graph, GraphOp, GraphTensor, ConvOp, MaxPoolOp, UpsampleOp, ConcatOp, AddOp } from './graph.js';
export { RangeStats } from './ranges.js';
export type { RangeMethod, TensorRange } from './ranges.js';
export { quantizeGraph, quantizeConv } from './quantize.js';
export type { QuantizedGraph, QuantizedConv, QuantizeGraphOptions } from './quantize.js';
export { chooseParams, quantizeMultiplier, multiplyByQuantizedMultiplier } from './spec.js';
export type { QParams } from './spec.js';
export { runInt8, prepareOps, quantizeArray, dequantizeArray } from './reference.js';
export type { ConvKernel } from './reference.js';
export { convInt8 } from './kernels.js';
export type { ConvInt8 } from './kernels.js';
export { writeTflite } from './tflite.js';
export type { TfliteWriteOptions } from './tflite.js';
export { readTflite, builtinOperatorName, tensorTypeName } from './tflite_read.js';
export type { TfliteModel, TfliteTensor, TfliteOperator, TfliteSubgraph, TfliteQuantization, TfliteOperatorCode } from './tflite_read.js';
export { checkEdgeTpu, EDGE_TPU_OPS, DEFAULT_MAX_ACTIVATION_BYTES } from './edgetpu.js';
export type { EdgeTpuIssue, EdgeTpuIssueKind, EdgeTpuReport, EdgeTpuCheckOptions } from './edgetpu.js';
export { writeOnnxQdq, onnxNodeCounts, QDQ_INPUT, QDQ_OUTPUT } from './onnx_qdq.js';
export type { OnnxQdqOptions } from './onnx_qdq.js';
