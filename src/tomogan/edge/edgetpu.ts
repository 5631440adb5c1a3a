// SPDX-License-Identifier: MIT
// The `edgetpu` edge runtime (Node only, exported from 'anyml/node'): the generator's tiles on a Coral Edge TPU
// through libedgetpu's TFLite external delegate, over the edgetpu_compiler output of `anyml tomogan export x.tflite
// --int8` (docs/edgetpu.md); the fine-tune network and every other shape on the plain TFLite CPU interpreter.
import { InvalidInputError } from '../../errors.js';
import type { QuantizedGraph } from '../../quant/quantize.js';
import { openTflite, type TfliteInterpreter } from '../../quant/tflite_c.js';
import { readTflite, tensorTypeName, type TfliteTensor } from '../../quant/tflite_read.js';
import type { TomoganEdgeModel } from './pipeline.js';
import { edgeRuntimes, type EdgeRuntime, perTile, registerEdgeRuntime, tfliteRuntime } from './runtimes.js';

/** An Edge TPU as libedgetpu's `device` option names it: the first of a kind, or the N-th (from 0). */
export interface EdgeTpuDevice {
  type: 'usb' | 'pci';
  index?: number;
  /** The `device` option for the delegate: 'usb', 'usb:0', 'pci', 'pci:1'. */
  option: string;
}

/** 'usb', 'usb:N', 'pci' or 'pci:N' (N a non-negative integer) → the device; anything else is InvalidInputError. */
export function parseEdgeTpuDevice(s: string): EdgeTpuDevice {
  const m = typeof s === 'string' ? /^(usb|pci)(?::(\d+))?$/.exec(s) : null;
  if (!m || (m[2] !== undefined && !Number.isSafeInteger(Number(m[2]))))
    throw new InvalidInputError('edgetpu device', typeof s === 'string' ? JSON.stringify(s) : String(s), 'usb, usb:N, pci or pci:N');
  const type = m[1] as 'usb' | 'pci';
  if (m[2] === undefined) return { type, option: type };
  const index = Number(m[2]);
  return { type, index, option: `${type}:${index}` };
}

/** The delegate library: `explicit`, else $ANYML_EDGETPU_LIB, else the Edge TPU runtime's name for the dynamic loader. */
export function findEdgeTpuLibrary(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.ANYML_EDGETPU_LIB) return process.env.ANYML_EDGETPU_LIB;
  if (process.platform === 'darwin') return 'libedgetpu.1.dylib';
  return process.platform === 'win32' ? 'edgetpu.dll' : 'libedgetpu.so.1';
}

/** What the compiled tile model is: its fixed input shape and whether edgetpu_compiler produced it. */
export interface EdgeTpuModelInfo {
  height: number;
  width: number;
  channels: number;
  /** The file has the `edgetpu-custom-op` op; false: it was not compiled and runs wholly on the CPU. */
  compiledForEdgeTpu: boolean;
}

const INT8 = 9; // TensorType INT8 (tensorflow/lite/schema/schema.fbs)
const typeAndShape = (t: TfliteTensor | undefined) => (t ? `${tensorTypeName(t.type)} ${t.shape.join('×')}` : 'no tensor');
const sameScale = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.abs(b);

/**
 * Checks that `compiled` is the tile model of `edge` (int8 1×tile×tile×C in, 1×tile×tile×1 out with the tile
 * graph's output scale and zero point); throws InvalidInputError naming the file's shape and the expected one.
 */
export function checkEdgeTpuModel(edge: TomoganEdgeModel, compiled: Uint8Array, name = 'edgetpu model'): EdgeTpuModelInfo {
  const q = edge.tomogan.quantized;
  const file = readTflite(compiled, name);
  const sg = file.subgraphs[0];
  const c = q.graph.tensors[q.graph.input].channels;
  const from = 'the tile model of `anyml tomogan export x.tflite --int8`, compiled with edgetpu_compiler';
  const input = sg?.inputs.length === 1 ? sg.tensors[sg.inputs[0]] : undefined;
  if (!input || input.type !== INT8 || input.shape.join('×') !== `1×${edge.tile}×${edge.tile}×${c}`)
    throw new InvalidInputError(`${name}: input`, sg?.inputs.length === 1 ? typeAndShape(input) : `${sg?.inputs.length ?? 0} inputs`, `INT8 1×${edge.tile}×${edge.tile}×${c} (${from})`);
  const output = sg.outputs.length === 1 ? sg.tensors[sg.outputs[0]] : undefined;
  const cout = q.graph.tensors[q.graph.output].channels;
  if (!output || output.type !== INT8 || output.shape.join('×') !== `1×${edge.tile}×${edge.tile}×${cout}`)
    throw new InvalidInputError(`${name}: output`, sg.outputs.length === 1 ? typeAndShape(output) : `${sg.outputs.length} outputs`, `INT8 1×${edge.tile}×${edge.tile}×${cout} (${from})`);
  const p = q.params[q.graph.output];
  const oq = output.quantization;
  if (!oq || oq.scale.length !== 1 || !sameScale(oq.scale[0], p.scale) || oq.zeroPoint[0] !== p.zeroPoint)
    throw new InvalidInputError(`${name}: output quantization`, oq ? `scale ${oq.scale.join(',')} zero point ${oq.zeroPoint.join(',')}` : 'none',
      `scale ${Math.fround(p.scale)} zero point ${p.zeroPoint} (this edge model's: was the file exported from another one?)`);
  const compiledForEdgeTpu = file.operatorCodes.some((o) => o.customCode === 'edgetpu-custom-op');
  return { height: edge.tile, width: edge.tile, channels: c, compiledForEdgeTpu };
}

