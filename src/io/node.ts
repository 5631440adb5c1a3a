// SPDX-License-Identifier: MIT
// Node only: reads a LIBSVM or CSV data file from disk as a stream (zlib for gzip); errors name the path and OS reason.

import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { osReason } from './files.js';
import { AnymlError, InvalidInputError } from '../errors.js';
import { checkKeys, pick } from '../check.js';
import { CSV_OPTION_KEYS, type CsvOptions, type CsvResult, parseCsv } from './csv.js';
import { LIBSVM_OPTION_KEYS, type LibsvmOptions, type LibsvmResult } from './libsvm.js';
import { parseLibsvmWasm } from './libsvm_wasm.js';
import type { Gunzip } from './source.js';

/** Options of {@link readDataset}: those of `parseLibsvm` and `parseCsv`, plus a format override. */
export interface ReadDatasetOptions extends LibsvmOptions, Omit<CsvOptions, keyof LibsvmOptions> {
  /** Default: CSV for names ending in `.csv` or `.csv.gz` (any case), LIBSVM otherwise. */
  format?: 'libsvm' | 'csv';
}

/** What {@link readDataset} returns: the parser's result and the format that was used. */
export type ReadDatasetResult = (LibsvmResult & { format: 'libsvm' }) | (CsvResult & { format: 'csv' });

/**
 * A gzip decoder on Node's zlib for the `gunzip` option of `parseLibsvm`/`parseCsv`: several times faster than
 * `DecompressionStream` on Node 20, whose 16 KiB output chunks each cost a thread-pool round trip.
 * `readDataset` uses it; pass it yourself when calling the parsers on gzip bytes under Node.
 *
 * @example
 * ```ts
 * const r = await parseLibsvm(readFileSync('ijcnn1.gz'), { gunzip: nodeGunzip });
 * ```
 */
export const nodeGunzip: Gunzip = (compressed) => {
  // 256 KiB output chunks, and up to 8 MiB decoded ahead so that zlib's thread works while the parser runs.
  const gz = createGunzip({ chunkSize: 1 << 18, readableHighWaterMark: 1 << 23 } as ZlibOptions);
  pipeline(Readable.from(compressed, { objectMode: false }), gz, () => undefined);
  return gz;
};

/**
 * The format implied by a file name: CSV for `.csv` and `.csv.gz` (any case), LIBSVM otherwise.
 *
 * @example
 * ```ts
 * formatOf('epsilon.csv.gz'); // 'csv'
 * formatOf('a9a.t'); // 'libsvm'
 * ```
 */
export function formatOf(path: string): 'libsvm' | 'csv' {
  const p = path.toLowerCase();
  return p.endsWith('.csv') || p.endsWith('.csv.gz') ? 'csv' : 'libsvm';
}

async function openFile(path: string): Promise<FileHandle> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    if ((await handle.stat()).isDirectory()) throw Object.assign(new Error('EISDIR: illegal operation on a directory'), { code: 'EISDIR' });
    return handle;
  } catch (e) {
    await handle?.close().catch(() => undefined);
    throw new InvalidInputError(path, `an unreadable file (${osReason(e)})`, 'a readable data file', 'cannot open');
  }
}

/**
 * Reads a data file from disk, streaming, into a dataset: LIBSVM, or CSV for `.csv`/`.csv.gz` names (see
 * `format`). Gzip is detected by content and decoded with zlib. `name` in errors defaults to the path.
 *
 * @throws InvalidInputError for a missing or unreadable file (naming the path and the OS reason) and for any
 *   content error (at `path:line:column`).
 * @example
 * ```ts
 * const train = await readDataset('data/a9a.gz', { features: 123 });
 * const test = await readDataset('data/a9a.t', { features: 123, labels: train.dataset.labels });
 * ```
 */
export async function readDataset(path: string, options: ReadDatasetOptions = {}): Promise<ReadDatasetResult> {
  checkKeys('readDataset: options', options, [...new Set([...LIBSVM_OPTION_KEYS, ...CSV_OPTION_KEYS, 'format'])]);
  const format = options.format ?? formatOf(path);
  const handle = await openFile(path);
  const stream = createReadStream('', { fd: handle, highWaterMark: 1 << 20 });
  const opts = { ...options, name: options.name ?? path, gunzip: options.gunzip ?? nodeGunzip };
  try {
    // Each parser gets its own options: a LIBSVM file ignores CSV settings and the other way round.
    if (format === 'csv') return { ...(await parseCsv(stream, pick(opts, CSV_OPTION_KEYS))), format };
    // The C++ parser in the wasm core (src/io/libsvm_wasm.ts): ~2× the JS reference, equal to it on every input.
    return { ...(await parseLibsvmWasm(stream, pick(opts, LIBSVM_OPTION_KEYS))), format: 'libsvm' };
  } catch (e) {
    if (e instanceof AnymlError || !(e as NodeJS.ErrnoException)?.code) throw e;
    throw new InvalidInputError(path, `an unreadable file (${osReason(e)})`, 'a readable data file', 'cannot read');
  } finally {
    stream.destroy();
  }
}
