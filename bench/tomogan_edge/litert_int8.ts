// SPDX-License-Identifier: MIT
// anyml's full-int8 .tflite (int8 input and output) on LiteRT.js. The public API refuses it: @litertjs/core 2.5.3
// maps only float32, int32 and uint8 to typed arrays, so loadAndCompile throws "Element type INT8 is not supported."
// from makeTensorDetails (after the wasm side compiled the model fine). This file drives the same embind objects
// loadAndCompile and Tensor use (getGlobalLiteRt().liteRtWasm: loadModel, compileModel, LiteRtTensorBuffer),
// with element type INT8. Internal API: checked against 2.5.3 only.
import type { CompiledModel } from '@litertjs/core';

type LiteRtModule = typeof import('@litertjs/core');
const INT8 = 9; // litert::ElementType::kInt8

/** The embind surface used here (typed loosely: @litertjs/core does not export these declarations). */
interface Wasm {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  loadModel(env: unknown, ptr: number, n: number): { delete(): void };
  compileModel(env: unknown, model: unknown, opts: unknown): Raw | Promise<Raw>;
  VectorInt32: new () => { push_back(v: number): void; delete(): void };
  LiteRtLayout: { create(v: unknown): { delete(): void } };
  LiteRtRankedTensorType: { create(e: { value: number }, l: unknown): { delete(): void } };
  LiteRtTensorBuffer: { createManaged(env: unknown, type: unknown, t: unknown, n: number): Buf };
  LiteRtTensorBufferType: { HOST_MEMORY: unknown };
  LiteRtTensorBufferLockMode: { READ: unknown; WRITE: unknown };
  getThreadCount(): number;
}
interface Buf {
  lock(mode: unknown): number;
  unlock(): void;
  packedSize(): number;
  delete(): void;
}
interface Raw {
  run(sig: number, ins: Buf[]): Buf[] | Promise<Buf[]>;
  delete(): void;
}

export interface Int8Runner {
  run(x: Int8Array): Promise<Int8Array>;
  delete(): void;
}

/** Shows that the public API refuses the int8 model: returns loadAndCompile's error text (or 'compiled'). */
export async function publicApiInt8Error(lr: LiteRtModule, bytes: Uint8Array): Promise<string> {
  try {
    const m: CompiledModel = await lr.loadAndCompile(bytes, { accelerator: 'wasm' });
    m.delete();
    return 'compiled';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

function hostBuffer(w: Wasm, env: unknown, shape: number[], bytes: number): Buf {
  const dims = new w.VectorInt32();
  for (const d of shape) dims.push_back(d);
  const layout = w.LiteRtLayout.create(dims);
  dims.delete();
  const type = w.LiteRtRankedTensorType.create({ value: INT8 }, layout);
  layout.delete();
  const b = w.LiteRtTensorBuffer.createManaged(env, w.LiteRtTensorBufferType.HOST_MEMORY, type, bytes);
  type.delete();
  return b;
}

/** Compiles the int8 model `bytes` for the wasm accelerator; `run` takes [1, h, w, c] int8 codes, gives the output's. */
export async function compileInt8(lr: LiteRtModule, bytes: Uint8Array, h: number, w: number, c = 1): Promise<Int8Runner> {
  const wasm = (lr.getGlobalLiteRt() as unknown as { liteRtWasm: Wasm }).liteRtWasm;
  const environment = lr.getDefaultEnvironment();
  const env = (environment as unknown as { liteRtEnvironment: unknown }).liteRtEnvironment;
  const ptr = wasm._malloc(bytes.byteLength);
  wasm.HEAPU8.set(bytes, ptr);
  const model = wasm.loadModel(env, ptr, bytes.byteLength);
  const opts = { environment, accelerator: 'wasm', cpuOptions: { numThreads: wasm.getThreadCount() }, gpuOptions: {}, webNNOptions: {} };
  const compiled = await wasm.compileModel(env, model, opts);
  const run = async (x: Int8Array): Promise<Int8Array> => {
    const input = hostBuffer(wasm, env, [1, h, w, c], x.length);
    wasm.HEAPU8.set(new Uint8Array(x.buffer, x.byteOffset, x.length), input.lock(wasm.LiteRtTensorBufferLockMode.WRITE));
    input.unlock();
    const outs = await compiled.run(0, [input]);
    input.delete();
    const p = outs[0].lock(wasm.LiteRtTensorBufferLockMode.READ);
    const y = new Int8Array(wasm.HEAPU8.slice(p, p + outs[0].packedSize()).buffer);
    outs[0].unlock();
    for (const o of outs) o.delete();
    return y;
  };
  const del = () => (compiled.delete(), model.delete(), wasm._free(ptr));
  return { run, delete: del };
}
