// SPDX-License-Identifier: MIT
// Chunk boundaries: the same bytes cut anywhere (every offset, every pair, random cuts) give the same result or error.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/io/csv.js';
import { parseLibsvm } from '../../../src/io/libsvm.js';
import { chunked, enc, prng, randomCuts, rejection } from './helpers.js';

const QUIRKY =
  '\uFEFF# comment line\r\n+1 1:0.5 3:-2.25e-1 \t\r\n\n-1.0 2:1e3 7:0 # tail 9:9\n1\n  \t\n-1 4:.5 5:5. 6:-0.017407699999999998\n1 8:1';

/** A few-kB file with most token shapes. */
function bigText(rows: number, seed: number): string {
  const rnd = prng(seed);
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = rnd() < 0.5 ? '-1' : '+1';
    for (let j = 1; j <= 40; j++) {
      if (rnd() < 0.7) continue;
      const v = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8 - 4);
      line += ` ${j}:${rnd() < 0.2 ? v.toExponential(5) : v.toPrecision(1 + Math.floor(rnd() * 17))}`;
    }
    lines.push(line + (rnd() < 0.1 ? ' # note' : '') + (rnd() < 0.1 ? '\r' : ''));
    if (rnd() < 0.05) lines.push('');
  }
  return lines.join('\n') + '\n';
}

const snapshot = (r: Awaited<ReturnType<typeof parseLibsvm>>) => ({
  rows: r.rows,
  features: r.features,
  nnz: r.nnz,
  labels: r.dataset.labels,
  indptr: [...r.dataset.x.indptr],
  indices: [...r.dataset.x.indices],
  values: [...r.dataset.x.values],
  y: [...r.dataset.y],
});

describe('chunk boundaries', () => {
  it('LIBSVM: cut at every offset and at every pair of offsets', async () => {
    const bytes = enc.encode(QUIRKY);
    const want = snapshot(await parseLibsvm(bytes));
    expect(want.rows).toBe(5);
    for (let a = 1; a < bytes.length; a++) {
      expect(snapshot(await parseLibsvm(chunked(bytes, [a])))).toEqual(want);
      for (let b = a + 1; b < bytes.length; b += 3) expect(snapshot(await parseLibsvm(chunked(bytes, [a, b])))).toEqual(want);
    }
  });

  it('LIBSVM: one byte per chunk', async () => {
    const bytes = enc.encode(QUIRKY);
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(snapshot(await parseLibsvm(chunked(bytes, cuts)))).toEqual(snapshot(await parseLibsvm(bytes)));
  });

  it('LIBSVM: a bigger file cut at random offsets (200 trials)', async () => {
    const bytes = enc.encode(bigText(400, 7));
    const want = snapshot(await parseLibsvm(bytes));
    expect(want.rows).toBe(400);
    const rnd = prng(11);
    for (let t = 0; t < 200; t++) {
      const cuts = randomCuts(bytes.length, 1 + Math.floor(rnd() * (t < 20 ? 2000 : 40)), rnd);
      expect(snapshot(await parseLibsvm(chunked(bytes, cuts)))).toEqual(want);
    }
  });

  it('LIBSVM: chunks over 1 MiB, with a line longer than 1 MiB, match small chunks', async () => {
    const long = '1 ' + Array.from({ length: 150_000 }, (_, j) => `${j + 1}:${(j % 7) - 3}`).join(' ') + '\n';
    const bytes = enc.encode(bigText(3000, 3) + long + bigText(3000, 4) + long);
    expect(bytes.length).toBeGreaterThan(3 << 20);
    const big = snapshot(await parseLibsvm(chunked(bytes, [])));
    const small = snapshot(await parseLibsvm(chunked(bytes, Array.from({ length: Math.floor(bytes.length / 7777) }, (_, k) => (k + 1) * 7777))));
    expect(big.rows).toBe(6002);
    expect(big).toEqual(small);
  });

  it('LIBSVM: gzip bytes cut at every offset', async () => {
    const gz = gzipSync(enc.encode(QUIRKY));
    const want = snapshot(await parseLibsvm(gz));
    for (let a = 1; a < gz.length; a++) expect(snapshot(await parseLibsvm(chunked(gz, [a])))).toEqual(want);
  });

  it('LIBSVM: an error is reported at the same place wherever the cuts are', async () => {
    const bytes = enc.encode('1 1:1\r\n\n-1 2:1 3:1\n1 1:1 2:x3 5:1\n');
    const want = String(await rejection(parseLibsvm(bytes)));
    expect(want).toContain('<input>:4:7');
    for (let a = 1; a < bytes.length; a++) expect(String(await rejection(parseLibsvm(chunked(bytes, [a]))))).toBe(want);
  });

  it('CSV: cut at every offset and at every pair of offsets', async () => {
    const bytes = enc.encode('id,"y",a,b\r\n1,0,0.5,"2"\n\n2,1, -3e2 ,4\n"x, ""y""",1,5,6\n4,1,7,8');
    const opts = { labelColumn: 'y', ignoreColumns: ['id'] };
    const r = await parseCsv(bytes, opts);
    expect(r.rows).toBe(4);
    const want = { data: [...r.dataset.x.data], y: [...r.dataset.y] };
    for (let a = 1; a < bytes.length; a++) {
      for (let b = a; b < bytes.length; b += 2) {
        const cut = await parseCsv(chunked(bytes, a === b ? [a] : [a, b]), opts);
        expect({ data: [...cut.dataset.x.data], y: [...cut.dataset.y] }).toEqual(want);
      }
    }
  });
});
