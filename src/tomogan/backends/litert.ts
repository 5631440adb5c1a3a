// SPDX-License-Identifier: MIT
// The `litert` TomoGAN backend: Google's LiteRT.js (@litertjs/core) running anyml's float .tflite export
// (src/quant/tflite.ts) on its wasm (XNNPACK) or WebGPU accelerator. Measured faster than tfjs-wasm and
// tfjs-webgpu in Chromium (docs/tomogan-edge.md "LiteRT.js"), but 9.4 MB of wasm and browser-only, so it is opt in:
// the page loads LiteRT.js itself and hands the module to registerLiteRtBackend (anyml never imports it).
import { writeTflite } from '../../quant/tflite.js';
import { generatorGraph } from '../graph.js';
import type { Generator } from '../model.js';
import { tomoganBackends, type TomoganBackend } from './registry.js';

/** A LiteRT.js tensor, as far as this backend uses it. */
export interface LiteRtTensorLike {
  readonly accelerator: string;
  readonly deleted: boolean;
  delete(): void;
  toTypedArray(): ArrayLike<number>;
  moveTo(accelerator: 'wasm'): Promise<LiteRtTensorLike>;
}

/** The parts of the @litertjs/core module this backend uses, after the page's `await loadLiteRt(wasmDir)`. */
export interface LiteRtLike {
  loadAndCompile(model: Uint8Array, options: { accelerator: 'wasm' | 'webgpu' }): Promise<{ run(input: LiteRtTensorLike): Promise<LiteRtTensorLike[]>; delete(): void }>;
  Tensor: new (data: Float32Array, shape: number[]) => LiteRtTensorLike;
}

export interface LiteRtBackendOptions {
  /** 'wasm' (default) or 'webgpu'. */
  accelerator?: 'wasm' | 'webgpu';
  /** Registry name (default 'litert'). */
  name?: string;
  /** Registry priority (default −1: chosen by name only, never by 'auto'). */
  priority?: number;
  /** Core tile in px (default 512: one compiled model per window size). */
  tile?: number;
}

type Compiled = Awaited<ReturnType<LiteRtLike['loadAndCompile']>>;

async function readOut(t: LiteRtTensorLike): Promise<Float32Array> {
  if (t.accelerator === 'wasm') return Float32Array.from(t.toTypedArray());
  const w = await t.moveTo('wasm');
  try {
    return Float32Array.from(w.toTypedArray());
  } finally {
    w.delete();
  }
}

function backend(lr: LiteRtLike, accelerator: 'wasm' | 'webgpu', tile: number): TomoganBackend {
  const models = new WeakMap<Generator, Map<string, Promise<Compiled>>>();
  const compiled = (gen: Generator, h: number, w: number) => {
    let byShape = models.get(gen);
    if (!byShape) models.set(gen, (byShape = new Map()));
    let m = byShape.get(`${h}x${w}`);
    if (!m) byShape.set(`${h}x${w}`, (m = lr.loadAndCompile(writeTflite(generatorGraph(gen), { height: h, width: w }), { accelerator })));
    return m;
  };
  return {
    tile,
    activate: async () => {},
    async forward(gen, windows, n, th, tw) {
      const m = await compiled(gen, th, tw);
      const per = th * tw * gen.depth;
      const out = new Float32Array(n * th * tw);
      for (let i = 0; i < n; i++) {
        const input = new lr.Tensor(windows.slice(i * per, (i + 1) * per), [1, th, tw, gen.depth]);
        let outs: LiteRtTensorLike[] = [];
        try {
          outs = await m.run(input);
          out.set(await readOut(outs[0]), i * th * tw);
        } finally {
          input.delete();
          for (const t of outs) if (!t.deleted) t.delete();
        }
      }
      return out;
    },
  };
}

/**
 * Registers LiteRT.js as a TomoGAN backend; then `denoise(img, { model, backend: 'litert' })`.
 * @example import * as lr from '@litertjs/core'; await lr.loadLiteRt('/litert-wasm/'); registerLiteRtBackend(lr);
 */
export function registerLiteRtBackend(lr: LiteRtLike, opts: LiteRtBackendOptions = {}): void {
  const accelerator = opts.accelerator ?? 'wasm';
  const tile = opts.tile ?? 512;
  tomoganBackends.register({ name: opts.name ?? 'litert', priority: opts.priority ?? -1, load: async () => backend(lr, accelerator, tile) });
}
