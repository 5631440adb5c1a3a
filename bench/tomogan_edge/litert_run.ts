// SPDX-License-Identifier: MIT
// One compiled LiteRT.js model run on one NHWC image: the input goes in as a wasm Tensor, the output comes back as
// a typed array (moved to wasm first when the model ran on WebGPU). Every LiteRT tensor is deleted here.
import type { CompiledModel, Tensor } from '@litertjs/core';

type LiteRtModule = typeof import('@litertjs/core');

export type LiteRtAccel = 'wasm' | 'webgpu';

const CHATTER = /^(INFO: |I\d{4} )/;

/**
 * Hands the emscripten glue print/printErr that drop LiteRT's INFO lines (warnings and errors still show): the
 * loader passes `self.Module` to the module factory. Call right before loadLiteRt().
 */
export function quietLiteRtLogs(): void {
  const keep = (f: (...a: unknown[]) => void) => (line: string) => void (CHATTER.test(line) || f(line));
  (globalThis as Record<string, unknown>).Module = { print: keep(console.log), printErr: keep(console.warn) };
}

/** Compiles `bytes` for `accelerator`; `fully` says whether LiteRT.js delegated every op there. */
export async function compile(lr: LiteRtModule, bytes: Uint8Array, accelerator: LiteRtAccel): Promise<{ model: CompiledModel; fully: boolean }> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => (warnings.push(a.map(String).join(' ')), warn(...a));
  try {
    const model = await lr.loadAndCompile(bytes, { accelerator });
    const fully = (model as unknown as { isFullyAccelerated: boolean }).isFullyAccelerated;
    if (warnings.length) console.log(`LiteRT.js compile (${accelerator}) warned: ${warnings.join(' | ')}`);
    return { model, fully };
  } finally {
    console.warn = warn;
  }
}

/** Runs the float `model` on `x` ([1, h, w, 1]); the output values. (int8 I/O: litert_int8.ts.) */
export async function runModel(lr: LiteRtModule, model: CompiledModel, x: Float32Array, h: number, w: number): Promise<Float32Array> {
  const input = new lr.Tensor(x, [1, h, w, 1]);
  let outs: Tensor[] = [];
  try {
    outs = await model.run(input);
    const out = outs[0];
    if (out.accelerator === 'wasm') return out.toTypedArray().slice() as Float32Array;
    const onWasm = await out.moveTo('wasm');
    try {
      return onWasm.toTypedArray().slice() as Float32Array;
    } finally {
      onWasm.delete();
    }
  } finally {
    input.delete();
    for (const t of outs) if (!t.deleted) t.delete();
  }
}
