// SPDX-License-Identifier: MIT
// The containers `anyml denoise` reads and writes as volumes (docs/tomogan.md "Volumes"): TIFF stacks (page by
// page), HDF5 datasets (slice by slice), and one file per slice named by a `{i}` / `{i:N}` pattern. Exported from
// `anyml/node` as openVolume / openVolumeOutput: a VolumeSource and a VolumeSink for denoiseVolume.
import { readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { DEFAULT_DATASET, createHdf5Stack, openHdf5Volume } from './hdf5_volume.js';
import { readImage, writeImage } from './node_image.js';
import { openTiffPages } from './tiff_pages.js';
import { createTiffStack, resumeTiffStack } from './tiff_stack.js';
import type { VolumeSource } from '../tomogan/volume.js';
import type { Image } from '../types.js';

export type Container = 'tiff' | 'hdf5' | 'pattern';

const PATTERN = /\{i(?::(\d+))?\}/;

export function containerOf(path: string): Container | undefined {
  if (PATTERN.test(basename(path))) return 'pattern';
  const ext = extname(path).toLowerCase();
  return ext === '.h5' || ext === '.hdf5' ? 'hdf5' : ext === '.tif' || ext === '.tiff' ? 'tiff' : undefined;
}

/** The file name of index k under a pattern: `{i}` is the plain decimal index, `{i:N}` zero-pads it to N digits. */
export function patternPath(pattern: string, k: number): string {
  return pattern.replace(PATTERN, (_m, n: string | undefined) => String(k).padStart(n ? Number(n) : 0, '0'));
}

/** An opened input volume; `index(k)` is the number a pattern output uses for slice k (the input file's own). */
export interface OpenedVolume extends VolumeSource {
  dataset?: string;
  index(k: number): number;
  close(): Promise<void>;
}

/** The files matching a pattern, by index; they must run without gaps from the first. */
async function patternVolume(pattern: string): Promise<OpenedVolume> {
  const dir = dirname(pattern);
  const [pre, post] = basename(pattern).split(PATTERN).filter((_s, i) => i !== 1);
  const pad = basename(pattern).match(PATTERN)![1];
  const digits = pad ? `\\d{${pad},}` : '\\d+';
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^${esc(pre)}(${digits})${esc(post ?? '')}$`);
  const names = await readdir(dir).catch(() => [] as string[]);
  const found = names.map((n) => re.exec(n)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1])).sort((a, b) => a - b);
  if (found.length === 0) throw new InvalidInputError(pattern, 'no matching files', `files named ${patternPath(basename(pattern), 0)}, ${patternPath(basename(pattern), 1)}, … in ${dir}`, 'empty volume');
  const gap = found.findIndex((v, i) => i > 0 && v !== found[i - 1] + 1);
  if (gap > 0) throw new InvalidInputError(pattern, `slice file ${found[gap - 1] + 1} missing (found ${found[gap - 1]}, then ${found[gap]})`, 'consecutive indices');
  const first = await readImage(patternPath(pattern, found[0]));
  const slice = async (k: number) => {
    const p = patternPath(pattern, found[k]);
    const img = k === 0 ? first : await readImage(p);
    if (img.depth !== 1 || img.width !== first.width || img.height !== first.height)
      throw new InvalidInputError(`${p}: slice ${k}`, `${img.width}×${img.height}×${img.depth}`, `${first.width}×${first.height}×1 like slice 0`);
    return img.data;
  };
  return { width: first.width, height: first.height, depth: found.length, slice, index: (k) => found[k], close: async () => {} };
}

/** Opens a TIFF stack, an HDF5 dataset (default /exchange/data) or a `{i}` pattern of slice files as a VolumeSource. */
export async function openVolume(path: string, dataset?: string): Promise<OpenedVolume> {
  const kind = containerOf(path);
  if (kind === 'pattern') return patternVolume(path);
  if (kind === 'hdf5') {
    const v = await openHdf5Volume(path, dataset);
    return { width: v.width, height: v.height, depth: v.depth, dataset: v.dataset, slice: v.slice, index: (k) => k, close: async () => v.close() };
  }
  const t = await openTiffPages(path);
  const { width, height } = t.pages[0];
  return { width, height, depth: t.pages.length, slice: (k) => t.page(k), index: (k) => k, close: () => t.close() };
}

/** An output being written: `done` slices exist already (a resumed partial); `finish` makes it final. */
export interface VolumeOutput {
  readonly done: number;
  /** Writes slice k (the next one in order; a pattern output names its file by k): a VolumeSink for denoiseVolume. */
  write(k: number, slice: Float32Array | Image): Promise<void>;
  /** Closes the output; `complete` renames a stack's partial to its final name. */
  finish(complete: boolean): Promise<void>;
  /** Where the slices done so far are, for the interrupted message. */
  readonly partial: string;
}

/** The documented partial name of a stack output. */
export const partialName = (out: string): string => `${out}.partial`;

/** Leading files of [a, …) that exist (a pattern output's own resume point). */
async function existingFiles(pattern: string, indices: number[]): Promise<number> {
  let n = 0;
  while (n < indices.length && (await stat(patternPath(pattern, indices[n])).then(() => true, () => false))) n++;
  return n;
}

/**
 * Where and what to write: `dataset` for HDF5 (default /exchange/data); `resume` continues `<path>.partial` (or a
 * pattern's existing files); `indices` are the slice numbers to be written, in order (a pattern's resume point).
 */
export interface OutputSpec { path: string; width: number; height: number; dataset?: string; resume?: boolean; indices?: number[] }

const dataOf = (s: Float32Array | Image): Float32Array => (s instanceof Float32Array ? s : s.data);

/** Opens an output volume: a stack is written to `<path>.partial` and renamed to `path` by `finish(true)`. */
export async function openVolumeOutput(s: OutputSpec): Promise<VolumeOutput> {
  const kind = containerOf(s.path);
  if (kind === 'pattern') {
    if (!['.tif', '.tiff', '.npy'].includes(extname(s.path).toLowerCase()))
      throw new InvalidInputError(s.path, `extension '${extname(s.path)}'`, '.tif, .tiff or .npy (float32 slices; a PNG cannot hold floats)', 'unknown slice format');
    const indices = s.indices ?? [];
    const done = s.resume ? await existingFiles(s.path, indices) : 0;
    if (done > 0) await readImage(patternPath(s.path, indices[done - 1])).then((im) => {
      if (im.width !== s.width || im.height !== s.height) throw new InvalidInputError(patternPath(s.path, indices[done - 1]), `${im.width}×${im.height}`, `${s.width}×${s.height}`, 'cannot resume');
    });
    return { done, partial: s.path, write: (k, sl) => writeImage(patternPath(s.path, k), { width: s.width, height: s.height, depth: 1, data: dataOf(sl) }), finish: async () => {} };
  }
  const part = partialName(s.path);
  const has = s.resume && (await stat(part).then(() => true, () => false));
  const w = kind === 'hdf5'
    ? await createHdf5Stack(part, s.dataset ?? DEFAULT_DATASET, s.width, s.height, has)
    : has ? await resumeTiffStack(part, s.width, s.height) : await createTiffStack(part, s.width, s.height);
  // A stack is appended in order, so k must be the next slice: indices[pages] when given, else one past the last.
  let last: number | undefined;
  const next = () => (s.indices ? s.indices[w.pages] : last === undefined ? undefined : last + 1);
  return {
    done: w.pages,
    partial: part,
    async write(k, sl) {
      const want = next();
      if (want !== undefined && k !== want) throw new InvalidInputError(`${part}: slice ${k}`, `slice ${k} after ${w.pages} written`, `slice ${want} (a stack is written in order)`);
      await w.append(dataOf(sl));
      last = k;
    },
    async finish(complete) {
      await w.close();
      if (complete) await rename(part, s.path);
    },
  };
}

/** Removes a stack's partial (a run that failed on bad input before writing anything). */
export async function removePartial(out: string): Promise<void> {
  await unlink(partialName(out)).catch(() => {});
}
