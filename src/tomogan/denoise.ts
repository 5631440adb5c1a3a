// SPDX-License-Identifier: MIT
// Halo-tiled TomoGAN inference on any registered backend (docs/tomogan.md "Tiling"): pad to multiples of 8, run
// windows of core + halo, stitch the cores. denoise never names a backend: they are entries of tomoganBackends.
import { checkKeys } from '../check.js';
import { AbortError, InvalidInputError } from '../errors.js';
import { scaleToUint8Range, unscale } from '../io/image.js';
import type { Image } from '../types.js';
import { tomoganBackends, type TomoganBackend } from './backends/index.js';
import type { Generator } from './model.js';
import { HostError, type HostHandle } from '../host/client.js';
import type { Stages } from '../host/protocol.js';
import { type EdgeStageTimes, isEdgeModel, runEdge, type TomoganEdgeModel } from './edge/pipeline.js';
import { DEFAULT_HALO, type Tile, extractWindow, padTo8, planTiles, stitchCore } from './tiling.js';
import type { BackendChoice, TomoganBackendName } from './types.js';

export { DEFAULT_TILE } from './types.js';

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
  /**
   * A float Generator, or an int8 edge model (quantizeTomogan, loadDefaultEdgeModel): then the image runs as
   * no-halo tiles of the model's fixed size on an int8 runtime, stitched, then through its fine-tune network.
   */
  model: Generator | TomoganEdgeModel;
  /**
   * A connected `anyml host` (connectHost): `backend: 'host'` runs there, and 'auto' does when the host reports an
   * accelerator. A host failure with the fallback flag (absent, busy, device lost, timeout) reruns locally, with a warning.
   */
  host?: HostHandle;
  /** The host's provider to run on ('cpu', 'tflite', 'edgetpu', …); default: its accelerator under 'auto', its default by name. */
  hostProvider?: string;
  /** Edge models only: the int8 runtime ('tflite', 'reference', or 'auto', the default). */
  runtime?: string;
  /** Edge models only: run the fine-tune network (default: when the model has one). */
  finetune?: boolean;
  /** Input scaling; undone on the output, so the result is in the input's units. Default `'auto'`. */
  scale?: DenoiseScale;
  /** A registered backend's name, or 'auto' (default): the highest-priority backend that can run here. */
  backend?: BackendChoice | (string & {});
  /** Core size in px (rounded up to a multiple of 8). Default: the backend's own (DEFAULT_TILE for the built-ins). */
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
  /** The backend that produced the image (after a fallback, the one that reran it). */
  backend: TomoganBackendName | (string & {});
  /** Whether the input was percentile-scaled to 0…255 (and the output mapped back): see {@link DenoiseScale}. */
  scaled: boolean;
  /** The clip range in the input's units when `scaled` (0…255 maps from lo…hi), else null. */
  range: { lo: number; hi: number } | null;
  ms: number;
  tiles: number;
  warnings: string[];
  /** Edge models and host runs: milliseconds per stage (host runs add transfer and queue). */
  stages?: EdgeStageTimes | (Stages & { transfer: number });
}

function validate(image: Image, model: { depth: number }): void {
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
export function needsScaling(data: Float32Array): boolean {
  let mn = Infinity;
  let mx = -Infinity;
  for (const v of data) {
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  return mn < 0 || mx > 255 || mx <= 1;
}

const SCALES: readonly DenoiseScale[] = ['auto', 'percentile', 'none'];
const WHAT = 'TomoGAN inference';

/** Every DenoiseOptions key (the compiler keeps this list complete), for checkKeys. */
const OPTION_KEYS = Object.keys({
  model: 1, scale: 1, backend: 1, tile: 1, halo: 1, batch: 1, threads: 1, onProgress: 1, signal: 1, runtime: 1, finetune: 1, host: 1, hostProvider: 1,
} satisfies Record<keyof DenoiseOptions, 1>);

function checkOptions(opts: DenoiseOptions): void {
  checkKeys('denoise: options', opts, OPTION_KEYS);
  const batch = opts.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) throw new InvalidInputError('denoise: options.batch', String(batch), 'an integer ≥ 1');
  const threads = opts.threads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 0))
    throw new InvalidInputError('denoise: options.threads', String(threads), 'an integer ≥ 0 (0 = onnxruntime default)');
  const scale = opts.scale ?? 'auto';
  if (!SCALES.includes(scale)) throw new InvalidInputError('denoise: options.scale', String(scale), SCALES.map((v) => `'${v}'`).join(' | '));
}

