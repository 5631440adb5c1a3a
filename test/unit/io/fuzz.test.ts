// SPDX-License-Identifier: MIT
// Fuzzing: seeded random byte mutations of valid files either parse (to a well-formed result) or throw InvalidInputError.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { parseCsv } from '../../../src/io/csv.js';
import { parseLibsvm } from '../../../src/io/libsvm.js';
import { enc, FUZZ_LIBSVM, mutate, prng } from './helpers.js';

const LIBSVM = FUZZ_LIBSVM;
const CSV = 'id,y,a,b,c\n1,0,0.5,2,-1\n2,1,-3e2,4,.5\n3,1,5,6,7e-1\n4,0,7,8,9\n';

/** Parses, checks the invariants of a success, and returns 'ok', 'invalid' or the unexpected error. */
async function outcome(p: Promise<{ rows: number; dataset: { y: Float32Array; labels: number[] } }>): Promise<unknown> {
  try {
    const r = await p;
    expect(r.rows).toBeGreaterThan(0);
    const K = r.dataset.labels.length;
    // Two labels: ±1; three or more (a mutated label): class indices into labels, which are distinct.
    for (const y of r.dataset.y) expect(K === 2 ? Math.abs(y) === 1 : Number.isInteger(y) && y >= 0 && y < K).toBe(true);
    expect(new Set(r.dataset.labels).size).toBe(K);
    return 'ok';
  } catch (e) {
    return e instanceof InvalidInputError ? 'invalid' : e;
  }
}

function checkCsr(x: { rows: number; cols: number; indptr: Int32Array; indices: Int32Array; values: Float32Array }): void {
  expect(x.indptr[0]).toBe(0);
  expect(x.indptr[x.rows]).toBe(x.indices.length);
  for (let r = 0; r < x.rows; r++) {
    for (let k = x.indptr[r]; k < x.indptr[r + 1]; k++) {
      expect(x.indices[k]).toBeGreaterThanOrEqual(k > x.indptr[r] ? x.indices[k - 1] + 1 : 0);
      expect(x.indices[k]).toBeLessThan(x.cols);
      expect(Number.isFinite(x.values[k])).toBe(true);
    }
  }
}

describe('fuzz', () => {
  it('LIBSVM: 2,000 mutations parse or throw InvalidInputError', async () => {
    const base = enc.encode(LIBSVM);
    expect((await parseLibsvm(base)).rows).toBe(6);
    const rnd = prng(20240601);
    const counts = { ok: 0, invalid: 0 };
    for (let t = 0; t < 2000; t++) {
      const bytes = mutate(base, rnd);
      const p = parseLibsvm(bytes, { name: 'fuzz' });
      const got = await outcome(p);
      if (got !== 'ok' && got !== 'invalid') throw new Error(`mutation ${t} (${JSON.stringify(new TextDecoder().decode(bytes))}) threw ${String(got)}`);
      if (got === 'ok') checkCsr((await p).dataset.x);
      counts[got]++;
    }
    expect(counts.ok).toBeGreaterThan(100);
    expect(counts.invalid).toBeGreaterThan(100);
  });

  it('LIBSVM gzip: 300 mutations of the compressed bytes parse or throw InvalidInputError', async () => {
    const base = new Uint8Array(gzipSync(enc.encode(LIBSVM.repeat(5))));
    const rnd = prng(99);
    for (let t = 0; t < 300; t++) {
      const got = await outcome(parseLibsvm(mutate(base, rnd), { name: 'fuzz.gz' }));
      if (got !== 'ok' && got !== 'invalid') throw new Error(`gzip mutation ${t} threw ${String(got)}`);
    }
  });

  it('CSV: 1,000 mutations parse or throw InvalidInputError', async () => {
    const base = enc.encode(CSV);
    expect((await parseCsv(base, { labelColumn: 1, ignoreColumns: [0] })).rows).toBe(4);
    const rnd = prng(7);
    const counts = { ok: 0, invalid: 0 };
    for (let t = 0; t < 1000; t++) {
      const bytes = mutate(base, rnd);
      const got = await outcome(parseCsv(bytes, { name: 'fuzz.csv', labelColumn: 1, ignoreColumns: [0] }));
      if (got !== 'ok' && got !== 'invalid') throw new Error(`mutation ${t} (${JSON.stringify(new TextDecoder().decode(bytes))}) threw ${String(got)}`);
      counts[got]++;
    }
    expect(counts.ok).toBeGreaterThan(50);
    expect(counts.invalid).toBeGreaterThan(50);
  });
});
