// SPDX-License-Identifier: MIT
// The TFLite C library (tensorflow/lite/c/c_api.h) called through koffi, an optional dependency: the real TFLite
// interpreter that anyml's .tflite files and int8 reference are checked against, and the `tflite` edge runtime in Node.
// The library is `options.library`, else $ANYML_TFLITE_LIB, else the copy the npm package tfjs-tflite-node ships.
// `options.delegate` adds an external delegate (libedgetpu.so.1) through the plugin ABI tflite_runtime's
// load_delegate uses (tensorflow/lite/delegates/external/external_delegate.h).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AnymlError, InvalidInputError } from '../errors.js';

type Fn = (...args: unknown[]) => unknown;
/** The part of koffi's API used here. */
interface Koffi {
  load(path: string): { func(signature: string): unknown };
  proto(signature: string): unknown;
}
interface Api {
  version: string;
  ModelCreate: Fn;
  ModelDelete: Fn;
  OptionsCreate: Fn;
  OptionsSetNumThreads: Fn;
  OptionsDelete: Fn;
  InterpreterCreate: Fn;
  InterpreterDelete: Fn;
  AllocateTensors: Fn;
  GetInputTensor: Fn;
  GetOutputTensor: Fn;
  Invoke: Fn;
  CopyFromBuffer: Fn;
  CopyToBuffer: Fn;
  ByteSize: Fn;
  NumDims: Fn;
  Dim: Fn;
  Type: Fn;
  OptionsAddDelegate: Fn;
}

/** TfLiteType codes (tensorflow/lite/c/c_api_types.h), which differ from the schema's TensorType. */
export const TFLITE_FLOAT32 = 1;
export const TFLITE_INT8 = 9;

const PLATFORM_DIRS: Record<string, string> = { 'linux-x64': 'linux_amd64', 'linux-arm64': 'linux_arm64', 'darwin-arm64': 'darwin_arm64' };

/** Where the TFLite C library is looked for, first match wins; undefined when none is found. */
export function findTfliteLibrary(explicit?: string): string | undefined {
  if (explicit) return explicit;
  if (process.env.ANYML_TFLITE_LIB) return process.env.ANYML_TFLITE_LIB;
  const dir = PLATFORM_DIRS[`${process.platform}-${process.arch}`];
  if (!dir) return undefined;
  try {
    const root = dirname(createRequire(import.meta.url).resolve('tfjs-tflite-node/package.json'));
    const lib = join(root, 'cc_deps', dir, process.platform === 'darwin' ? 'libtensorflowlite_c.dylib' : 'libtensorflowlite_c.so');
    return existsSync(lib) ? lib : undefined;
  } catch {
    return undefined;
  }
}

const apis = new Map<string, Promise<Api>>();

async function importKoffi(): Promise<Koffi> {
  try {
    const mod = (await import('koffi')) as unknown as Koffi & { default?: Koffi };
    return mod.default ?? mod;
  } catch (cause) {
    throw new AnymlError('RUNTIME_UNAVAILABLE', "the TFLite runtime needs the optional dependency 'koffi' (npm install koffi)", { cause });
  }
}

/** koffi.load, or RUNTIME_UNAVAILABLE naming `what`, the path, the loader's reason and `hint`. */
function loadLibrary(koffi: Koffi, path: string, what: string, hint = ''): ReturnType<Koffi['load']> {
  try {
    return koffi.load(path);
  } catch (cause) {
    throw new AnymlError('RUNTIME_UNAVAILABLE', `cannot load ${what} '${path}': ${(cause as Error).message}${hint && ` (${hint})`}`, { cause });
  }
}