/** The padded input and its tiling, planned once (a fallback rerun uses the same tiles). */
interface Plan {
  data: Float32Array;
  H: number;
  W: number;
  depth: number;
  tiles: Tile[];
}

/** Runs every tile batch of `plan` on `b` and stitches the cores into an H × W image. */
async function runTiles(b: TomoganBackend, model: Generator, plan: Plan, opts: DenoiseOptions): Promise<Float32Array> {
  const { tiles, H, W, depth } = plan;
  const { h: th, w: tw } = tiles[0];
  const per = th * tw * depth;
  const batch = opts.batch ?? 1;
  const out = new Float32Array(H * W);
  let done = 0;
  for (let b0 = 0; b0 < tiles.length; b0 += batch) {
    if (opts.signal?.aborted) throw new AbortError(`denoise aborted after ${done} of ${tiles.length} tiles`);
    const group = tiles.slice(b0, b0 + batch);
    const buf = new Float32Array(group.length * per);
    group.forEach((t, i) => extractWindow(plan.data, depth, H, W, t, buf, i * per));
    const res = await b.forward(model, buf, group.length, th, tw, { threads: opts.threads });
    group.forEach((t, i) => stitchCore(res, i * th * tw, t, out, W));
    done += group.length;
    opts.onProgress?.(done, tiles.length);
  }
  return out;
}

/** The backend, and the warnings worth telling ('auto' passing over a backend that would have been faster). */
async function pick(choice: string): Promise<{ name: string; impl: TomoganBackend; warnings: string[] }> {
  const { name, impl, skipped } = await tomoganBackends.resolve(choice, WHAT);
  const told = skipped.filter((s) => s.warn);
  const warnings = told.length ? [`backend auto: ${told.map((s) => `skipped ${s.backend} (${s.reason})`).join('; ')}; using ${name}`] : [];
  await impl.activate();
  return { name, impl, warnings };
}

/**
 * Runs the plan; a backend with a `fallback` (webgpu → wasm) that fails mid-run reruns the whole image there, with
 * a warning. onProgress restarts from 0 on the rerun.
 */
async function runWithFallback(first: Awaited<ReturnType<typeof pick>>, model: Generator, plan: Plan, opts: DenoiseOptions) {
  try {
    return { backend: first.name, out: await runTiles(first.impl, model, plan, opts) };
  } catch (e) {
    if (!first.impl.fallback || e instanceof AbortError) throw e;
    const { name, impl } = await tomoganBackends.resolve(first.impl.fallback, WHAT);
    await impl.activate();
    first.warnings.push(`${first.name} failed (${(e as Error).message ?? String(e)}); reran on ${name}`);
    return { backend: name, out: await runTiles(impl, model, plan, opts) };
  }
}

/** Crops the padded H × W result back to width × height. */
function crop(out: Float32Array, H: number, W: number, width: number, height: number): Float32Array {
  if (H === height && W === width) return out;
  const data = new Float32Array(height * width);
  for (let r = 0; r < height; r++) data.set(out.subarray(r * W, r * W + width), r * width);
  return data;
}

/** The edge path: int8 tiles of the model's size with no halo, stitched, fine-tuned (src/tomogan/edge/pipeline.ts). */
async function denoiseEdge(image: Image, model: TomoganEdgeModel, opts: DenoiseOptions, t0: number): Promise<DenoiseResult> {
  if (opts.tile !== undefined && opts.tile !== model.tile)
    throw new InvalidInputError('denoise: options.tile', String(opts.tile), `${model.tile} (the edge model's fixed tile) or nothing`);
  if (opts.halo !== undefined && opts.halo !== 0) throw new InvalidInputError('denoise: options.halo', String(opts.halo), '0 or nothing (edge tiles have no halo)');
  for (const k of ['backend', 'batch', 'threads'] as const)
    if (opts[k] !== undefined) throw new InvalidInputError(`denoise: options.${k}`, String(opts[k]), 'nothing with an edge model (options.runtime chooses its int8 runtime)');
  const scale = opts.scale ?? 'auto';
  const s = scale === 'percentile' || (scale === 'auto' && needsScaling(image.data)) ? scaleToUint8Range(image) : undefined;
  const r = await runEdge(model, s?.image ?? image, { runtime: opts.runtime, finetune: opts.finetune, onProgress: opts.onProgress, signal: opts.signal });
  let result: Image = { width: image.width, height: image.height, depth: 1, data: r.data };
  if (s) result = unscale(result, s);
  return { image: result, backend: r.runtime, scaled: !!s, range: s ? { lo: s.lo, hi: s.hi } : null, ms: performance.now() - t0, tiles: r.tiles, warnings: [], stages: r.stages };
}

