// SPDX-License-Identifier: MIT
// Halo-tiled TomoGAN inference on a tfjs backend (issue 5 "Inference"; TOMOGAN.md "Tiling", "Inference script").
import { AbortError, InvalidInputError } from '../errors.js';
import { scaleToUint8Range, unscale } from '../io/image.js';
import { checkWebgpu, resolveBackend, useBackend } from './backends.js';
import { tf } from './tf.js';
import type { BackendChoice, TomoganBackendName } from './types.js';
import type { Image } from '../types.js';
import type { Generator } from './model.js';
import { runNative } from './native.js';
import { DEFAULT_HALO, extractWindow, padTo8, planTiles, stitchCore } from './tiling.js';

/**
 * Default core size per backend, from `npm run bench:tomogan-tiles` (docs/benchmarks.md): time tracks the pixels
 * computed, (tile + 2·halo)² per tile, so the largest tile that memory allows wins (1024² on wasm: 9.6 s at tile 1024,
 * 14.9 s at 512, 18.6 s at 256). wasm: 1024 runs in ~1.4 GiB of tfjs-wasm's 4 GiB heap, 2048 would not fit. native:
 * 1024 (4 tiles of a 2048² image in 6.0 s; one 2048 tile is 1.2× faster but needs ~4× the memory; pass `tile` to
 * trade). webgpu: 512, fastest measured and the largest whose 64-channel (512 + 2·56)² map fits WebGPU's default
 * 128 MiB storage binding (TOMOGAN.md "Memory"). cpu: 512, the same halo law (1.5× overhead instead of 2.1× at 256),
 * not timed (0.5 GFLOP/s), with progress every few tiles rather than one silent multi-minute call.
 */
export const DEFAULT_TILE: Record<TomoganBackendName, number> = { wasm: 1024, webgpu: 512, cpu: 512, native: 1024 };

/**
 * How `denoise` brings the image to the 0…255 scale TomoGAN works on (the scale of its 8-bit training slices):
 * - `'auto'` (default): as it is when it already looks like that scale (every value in [0, 255] and a maximum
 *   above 1, e.g. an 8-bit slice), otherwise `'percentile'` (float reconstructions, 16-bit images, 0…1 data);
 * - `'percentile'`: clip to the 0.05th–99.95th percentiles and map linearly to 0…255 (TomoGAN's
 *   `util.scale2uint8`, {@link scaleToUint8Range}), and map the output back to the input's units;
 * - `'none'`: as it is.
 */
export type DenoiseScale = 'auto' | 'percentile' | 'none';

export interface DenoiseOptions {
  model: Generator;
  /** Input scaling; undone on the output, so the result is in the input's units. Default `'auto'`. */
  scale?: DenoiseScale;
  backend?: BackendChoice;
  /** Core size in px (rounded up to a multiple of 8). Default per backend: DEFAULT_TILE. */
  tile?: number;
  /** Context px per side (rounded up to a multiple of 8). Default 56; ≥ 48 is exact (receptive-field reach 50). */
  halo?: number;
  /** Tiles per forward call (all windows have the same size). Default 1. */
  batch?: number;
  /** `native` only: onnxruntime intra-op threads (default: onnxruntime's choice, one per physical core). */
  threads?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface DenoiseResult {
  /** One slice (depth 1), the input's width × height: the denoised (middle) slice. */
  image: Image;
  backend: TomoganBackendName;
  /** Whether the input was percentile-scaled to 0…255 (and the output mapped back): see {@link DenoiseScale}. */
  scaled: boolean;
  /** The clip range in the input's units when `scaled` (0…255 maps from lo…hi), else null. */
  range: { lo: number; hi: number } | null;
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

/** Whether `'auto'` scales: anything but values in [0, 255] with a maximum above 1. */
function needsScaling(data: Float32Array): boolean {
  let mn = Infinity;
  let mx = -Infinity;
  for (const v of data) {
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  return mn < 0 || mx > 255 || mx <= 1;
}

const SCALES: readonly DenoiseScale[] = ['auto', 'percentile', 'none'];

/** One forward pass on the active tfjs backend over n NHWC windows; returns the n × th × tw outputs. */
async function forwardTf(model: Generator, buf: Float32Array, n: number, th: number, tw: number): Promise<Float32Array> {
  const x = tf.tensor4d(buf, [n, th, tw, model.depth]);
  let y: tf.Tensor4D;
  try {
    y = model.forward(x);
  } finally {
    x.dispose();
  }
  try {
    return (await y.data()) as Float32Array;
  } finally {
    y.dispose();
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
  const threads = opts.threads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 0))
    throw new InvalidInputError('denoise: options.threads', String(threads), 'an integer ≥ 0 (0 = onnxruntime default)');
  const scale = opts.scale ?? 'auto';
  if (!SCALES.includes(scale)) throw new InvalidInputError('denoise: options.scale', String(scale), SCALES.map((v) => `'${v}'`).join(' | '));
  if (opts.signal?.aborted) throw new AbortError('denoise aborted before it started');
  const resolved = await resolveBackend(opts.backend ?? 'auto');
  let backend = resolved.backend;
  const warnings = resolved.warnings;
  const tile = opts.tile ?? DEFAULT_TILE[backend];
  if (halo < 48) warnings.push(`halo ${halo} px is below the generator's receptive-field reach (50 px, exact from 48): tile seams will differ from a full-frame pass`);

  const { width, height, depth } = image;
  const scaled = scale === 'percentile' || (scale === 'auto' && needsScaling(image.data));
  const s = scaled ? scaleToUint8Range(image) : undefined;
  const padded = padTo8((s?.image ?? image).data, depth, height, width);
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
      const res = backend === 'native' ? await runNative(model, buf, group.length, th, tw, { threads }) : await forwardTf(model, buf, group.length, th, tw);
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
  let result: Image = { width, height, depth: 1, data };
  if (s) result = unscale(result, s);
  return { image: result, backend, scaled, range: s ? { lo: s.lo, hi: s.hi } : null, ms: performance.now() - t0, tiles: tiles.length, warnings };
}
