// SPDX-License-Identifier: MIT
// `anyml denoise` on a whole volume (docs/tomogan.md "Volumes"): slices streamed from a TIFF stack, an HDF5
// dataset or one file per slice, denoised by denoiseVolume, written to `<out>.partial` (stacks) and renamed to
// `<out>` when complete. SIGINT / SIGTERM stop after the slice in progress and keep the partial for --resume.
import { AbortError, InvalidInputError } from '../errors.js';
import type { DenoiseOptions } from '../tomogan/denoise.js';
import { denoiseVolume } from '../tomogan/volume.js';
import { type OpenedVolume, type VolumeOutput, containerOf, openVolume, openVolumeOutput, removePartial } from '../io/volume_files.js';
import { createBar } from './progress.js';

export interface VolumeFlags {
  slices: number;
  range?: [number, number];
  dataset?: string;
  resume?: boolean;
  json?: boolean;
}

/** Whether this run is a volume run: a volume container on either side, a multi-page TIFF, or a volume-only flag. */
export async function isVolumeRun(input: string, output: string, f: VolumeFlags): Promise<boolean> {
  const inKind = containerOf(input);
  if (inKind === 'pattern' || inKind === 'hdf5' || containerOf(output) === 'pattern' || containerOf(output) === 'hdf5') return true;
  if (f.range || f.resume || f.dataset) return true;
  if (inKind !== 'tiff') return false;
  // A 3-page stack with --slices 3 stays one slice (its middle one); compressed files go through readImage.
  const { openTiffPages } = await import('../io/tiff_pages.js');
  const t = await openTiffPages(input).catch(() => undefined);
  if (!t) return false;
  await t.close();
  return t.pages.length > 1 && !(f.slices === 3 && t.pages.length === 3) && containerOf(output) === 'tiff';
}

/** SIGINT / SIGTERM abort the run between tiles; a second signal exits at once (the partial stays valid). */
function onSignals(ac: AbortController): () => void {
  const h = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) process.exit(sig === 'SIGINT' ? 130 : 143);
    ac.abort();
    process.exitCode = sig === 'SIGINT' ? 130 : 143;
  };
  process.on('SIGINT', h);
  process.on('SIGTERM', h);
  return () => {
    process.off('SIGINT', h);
    process.off('SIGTERM', h);
  };
}

function rangeOf(f: VolumeFlags, depth: number, input: string): [number, number] {
  const [a, b] = f.range ?? [0, depth];
  const end = Number.isFinite(b) ? b : depth;
  if (a >= end || end > depth) throw new InvalidInputError(`anyml denoise: --range ${a}:${Number.isFinite(b) ? b : ''}`, `slices [${a}, ${end})`, `0 ≤ a < b ≤ ${depth} (${input} has ${depth} slices)`);
  return [a, end];
}

interface Opened { vol: OpenedVolume; out: VolumeOutput; range: [number, number] }

async function openBoth(input: string, output: string, f: VolumeFlags): Promise<Opened> {
  const vol = await openVolume(input, f.dataset);
  try {
    if (f.slices === 3 && vol.depth === 1)
      throw new InvalidInputError(`anyml denoise: ${input}${vol.dataset ? `: ${vol.dataset}` : ''}`, 'one slice (a 2-D image)', 'at least 2 slices with --slices 3 (or --slices 1)');
    const [a, b] = rangeOf(f, vol.depth, input);
    const indices = Array.from({ length: b - a }, (_v, j) => vol.index(a + j));
    const out = await openVolumeOutput({ path: output, width: vol.width, height: vol.height, dataset: vol.dataset, resume: !!f.resume, indices });
    if (out.done > b - a) {
      await out.finish(false);
      throw new InvalidInputError(`anyml denoise: --resume ${out.partial}`, `${out.done} slices`, `at most ${b - a} (the range being denoised)`, 'cannot resume');
    }
    return { vol, out, range: [a + out.done, b] };
  } catch (e) {
    await vol.close();
    throw e;
  }
}

export interface VolumeSummary {
  input: string; output: string; slices: number; resumed: number; range: [number, number]; width: number; height: number; depth: number;
  seconds: number; slicesPerSecond: number; backend: string; peakRssBytes: number; warnings: string[];
  /** Set when a signal stopped the run: what was kept, and how to finish. */
  interrupted?: string;
}

/** Denoises the volume at `input` into `output`; returns the summary (also when a signal interrupted it). */
export async function runDenoiseVolume(input: string, output: string, f: VolumeFlags, opts: Omit<DenoiseOptions, 'onProgress' | 'signal'>): Promise<VolumeSummary> {
  const t0 = performance.now();
  const depth = 'depth' in opts.model ? opts.model.depth : undefined;
  // Checked before any file is opened: the library would name its option (options.slices), the user typed a flag.
  if (depth !== undefined && depth !== f.slices) {
    throw new InvalidInputError('anyml denoise: --slices', String(f.slices), `${depth} (these weights take ${depth} adjacent slice${depth > 1 ? 's' : ''})`);
  }
  const { vol, out, range } = await openBoth(input, output, f);
  const ac = new AbortController();
  const off = onSignals(ac);
  const total = range[1] - range[0] + out.done;
  const bar = await createBar(!f.json, 'denoise |{bar}| {value}/{total} slices | {rate} slices/s | ETA {eta_formatted}');
  let written = 0;
  let backend = '';
  let warnings: string[] = [];
  let interrupted: string | undefined;
  try {
    if (range[1] > range[0]) {
      const r = await denoiseVolume(vol, (k, image) => out.write(vol.index(k), image.data), {
        ...opts, slices: f.slices as 1 | 3, range, signal: ac.signal,
        onProgress: (p) => {
          written = p.done;
          bar.update(out.done + p.done, total, { rate: (p.done / ((performance.now() - t0) / 1000)).toFixed(2) });
        },
      });
      ({ backend, warnings } = r);
    }
    await out.finish(true);
  } catch (e) {
    await out.finish(false);
    // A failed fresh run leaves nothing; an interrupted one (or a failed resume) keeps the partial for --resume.
    if (!ac.signal.aborted && !f.resume) await removePartial(output);
    if (!(ac.signal.aborted && (e instanceof AbortError || process.exitCode))) throw e;
    interrupted = `interrupted: ${out.done + written} of ${total} slices in ${out.partial}; rerun with --resume to finish`;
  } finally {
    bar.stop();
    off();
    await vol.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    input, output, slices: written, resumed: out.done, range: [range[0] - out.done, range[1]], width: vol.width, height: vol.height, depth: vol.depth,
    seconds, slicesPerSecond: written / seconds, backend, peakRssBytes: process.resourceUsage().maxRSS * 1024, warnings, ...(interrupted ? { interrupted } : {}),
  };
}
