// SPDX-License-Identifier: MIT
// The real LIBSVM-collection files in ../shared/data/libsvm: sizes, labels, exact values, and parse times.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { parseCsv } from '../../../src/io/csv.js';
import { parseLibsvm } from '../../../src/io/libsvm.js';
import { readDataset } from '../../../src/io/node.js';
import type { CsrMatrix } from '../../../src/types.js';
import { describeWithSharedData, SHARED_DATA } from '../../helpers/shared_data.js';

const lib = (f: string) => join(SHARED_DATA, 'libsvm', f);
const text = (f: string) => {
  const b = readFileSync(lib(f));
  return (b[0] === 0x1f ? gunzipSync(b) : b).toString('latin1');
};

/** Compares every stored entry and label with a naive split + Math.fround(parseFloat) reading of the file. */
function checkAgainstNaive(f: string, x: CsrMatrix, y: Float32Array, labels: number[]): void {
  const bad: string[] = [];
  let row = 0;
  let k = 0;
  for (const line of text(f).split('\n')) {
    const toks = line.trim().split(/\s+/).filter(Boolean);
    if (toks.length === 0) continue;
    if (labels[y[row] > 0 ? 1 : 0] !== parseFloat(toks[0])) bad.push(`row ${row}: label ${toks[0]}`);
    for (const t of toks.slice(1)) {
      const [i, v] = t.split(':');
      const fv = Math.fround(parseFloat(v));
      if (fv === 0) continue;
      if (x.indices[k] !== Number(i) - 1 || !Object.is(x.values[k], fv)) bad.push(`row ${row}: ${x.indices[k] + 1}:${x.values[k]} for ${t}`);
      k++;
    }
    row++;
    if (x.indptr[row] !== k) bad.push(`row ${row}: indptr ${x.indptr[row]} for ${k}`);
    if (bad.length > 10) break;
  }
  expect(bad).toEqual([]);
  expect(row).toBe(x.rows);
}

describeWithSharedData('real data (shared/data/libsvm)', () => {
  it.each([
    ['ijcnn1.gz', {}, 49_990, 22, [-1, 1]],
    ['ijcnn1.t.gz', {}, 91_701, 22, [-1, 1]],
    ['a9a.gz', {}, 32_561, 123, [-1, 1]],
    ['a9a.t', { features: 123 }, 16_281, 123, [-1, 1]],
    ['w8a.gz', {}, 49_749, 300, [-1, 1]],
    ['heart_scale', {}, 270, 13, [-1, 1]],
    ['agaricus.txt.train', {}, 6_513, 126, [0, 1]],
    ['reuters_lasvm.trn.gz', {}, 7_770, 8_315, [-1, 1]],
  ])('%s %j → %i rows × %i features, labels %j, values exact', async (f, opts, rows, features, labels) => {
    const r = await readDataset(lib(f), opts);
    expect(r.format).toBe('libsvm');
    expect(r.rows).toBe(rows);
    expect(r.features).toBe(features);
    expect(r.labelsSeen).toEqual(labels);
    expect(r.dataset.labels).toEqual(labels);
    checkAgainstNaive(f, r.dataset.x as CsrMatrix, r.dataset.y, r.dataset.labels);
  });

});

describeWithSharedData('real data: details', () => {
  it('a9a.t without options.features has 122 columns (its max index)', async () => {
    expect((await readDataset(lib('a9a.t'))).features).toBe(122);
  });

  it('w8a: empty rows are kept and the blank last line is skipped', async () => {
    const r = await readDataset(lib('w8a.gz'));
    const x = r.dataset.x as CsrMatrix;
    let empty = 0;
    for (let i = 0; i < r.rows; i++) if (x.indptr[i + 1] === x.indptr[i]) empty++;
    expect(empty).toBeGreaterThan(1000);
  });

  it('the test file reuses the training labels', async () => {
    const train = await readDataset(lib('agaricus.txt.train'));
    const test = await readDataset(lib('agaricus.txt.test'), { labels: train.dataset.labels, features: train.features });
    expect(test.rows).toBe(1_611);
    expect(test.dataset.labels).toEqual([0, 1]);
  });

});

describeWithSharedData('real data: CSV and timings', () => {
  it('epsilon CSV: labelColumn y, ignoreColumns id → 1,000 × 100, labels 0/1, values exact', async () => {
    const f = lib('epsilon_5k_100f_test.csv');
    const r = await readDataset(f, { labelColumn: 'y', ignoreColumns: ['id'] });
    if (r.format !== 'csv') throw new Error(`read as ${r.format}`);
    expect(r.rows).toBe(1_000);
    expect(r.features).toBe(100);
    expect(r.dataset.labels).toEqual([0, 1]);
    expect(r.featureNames?.slice(0, 2)).toEqual(['x1', 'x2']);
    const data = r.dataset.x.data;
    const lines = readFileSync(f, 'latin1').trim().split('\n').slice(1);
    const bad: string[] = [];
    lines.forEach((line, i) => {
      const cells = line.split(',');
      if (r.dataset.y[i] !== (cells[1] === '1' ? 1 : -1)) bad.push(`row ${i}: label ${cells[1]}`);
      for (let j = 0; j < 100; j++) if (!Object.is(data[i * 100 + j], Math.fround(parseFloat(cells[j + 2])))) bad.push(`row ${i} col ${j}: ${data[i * 100 + j]} for ${cells[j + 2]}`);
    });
    expect(bad).toEqual([]);
    const part1 = await readDataset(lib('epsilon_5k_100f_part1.csv.gz'), { labelColumn: 'y', ignoreColumns: ['id'] });
    expect(part1.rows).toBe(2_000);
  });

  it('parse times (logged; the bound only catches gross regressions on a loaded machine)', async () => {
    for (const f of ['ijcnn1.gz', 'ijcnn1.t.gz']) {
      const times: number[] = [];
      for (let k = 0; k < 5; k++) {
        const t = performance.now();
        await readDataset(lib(f));
        times.push(performance.now() - t);
      }
      const bytes = readFileSync(lib(f));
      const t = performance.now();
      await parseLibsvm(bytes);
      const web = performance.now() - t;
      times.sort((a, b) => a - b);
      console.log(`${f}: readDataset best ${times[0].toFixed(0)} ms, median ${times[2].toFixed(0)} ms; parseLibsvm(bytes) with DecompressionStream ${web.toFixed(0)} ms`);
      expect(times[0]).toBeLessThan(2000);
    }
    const t = performance.now();
    await parseCsv(readFileSync(lib('epsilon_5k_100f_test.csv')), { labelColumn: 'y', ignoreColumns: ['id'] });
    console.log(`epsilon_5k_100f_test.csv: parseCsv ${(performance.now() - t).toFixed(0)} ms`);
  });
});
