// SPDX-License-Identifier: MIT
// Halo-tiled TomoGAN inference on a tfjs backend (issue 5 "Inference"; TOMOGAN.md "Tiling", "Inference script").
import { AbortError, InvalidInputError } from '../errors.js';
import { type BackendChoice, type TfBackendName, checkWebgpu, resolveBackend, tf, useBackend } from './backends.js';
import type { Image } from './image.js';
import type { Generator } from './model.js';
import { DEFAULT_HALO, extractWindow, padTo8, planTiles, stitchCore } from './tiling.js';

/**
 * Default core size per backend. Not measured per backend yet; chosen from memory bounds: wasm runs 1024² full
 * frames in ~1.4 GiB heap when disposing eagerly (TOOLCHAIN.md §3 note 7); WebGPU's default 128 MiB storage binding
 * holds a 64-channel (512 + 2·56)² map (TOMOGAN.md "Memory"); cpu is slow at any size.
 */
export const DEFAULT_TILE: Record<TfBackendName, number> = { wasm: 1024, webgpu: 512, cpu: 256 };

export interface DenoiseOptions {
  model: Generator;
  backend?: BackendChoice;
  /** Core size in px (rounded up to a multiple of 8). Default per backend: DEFAULT_TILE. */
  tile?: number;
  /** Context px per side (rounded up to a multiple of 8). Default 56; ≥ 48 is exact (receptive-field reach 50). */
  halo?: number;
  /** Tiles per forward call (all windows have the same size). Default 1. */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface DenoiseResult {
  /** One slice (depth 1), the input's width × height: the denoised (middle) slice. */
  image: Image;
  backend: TfBackendName;
  ms: number;
  tiles: number;
  warnings: string[];
}

function validate(image: Image, model: Generator): void {
  const w = 'denoise: image';
  if (!image || !(image.data instanceof Float32Array)) throw new InvalidInputError(w, typeof image, '{ width, height, depth, data: Float32Array }');
  const { width, height, depth, data } = image;
  for (const [k, v] of [['width', width], ['height', height], ['depth', depth]] as const)
    if (!Number.isInteger(v) || v <= 0) throw new InvalidInputError(`${w}.${k}`, String(v), 'a positive integer (0-size images cannot be denoised)');
  if (data.length !== width * height * depth)
    throw new InvalidInputError(`${w}.data`, `${data.length} values`, `width·height·depth = ${width}·${height}·${depth} = ${width * height * depth}`);
  if (depth !== model.depth)
    throw new InvalidInputError(
      `${w}.depth`,
      String(depth),
      `${model.depth} (the model's input depth${model.depth === 3 ? ': 3 adjacent slices, the middle one is denoised' : ': one slice'})`,
    );
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i])) {
      const z = Math.floor(i / (width * height));
      const r = i - z * width * height;
      throw new InvalidInputError(`${w}.data`, `${data[i]} at slice ${z}, row ${Math.floor(r / width)}, column ${r % width}`, 'finite pixel values');
    }
}

/** Denoises `image` (depth = model depth) with the generator, halo-tiled; see DenoiseOptions. */
export async function denoise(image: Image, opts: DenoiseOptions): Promise<DenoiseResult> {
  const t0 = performance.now();
  const model = opts?.model;
  if (!model || typeof model.forward !== 'function') throw new InvalidInputError('denoise: options.model', String(model), 'a Generator (createGenerator or loadWeights)');
  validate(image, model);
  const batch = opts.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) throw new InvalidInputError('denoise: options.batch', String(batch), 'an integer ≥ 1');
  const halo = opts.halo ?? DEFAULT_HALO;
  if (opts.signal?.aborted) throw new AbortError('denoise aborted before it started');
  const resolved = await resolveBackend(opts.backend ?? 'auto');
  let backend = resolved.backend;
  const warnings = resolved.warnings;
  const tile = opts.tile ?? DEFAULT_TILE[backend];
  if (halo < 48) warnings.push(`halo ${halo} px is below the generator's receptive-field reach (50 px, exact from 48): tile seams will differ from a full-frame pass`);

  const { width, height, depth } = image;
  const padded = padTo8(image.data, depth, height, width);
  const H = padded.height;
  const W = padded.width;
  const tiles = planTiles(H, W, tile, halo);
  const { h: th, w: tw } = tiles[0];
  const per = th * tw * depth;
  const run = async (): Promise<Float32Array> => {
    const out = new Float32Array(H * W);
    let done = 0;
    for (let b0 = 0; b0 < tiles.length; b0 += batch) {
      if (opts.signal?.aborted) throw new AbortError(`denoise aborted after ${done} of ${tiles.length} tiles`);
      if (backend === 'webgpu') await checkWebgpu(); // throws once the device is lost (or a test hook forces a fault)
      const group = tiles.slice(b0, b0 + batch);
      const buf = new Float32Array(group.length * per);
      group.forEach((t, i) => extractWindow(padded.data, depth, H, W, t, buf, i * per));
      const x = tf.tensor4d(buf, [group.length, th, tw, depth]);
      let y: tf.Tensor4D;
      try {
        y = model.forward(x);
      } finally {
        x.dispose();
      }
      let res: Float32Array;
      try {
        res = (await y.data()) as Float32Array;
      } finally {
        y.dispose();
      }
      group.forEach((t, i) => stitchCore(res, i * th * tw, t, out, W));
      done += group.length;
      opts.onProgress?.(done, tiles.length);
    }
    if (backend === 'webgpu') await checkWebgpu(); // a device lost during the last readback may have returned garbage
    return out;
  };
  let out: Float32Array;
  try {
    out = await run();
  } catch (e) {
    // Issue 5: a lost WebGPU device (or any webgpu failure) reruns the whole image on wasm, with a warning.
    // onProgress restarts from 0 on the rerun.
    if (backend !== 'webgpu' || e instanceof AbortError) throw e;
    await useBackend('wasm');
    warnings.push(`webgpu failed (${(e as Error).message ?? String(e)}); reran on wasm`);
    backend = 'wasm';
    out = await run();
  }
  let data = out;
  if (H !== height || W !== width) {
    data = new Float32Array(height * width);
    for (let r = 0; r < height; r++) data.set(out.subarray(r * W, r * W + width), r * width);
  }
  return { image: { width, height, depth: 1, data }, backend, ms: performance.now() - t0, tiles: tiles.length, warnings };
}