/** Whether this call goes to the host: asked for by name, or 'auto' with a host that has an accelerator. */
function wantsHost(opts: DenoiseOptions): boolean {
  if (opts.backend === 'host') {
    if (!opts.host) throw new InvalidInputError('denoise: options.host', 'nothing with backend \'host\'', 'a handle from connectHost');
    return true;
  }
  return (opts.backend ?? 'auto') === 'auto' && hostAccelerator(opts.host) !== undefined;
}

/** The host's first available accelerator provider (an Edge TPU or TensorRT: not its CPU ones). */
function hostAccelerator(host?: HostHandle): string | undefined {
  return host?.providers.find((p) => p.available && (p.kind === 'edgetpu' || p.kind === 'tensorrt'))?.name;
}

/** The host path: scaled here, run there; null (with a warning pushed) when the host fails and allows a fallback. */
async function denoiseOnHost(image: Image, opts: DenoiseOptions, t0: number, warnings: string[]): Promise<DenoiseResult | null> {
  const scale = opts.scale ?? 'auto';
  const s = scale === 'percentile' || (scale === 'auto' && needsScaling(image.data)) ? scaleToUint8Range(image) : undefined;
  try {
    const provider = opts.hostProvider ?? (opts.backend === 'host' ? undefined : hostAccelerator(opts.host));
    const r = await opts.host!.infer(s?.image ?? image, { signal: opts.signal, ...(provider ? { provider } : {}) });
    let result: Image = { width: image.width, height: image.height, depth: 1, data: r.data };
    if (s) result = unscale(result, s);
    return { image: result, backend: `host:${r.provider}`, scaled: !!s, range: s ? { lo: s.lo, hi: s.hi } : null, ms: performance.now() - t0, tiles: 1, warnings, stages: r.stages };
  } catch (e) {
    if (!(e instanceof HostError) || !e.fallback) throw e;
    warnings.push(`${e.message} (${e.code}); ran locally instead`);
    return null;
  }
}

/** Denoises `image` (depth = model depth) with the generator, halo-tiled; see DenoiseOptions. */
export async function denoise(image: Image, opts: DenoiseOptions): Promise<DenoiseResult> {
  const t0 = performance.now();
  const model = opts?.model;
  const edge = isEdgeModel(model);
  if (!model || (!edge && typeof model.forward !== 'function'))
    throw new InvalidInputError('denoise: options.model', String(model), 'a Generator (createGenerator or loadWeights) or an edge model (quantizeTomogan)');
  validate(image, model);
  checkOptions(opts);
  if (opts.signal?.aborted) throw new AbortError('denoise aborted before it started');
  if (edge) return denoiseEdge(image, model, opts, t0);
  if (opts.runtime !== undefined || opts.finetune !== undefined)
    throw new InvalidInputError(`denoise: options.${opts.runtime !== undefined ? 'runtime' : 'finetune'}`, 'a value', 'nothing with a float Generator (it applies to edge models)');
  const hostWarnings: string[] = [];
  if (wantsHost(opts)) {
    const r = await denoiseOnHost(image, opts, t0, hostWarnings);
    if (r) return r;
    opts = { ...opts, backend: 'auto' };
  }
  const first = await pick(opts.backend ?? 'auto');
  const halo = opts.halo ?? DEFAULT_HALO;
  if (halo < 48) first.warnings.push(`halo ${halo} px is below the generator's receptive-field reach (50 px, exact from 48): tile seams will differ from a full-frame pass`);
  const { width, height, depth } = image;
  const scale = opts.scale ?? 'auto';
  const s = scale === 'percentile' || (scale === 'auto' && needsScaling(image.data)) ? scaleToUint8Range(image) : undefined;
  const padded = padTo8((s?.image ?? image).data, depth, height, width);
  const plan: Plan = { data: padded.data, H: padded.height, W: padded.width, depth, tiles: planTiles(padded.height, padded.width, opts.tile ?? first.impl.tile, halo) };
  const { backend, out } = await runWithFallback(first, model, plan, opts);
  let result: Image = { width, height, depth: 1, data: crop(out, plan.H, plan.W, width, height) };
  if (s) result = unscale(result, s);
  return { image: result, backend, scaled: !!s, range: s ? { lo: s.lo, hi: s.hi } : null, ms: performance.now() - t0, tiles: plan.tiles.length, warnings: [...hostWarnings, ...first.warnings] };
}
