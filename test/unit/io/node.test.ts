// SPDX-License-Identifier: MIT
// readDataset (Node): format by extension, gzip via zlib, and errors naming the path and the OS reason.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { formatOf, readDataset } from '../../../src/io/node.js';
import { expectInvalid } from './helpers.js';

const FIXTURES = resolve(fileURLToPath(import.meta.url), '../../../fixtures/io');
const SMALL = join(FIXTURES, 'small.libsvm');
const SMALL_CSV = join(FIXTURES, 'small.csv');
const dir = mkdtempSync(join(tmpdir(), 'anyml-io-'));
const write = (name: string, bytes: Uint8Array | string) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

describe('readDataset', () => {
  it('reads a LIBSVM file', async () => {
    const r = await readDataset(SMALL);
    expect(r.format).toBe('libsvm');
    expect(r.rows).toBe(4);
    expect(r.features).toBe(5);
    expect(r.nnz).toBe(5);
    expect(r.dataset.labels).toEqual([0, 1]);
    expect([...r.dataset.y]).toEqual([1, -1, 1, -1]);
  });

  it('reads a gzip LIBSVM file whatever its name', async () => {
    const gz = gzipSync(readFileSync(SMALL));
    expect((await readDataset(write('small.libsvm.gz', gz))).nnz).toBe(5);
    expect((await readDataset(write('noext', gz))).nnz).toBe(5);
  });

  it('chooses CSV for .csv and .csv.gz (any case)', async () => {
    const opts = { labelColumn: 'y', ignoreColumns: ['id'] };
    const r = await readDataset(SMALL_CSV, opts);
    expect(r.format).toBe('csv');
    expect(r.rows).toBe(3);
    expect(r.features).toBe(2);
    expect([...r.dataset.y]).toEqual([-1, 1, 1]);
    const gz = await readDataset(write('SMALL.CSV.GZ', gzipSync(readFileSync(SMALL_CSV))), opts);
    expect(gz.format).toBe('csv');
    expect([...gz.dataset.x.kind === 'dense' ? gz.dataset.x.data : []]).toEqual([0.5, -1, 2, 3.25, -4, 0.5]);
  });

  it('format overrides the extension', async () => {
    const p = write('data.txt', readFileSync(SMALL_CSV));
    expect((await readDataset(p, { format: 'csv', labelColumn: 1, ignoreColumns: [0] })).rows).toBe(3);
  });

  it.each([
    ['a.csv', 'csv'],
    ['a.CSV.gz', 'csv'],
    ['a.csv.bz2', 'libsvm'],
    ['a.svm', 'libsvm'],
    ['a9a.t', 'libsvm'],
    ['x.gz', 'libsvm'],
  ])('formatOf(%s) = %s', (p, f) => {
    expect(formatOf(p)).toBe(f);
  });

});

describe('readDataset: errors', () => {
  it('names the path in content errors by default', async () => {
    const p = write('bad.svm', '1 1:1\n1 2:x\n');
    await expectInvalid(readDataset(p), `${p}:2:3`, '"2:x"', /number/);
    await expectInvalid(readDataset(p, { name: 'alias' }), 'alias:2:3', '"2:x"', /number/);
  });

  it('a missing file: InvalidInputError with the path and the OS reason', async () => {
    const p = join(dir, 'nope.svm');
    const e = await expectInvalid(readDataset(p), p, /ENOENT: no such file or directory/, /readable data file/);
    expect(e.message).toContain(p);
  });

  it('a directory: InvalidInputError with EISDIR', async () => {
    const d = join(dir, 'sub');
    mkdirSync(d);
    await expectInvalid(readDataset(d), d, /EISDIR/, /readable data file/);
  });

  it('a truncated .gz file: InvalidInputError naming the path', async () => {
    const gz = gzipSync(readFileSync(SMALL));
    const p = write('cut.gz', gz.subarray(0, gz.length >> 1));
    await expectInvalid(readDataset(p), p, /truncated or corrupt gzip/, /complete gzip file/);
    const c = write('cut.csv.gz', gzipSync(readFileSync(SMALL_CSV)).subarray(0, 30));
    await expectInvalid(readDataset(c), c, /truncated or corrupt gzip/, /complete gzip file/);
  });

  it('reports progress in file bytes', async () => {
    const seen: number[] = [];
    await readDataset(SMALL, { onProgress: (n) => seen.push(n) });
    expect(seen.at(-1)).toBe(readFileSync(SMALL).length);
  });
});
