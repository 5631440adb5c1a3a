// SPDX-License-Identifier: MIT
// denoiseVolume: TomoGAN over a whole volume, one slice at a time, in bounded memory (docs/tomogan.md "Volumes").
// A sliding window (src/tomogan/volume_source.ts) holds at most 3 input slices and one output slice.
import { AbortError, InvalidInputError } from '../errors.js';
import type { Image } from '../types.js';
import { type DenoiseOptions, denoise } from './denoise.js';
import { SliceWindow, type VolumeInput, isVolumeSource, openCursor } from './volume_source.js';

export type { VolumeSource, VolumeInput } from './volume_source.js';

/** Where denoised slices go: `k` is the input slice's index (0-based), `image` its denoised depth-1 slice. */
export type VolumeSink = { write(k: number, image: Image): Promise<void> | void } | ((k: number, image: Image) => Promise<void> | void);

export interface VolumeProgress {
  /** Slices written so far in this call, of `total`. */
  done: number;
  total: number;
  /** The slice just written (its index in the source). */
  slice: number;
  /** Milliseconds that slice took (denoise and write). */
  ms: number;
}

export interface DenoiseVolumeOptions extends Omit<DenoiseOptions, 'onProgress'> {
  /** 1 or 3 (adjacent slices k−1, k, k+1 in, slice k out). Default: the model's depth. */
  slices?: 1 | 3;
  /** Half-open, 0-based [a, b) of slices to denoise. Default: all. */
  range?: [number, number];
  onProgress?: (p: VolumeProgress) => void;
  /** Tile progress within the current slice (denoise's onProgress). */
  onTileProgress?: (done: number, total: number) => void;
}

export interface DenoiseVolumeResult {
  /** Slices written. */
  slices: number;
  /** The index range written, [a, b). */
  range: [number, number];
  /** Slices in the source. */
  depth: number;
  backend: string;
  ms: number;
  tiles: number;
  warnings: string[];
}

const W = 'denoiseVolume';

function checkRange(range: [number, number] | undefined, depth: number | undefined): [number, number] {
  const [a, b] = range ?? [0, depth ?? Infinity];
  const bad = !Number.isInteger(a) || a < 0 || !(b > a) || (b !== Infinity && !Number.isInteger(b)) || (depth !== undefined && b > depth);
  if (bad) throw new InvalidInputError(`${W}: options.range`, `[${a}, ${b})`, `integers 0 ≤ a < b${depth !== undefined ? ` ≤ ${depth} (the source's slice count)` : ''}`);
  return [a, b];
}

function slicesOf(opts: DenoiseVolumeOptions): 1 | 3 {
  const depth = (opts?.model as { depth?: number } | undefined)?.depth ?? 1;
  const s = opts.slices ?? depth;
  if (s !== 1 && s !== 3) throw new InvalidInputError(`${W}: options.slices`, String(s), '1 or 3');
  if (s !== depth) throw new InvalidInputError(`${W}: options.slices`, String(s), `${depth} (the model's input depth)`);
  return s;
}

/** The denoise input for slice k: the slice itself, or the stack (k−1, k, k+1) with the edges replicated. */
async function stackFor(win: SliceWindow, k: number, slices: 1 | 3, w: number, h: number): Promise<Image> {
  const mid = (await win.get(k))!;
  if (slices === 1) return { width: w, height: h, depth: 1, data: mid };
  const next = (await win.get(k + 1)) ?? mid; // slice n := slice n−1
  const prev = k > 0 ? (await win.get(k - 1))! : mid; // slice −1 := slice 0
  const data = new Float32Array(3 * w * h);
  data.set(prev, 0);
  data.set(mid, w * h);
  data.set(next, 2 * w * h);
  return { width: w, height: h, depth: 3, data };
}

function writeTo(sink: VolumeSink): (k: number, image: Image) => Promise<void> | void {
  if (typeof sink === 'function') return sink;
  if (sink && typeof sink.write === 'function') return (k, image) => sink.write(k, image);
  throw new InvalidInputError(`${W}: sink`, typeof sink, '{ write(k, image) } or an async callback (k, image)');
}

/**
 * Denoises slices [a, b) of `source` into `sink`, in order, one slice at a time. With a 3-slice model, output slice
 * k is `denoise` of the stack (k−1, k, k+1), the edges replicating their neighbour (slice −1 := slice 0, slice n :=
 * slice n−1). Each slice is scaled on its own (options.scale, as one `denoise` call would). At most 3 input slices
 * and one output slice are held at a time, so memory does not grow with the slice count.
 */
export async function denoiseVolume(source: VolumeInput, sink: VolumeSink, opts: DenoiseVolumeOptions): Promise<DenoiseVolumeResult> {
  const t0 = performance.now();
  const slices = slicesOf(opts ?? ({} as DenoiseVolumeOptions));
  const write = writeTo(sink);
  const [a, b0] = checkRange(opts.range, isVolumeSource(source) ? source.depth : undefined);
  const first = slices === 3 ? Math.max(0, a - 1) : a;
  const cur = openCursor(source, first, slices === 3 ? b0 + 1 : b0);
  const win = new SliceWindow(cur);
  const { range: _r, slices: _s, onProgress, onTileProgress, ...rest } = opts;
  const out = { slices: 0, backend: '', tiles: 0, warnings: new Set<string>() };
  let b = b0;
  for (let k = a; k < b; k++) {
    if (opts.signal?.aborted) throw new AbortError(`denoiseVolume aborted after ${out.slices} slices (next: slice ${k})`);
    const t1 = performance.now();
    win.release(slices === 3 ? k - 1 : k);
    if ((await win.get(k)) === undefined) {
      if (b0 !== Infinity || k === a) checkRange([a, b0], cur.count);
      b = k;
      break;
    }
    if (slices === 3 && k === 0 && (await win.get(1)) === undefined)
      throw new InvalidInputError(`${W}: source`, 'one slice', 'at least 2 slices with slices: 3 (a 3-slice model needs neighbours; use a 1-slice model)');
    const r = await denoise(await stackFor(win, k, slices, cur.width!, cur.height!), { ...rest, onProgress: onTileProgress });
    await write(k, r.image);
    out.slices++;
    out.backend = r.backend;
    out.tiles += r.tiles;
    for (const w of r.warnings) out.warnings.add(w);
    onProgress?.({ done: out.slices, total: (b === Infinity ? cur.count : b - a) ?? out.slices, slice: k, ms: performance.now() - t1 });
  }
  return { slices: out.slices, range: [a, b], depth: cur.count ?? b, backend: out.backend, ms: performance.now() - t0, tiles: out.tiles, warnings: [...out.warnings] };
}
