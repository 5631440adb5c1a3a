// SPDX-License-Identifier: MIT
// Node only: writes seeded synthetic LIBSVM files of any size in bounded memory (scale tests for anyml-mpi).

import { createWriteStream } from 'node:fs';
import { type SyntheticOptions, syntheticRows } from '../svm/synthetic.js';
import { beginAtomic, unwritable } from './atomic.js';

/** Shortest decimal (≤ 9 significant digits, FLT_DECIMAL_DIG) that reads back as the same f32. */
export function f32String(v: number): string {
  for (let p = 6; p < 9; p++) {
    const t = v.toPrecision(p);
    if (Math.fround(Number(t)) === v) return String(Number(t));
  }
  return String(Number(v.toPrecision(9)));
}

/**
 * Streams `makeClassification(options)`'s rows to `path` as LIBSVM text (labels ±1, 1-based indices, f32 values
 * written in their shortest f32 round-trip form, so a reader gets the same f32 back). Written to a temp file and
 * renamed: never half-written. Returns the rows and bytes written.
 *
 * @example
 * await writeSyntheticLibsvm('eps.libsvm', { rows: 400_000, features: 2000, density: 1, seed: 1 });  // epsilon-shaped
 */
export async function writeSyntheticLibsvm(path: string, options: SyntheticOptions): Promise<{ rows: number; bytes: number }> {
  const file = beginAtomic(path); // removed on Ctrl-C until renamed into place
  const out = createWriteStream(file.tmp);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  let rows = 0;
  let bytes = 0;
  try {
    let chunk: string[] = [];
    let size = 0;
    for (const row of syntheticRows(options)) {
      let line = row.label > 0 ? '+1' : '-1';
      for (let k = 0; k < row.indices.length; k++) line += ` ${row.indices[k] + 1}:${f32String(row.values[k])}`;
      chunk.push(line);
      size += line.length + 1;
      rows++;
      if (size >= 1 << 20) {
        bytes += size;
        if (!out.write(chunk.join('\n') + '\n')) await Promise.race([new Promise<void>((r) => out.once('drain', () => r())), failed]);
        chunk = [];
        size = 0;
      }
    }
    if (chunk.length) out.write(chunk.join('\n') + '\n');
    bytes += size;
    await Promise.race([new Promise<void>((r) => out.end(r)), failed]);
  } catch (err) {
    out.destroy();
    await file.abort();
    throw (err as NodeJS.ErrnoException).code ? unwritable(path, err) : err;
  }
  await file.commit();
  return { rows, bytes };
}