async function bind(path: string): Promise<Api> {
  const koffi = await importKoffi();
  const lib = loadLibrary(koffi, path, 'the TFLite C library');
  const f = (sig: string) => lib.func(sig) as Fn;
  return {
    version: (f('const char* TfLiteVersion()')() as string) ?? '?',
    ModelCreate: f('void* TfLiteModelCreate(const void* data, size_t size)'),
    ModelDelete: f('void TfLiteModelDelete(void* model)'),
    OptionsCreate: f('void* TfLiteInterpreterOptionsCreate()'),
    OptionsSetNumThreads: f('void TfLiteInterpreterOptionsSetNumThreads(void* options, int32_t n)'),
    OptionsDelete: f('void TfLiteInterpreterOptionsDelete(void* options)'),
    InterpreterCreate: f('void* TfLiteInterpreterCreate(void* model, void* options)'),
    InterpreterDelete: f('void TfLiteInterpreterDelete(void* interpreter)'),
    AllocateTensors: f('int TfLiteInterpreterAllocateTensors(void* interpreter)'),
    GetInputTensor: f('void* TfLiteInterpreterGetInputTensor(void* interpreter, int32_t i)'),
    GetOutputTensor: f('void* TfLiteInterpreterGetOutputTensor(void* interpreter, int32_t i)'),
    Invoke: f('int TfLiteInterpreterInvoke(void* interpreter)'),
    CopyFromBuffer: f('int TfLiteTensorCopyFromBuffer(void* tensor, const void* data, size_t size)'),
    CopyToBuffer: f('int TfLiteTensorCopyToBuffer(void* tensor, void* data, size_t size)'),
    ByteSize: f('size_t TfLiteTensorByteSize(void* tensor)'),
    NumDims: f('int32_t TfLiteTensorNumDims(void* tensor)'),
    Dim: f('int32_t TfLiteTensorDim(void* tensor, int32_t i)'),
    Type: f('int TfLiteTensorType(void* tensor)'),
    OptionsAddDelegate: f('void TfLiteInterpreterOptionsAddDelegate(void* options, void* delegate)'),
  };
}

function api(library?: string): Promise<Api> {
  const path = findTfliteLibrary(library);
  if (!path)
    return Promise.reject(new AnymlError('RUNTIME_UNAVAILABLE', 'no TFLite C library found: pass options.library, set ANYML_TFLITE_LIB, or install tfjs-tflite-node'));
  let p = apis.get(path);
  if (!p) apis.set(path, (p = bind(path)));
  p.catch(() => apis.delete(path));
  return p;
}

/** The plugin functions of an external delegate library: create from key/value options, destroy. */
interface DelegateApi {
  create: Fn;
  destroy: Fn;
}
const delegateApis = new Map<string, Promise<DelegateApi>>();
let reportErrorDeclared = false;

async function bindDelegate(path: string): Promise<DelegateApi> {
  const koffi = await importKoffi();
  const hint = 'for the Edge TPU, install the Edge TPU runtime libedgetpu1-std (https://coral.ai/software/#debian-packages) or set ANYML_EDGETPU_LIB';
  const lib = loadLibrary(koffi, path, 'the TFLite delegate library', hint);
  if (!reportErrorDeclared) koffi.proto('void AnymlTfliteDelegateReportError(const char* message)');
  reportErrorDeclared = true;
  try {
    return {
      create: lib.func('void* tflite_plugin_create_delegate(char** options_keys, char** options_values, size_t num_options, AnymlTfliteDelegateReportError* report_error)') as Fn,
      destroy: lib.func('void tflite_plugin_destroy_delegate(void* delegate)') as Fn,
    };
  } catch (cause) {
    throw new AnymlError('RUNTIME_UNAVAILABLE', `'${path}' is not a TFLite external delegate (no tflite_plugin_create_delegate / tflite_plugin_destroy_delegate): ${(cause as Error).message}`, { cause });
  }
}

/** A created delegate and how to free it (after the interpreter that uses it is deleted). */
interface Delegate {
  ptr: unknown;
  destroy(): void;
}

/** tflite_plugin_create_delegate with `spec.options`; its report_error messages go into the error when it returns NULL. */
async function createDelegate(spec: TfliteDelegateSpec): Promise<Delegate> {
  let d = delegateApis.get(spec.library);
  if (!d) delegateApis.set(spec.library, (d = bindDelegate(spec.library)));
  d.catch(() => delegateApis.delete(spec.library));
  const fns = await d;
  const entries = Object.entries(spec.options ?? {});
  const reported: string[] = [];
  // A transient koffi callback: valid while create runs, which is when the plugin ABI calls it.
  const ptr = fns.create(entries.map(([k]) => k), entries.map(([, v]) => v), entries.length, (m: string) => void reported.push(m));
  if (!ptr) {
    const given = entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : 'no options';
    const why = reported.length ? reported.join('; ') : 'it reported no reason';
    const device = spec.options?.device;
    const hint = device === undefined ? '' : ` (no device matches device=${device}, or it is in use or not accessible)`;
    throw new AnymlError('RUNTIME_UNAVAILABLE', `the TFLite delegate '${spec.library}' could not be created with ${given}: ${why}${hint}`);
  }
  let destroyed = false;
  return { ptr, destroy: () => void (destroyed || ((destroyed = true), fns.destroy(ptr))) };
}

