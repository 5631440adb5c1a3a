// SPDX-License-Identifier: MIT
// Count windows over a LIBSVM stream: every `window` data rows become one Dataset, parsed by parseLibsvm.

import { InvalidInputError } from '../errors.js';
import type { CsrMatrix, Dataset } from '../types.js';
import { parseLibsvm } from './libsvm.js';
import { type Gunzip, textChunks } from './source.js';

/** Options of {@link libsvmWindows}. */
export interface LibsvmWindowsOptions {
  /** Data rows per window (blank and comment lines do not count). Default 1000. */
  window?: number;
  /** Number of feature columns of every window (an index above it is an error). Default: each window's largest. */
  features?: number;
  /** The largest feature index accepted without `features` (LibsvmOptions.maxFeatures). Default 2^25. */
  maxFeatures?: number;
  /**
   * Label values [neg, pos] of every window. Default: those of the first window that holds two distinct values;
   * windows before it keep the parser's own choice (a stream remaps them by value).
   */
  labels?: [neg: number, pos: number];
  /** Name used in error locations (`name:line:column`, line counted over the whole stream). Default '<input>'. */
  name?: string;
  /** Cancels reading between chunks (AbortError). */
  signal?: AbortSignal;
  /** Gzip decoder for gzip input (first bytes 1f 8b). Default `DecompressionStream('gzip')`; `nodeGunzip` is faster on Node. */
  gunzip?: Gunzip;
}

/** What libsvmWindows accepts: chunks of text or bytes (a file, a socket, a fetch body). */
export type LineSource = AsyncIterable<string | Uint8Array> | ReadableStream<Uint8Array>;

const BLANK = new Uint8Array(256);
BLANK[32] = BLANK[9] = BLANK[13] = BLANK[11] = BLANK[12] = 1;

/**
 * Splits a LIBSVM stream into Datasets of `window` rows each (the last may be shorter), so that training can start
 * before the input ends and memory stays bounded by one window. Lines may span chunks. Gzip input is recognised by
 * its magic bytes and decompressed first. Errors are located at the line number in the whole stream.
 *
 * @example
 * const stream = await createSvmStream();
 * for await (const batch of libsvmWindows(fs.createReadStream('ijcnn1'), { window: 1000 })) await stream.partialFit(batch);
 */
export async function* libsvmWindows(source: LineSource, options: LibsvmWindowsOptions = {}): AsyncGenerator<Dataset & { x: CsrMatrix }> {
  const size = options.window ?? 1000;
  if (!Number.isInteger(size) || size < 1) throw new InvalidInputError('libsvmWindows: options.window', String(size), 'an integer >= 1');
  const name = options.name ?? '<input>';
  let labels = options.labels;
  let parts: Uint8Array[] = [];
  let rows = 0; // data rows in `parts`
  let line = 1; // global number of the first line in `parts`
  let lines = 0; // complete lines in `parts`
  let lineHasData = false; // the current (unfinished) line has a non-blank, non-comment first byte
  let lineStarted = false; // a non-blank byte of the current line was met

  async function emit(): Promise<Dataset & { x: CsrMatrix }> {
    const bytes = concat(parts);
    const first = line;
    parts = [];
    line += lines;
    lines = 0;
    rows = 0;
    let r;
    try {
      r = await parseLibsvm(bytes, { name, features: options.features, maxFeatures: options.maxFeatures, labels });
    } catch (e) {
      throw relocate(e, name, first - 1);
    }
    if (r.labelsSeen.length > 2) throw new InvalidInputError(`${name}:${first}:1`, `label values ${r.labelsSeen.join(', ')} in one window`, 'two label values (streams train binary models)');
    // Later windows must code labels the same way; fixed once a window has shown both values.
    if (!labels && r.labelsSeen.length === 2) labels = [r.dataset.labels[0], r.dataset.labels[1]];
    return r.dataset;
  }

  const src = source as AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;
  for await (const chunk of textChunks(src, { name, signal: options.signal, gunzip: options.gunzip }, 'libsvmWindows')) {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === 10) {
        if (lineHasData) rows++;
        lines++;
        lineHasData = lineStarted = false;
        if (rows === size) {
          parts.push(chunk.subarray(start, i + 1));
          start = i + 1;
          yield await emit();
        }
        continue;
      }
      if (!lineStarted && !BLANK[c]) {
        lineStarted = true;
        lineHasData = c !== 35; // '#': a comment line
      }
    }
    if (start < chunk.length) {
      // Copy: a source may reuse its chunk buffers once we ask for the next one.
      parts.push(chunk.slice(start));
    }
  }
  if (lineHasData) rows++; // a last line without a newline
  if (rows > 0) yield await emit();
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

/**
 * parseLibsvm numbers lines from 1 within the window it was given; the stream's line is `offset` more. The error is
 * rebuilt with `name:line:column` shifted (and its message with it), so users see where the line is in their file.
 */
function relocate(e: unknown, name: string, offset: number): unknown {
  if (!(e instanceof InvalidInputError) || offset === 0) return e;
  const m = /^(.*):(\d+):(\d+)$/.exec(e.where);
  if (!m || m[1] !== name) return e;
  const where = `${name}:${Number(m[2]) + offset}:${m[3]}`;
  const out = new InvalidInputError(where, e.got, e.expected);
  // The message is `${where}: [detail: ]got …`; keep everything after the location as it was.
  out.message = where + e.message.slice(e.where.length);
  out.stack = `${out.name}: ${out.message}\n${(e.stack ?? '').split('\n').slice(1).join('\n')}`;
  return out;
}