export interface EdgeTpuRuntimeOptions {
  edge: TomoganEdgeModel;
  /** The *_edgetpu.tflite bytes (edgetpu_compiler's output for the edge model's tile export). */
  compiled: Uint8Array;
  /** 'usb' (default), 'usb:N', 'pci' or 'pci:N'. */
  device?: string;
  /** The delegate library (findEdgeTpuLibrary). */
  library?: string;
  /** The TFLite C library (findTfliteLibrary). */
  tfliteLibrary?: string;
  threads?: number;
}

/** The `edgetpu` runtime; `close` frees its interpreters and the delegate (the device). */
export interface EdgeTpuRuntime extends EdgeRuntime, EdgeTpuModelInfo {
  readonly device: string;
  readonly library: string;
  close(): void;
}

/** Opens the compiled model with the Edge TPU delegate on `device`; rejects when the library or the device is missing. */
export async function createEdgeTpuRuntime(o: EdgeTpuRuntimeOptions): Promise<EdgeTpuRuntime> {
  const info = checkEdgeTpuModel(o.edge, o.compiled);
  const device = parseEdgeTpuDevice(o.device ?? 'usb').option;
  const library = findEdgeTpuLibrary(o.library);
  const base = { library: o.tfliteLibrary, ...(o.threads ? { threads: o.threads } : {}) };
  const tpu = await openTflite(o.compiled, { ...base, delegate: { library, options: { device } } });
  const cpuOpen: TfliteInterpreter[] = [];
  const cpu = tfliteRuntime(async (m) => {
    const it = await openTflite(m, base);
    cpuOpen.push(it);
    return it;
  });
  const tile: QuantizedGraph = o.edge.tomogan.quantized;
  const per = info.height * info.width * info.channels;
  return {
    ...info,
    device,
    library,
    run(q, tiles, n, h, w) {
      if (q === tile && h === info.height && w === info.width) return perTile(tiles, n, per, (x) => tpu.run(x) as Int8Array);
      return cpu.run(q, tiles, n, h, w);
    },
    close() {
      for (const it of cpuOpen.splice(0)) it.close();
      tpu.close();
    },
  };
}

/** What registerEdgeTpuRuntime registered: the checked model and how to take it back. */
export interface EdgeTpuRegistration extends EdgeTpuModelInfo {
  readonly device: string;
  readonly library: string;
  /** Unregisters 'edgetpu' and closes its runtime if it was loaded (frees the device). */
  unregister(): Promise<void>;
}

let current: { loaded?: Promise<EdgeTpuRuntime> } | undefined;

/**
 * Registers edge runtime 'edgetpu' (priority −10: 'auto' never picks it; ask for runtime 'edgetpu'). The file and
 * device are checked now; the delegate is created at the first use. Replaces (and closes) an earlier registration.
 */
export function registerEdgeTpuRuntime(opts: EdgeTpuRuntimeOptions): EdgeTpuRegistration {
  const info = checkEdgeTpuModel(opts.edge, opts.compiled);
  const device = parseEdgeTpuDevice(opts.device ?? 'usb').option;
  const library = findEdgeTpuLibrary(opts.library);
  const close = (r: { loaded?: Promise<EdgeTpuRuntime> }) => r.loaded?.then((rt) => rt.close(), () => undefined);
  if (current) void close(current);
  const mine: { loaded?: Promise<EdgeTpuRuntime> } = {};
  current = mine;
  registerEdgeRuntime({ name: 'edgetpu', priority: -10, load: () => (mine.loaded = createEdgeTpuRuntime({ ...opts, device, library })) });
  return {
    ...info,
    device,
    library,
    async unregister() {
      if (current === mine) (edgeRuntimes.unregister('edgetpu'), (current = undefined));
      await close(mine);
    },
  };
}