/** A tensor's shape and TfLiteType code as the interpreter reports them. */
export interface TfliteTensorInfo {
  shape: number[];
  type: number;
  bytes: number;
}

/** One loaded model with its interpreter; `run` copies the input in, invokes, copies the output out. */
export interface TfliteInterpreter {
  readonly version: string;
  readonly input: TfliteTensorInfo;
  readonly output: TfliteTensorInfo;
  run(input: Int8Array | Float32Array): Int8Array | Float32Array;
  close(): void;
}

/** An external delegate: the library exporting the plugin ABI and the key/value options it is created with. */
export interface TfliteDelegateSpec {
  library: string;
  /** For libedgetpu: { device: 'usb' | 'usb:N' | 'pci' | 'pci:N' }. */
  options?: Record<string, string>;
}

export interface OpenTfliteOptions {
  library?: string;
  /** Interpreter threads (TFLite's default when omitted). */
  threads?: number;
  /** Added with TfLiteInterpreterOptionsAddDelegate before the interpreter is created; destroyed by close(). */
  delegate?: TfliteDelegateSpec;
}

function info(a: Api, t: unknown): TfliteTensorInfo {
  const n = a.NumDims(t) as number;
  return { shape: Array.from({ length: n }, (_, i) => a.Dim(t, i) as number), type: a.Type(t) as number, bytes: Number(a.ByteSize(t)) };
}

/** Loads a .tflite file into the TFLite C interpreter, with `options.delegate` when given. */
export async function openTflite(model: Uint8Array, options: OpenTfliteOptions = {}): Promise<TfliteInterpreter> {
  const a = await api(options.library);
  const delegate = options.delegate ? await createDelegate(options.delegate) : undefined;
  try {
    return interpreter(a, model, options, delegate);
  } catch (e) {
    delegate?.destroy();
    throw e;
  }
}

/** The model and interpreter; on failure frees what it made (the caller frees the delegate). */
function interpreter(a: Api, model: Uint8Array, options: OpenTfliteOptions, delegate: Delegate | undefined): TfliteInterpreter {
  const data = Buffer.from(model); // TfLiteModelCreate keeps a pointer: this copy lives as long as the interpreter
  const m = a.ModelCreate(data, data.length);
  if (!m) throw new InvalidInputError('openTflite: model', `${model.length} bytes TFLite could not parse`, 'a valid .tflite flatbuffer');
  const o = a.OptionsCreate();
  if (options.threads) a.OptionsSetNumThreads(o, options.threads);
  if (delegate) a.OptionsAddDelegate(o, delegate.ptr);
  const it = a.InterpreterCreate(m, o);
  a.OptionsDelete(o);
  if (!it || a.AllocateTensors(it) !== 0) {
    if (it) a.InterpreterDelete(it);
    a.ModelDelete(m);
    if (delegate) throw new AnymlError('RUNTIME_FAILED', `TFLite could not prepare the model with the delegate '${options.delegate!.library}' (see its message above)`);
    throw new InvalidInputError('openTflite: model', 'a model TFLite refused to prepare (see its message above)', 'ops and tensors TFLite supports');
  }
  const tin = a.GetInputTensor(it, 0);
  const tout = a.GetOutputTensor(it, 0);
  const input = info(a, tin);
  const output = info(a, tout);
  let closed = false;
  return {
    version: a.version,
    input,
    output,
    run(x) {
      if (closed) throw new AnymlError('CLOSED', 'openTflite: the interpreter was closed');
      if (x.byteLength !== input.bytes) throw new InvalidInputError('TfliteInterpreter.run: input', `${x.byteLength} bytes`, `${input.bytes} (shape ${input.shape.join('×')})`);
      if (a.CopyFromBuffer(tin, x, x.byteLength) !== 0 || a.Invoke(it) !== 0) throw new AnymlError('RUNTIME_FAILED', 'TFLite failed to run the model');
      const y = output.type === TFLITE_FLOAT32 ? new Float32Array(output.bytes / 4) : new Int8Array(output.bytes);
      a.CopyToBuffer(tout, y, y.byteLength);
      void data;
      return y;
    },
    close() {
      if (closed) return;
      closed = true;
      a.InterpreterDelete(it);
      a.ModelDelete(m);
      delegate?.destroy(); // after the interpreter: TfLiteInterpreterDelete does not free delegates (c_api.h)
    },
  };
}
