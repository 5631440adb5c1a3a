// SPDX-License-Identifier: MIT
// `anyml svm generate` / writeSyntheticLibsvm: the file reads back as exactly makeClassification's data.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { f32String, writeSyntheticLibsvm } from '../../../src/io/generate.js';
import { readDataset } from '../../../src/io/node.js';
import { makeClassification } from '../../../src/svm/synthetic.js';

describe('writeSyntheticLibsvm', () => {
  it('writes rows that parse back to makeClassification exactly (sparse and dense)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anyml-gen-'));
    for (const o of [{ rows: 700, features: 40, density: 0.2, seed: 9 }, { rows: 50, features: 30, density: 1, seed: 2 }]) {
      const path = join(dir, `d${o.density}.libsvm`);
      const r = await writeSyntheticLibsvm(path, o);
      expect(r.rows).toBe(o.rows);
      const back = (await readDataset(path, { features: o.features })).dataset;
      const want = makeClassification(o);
      expect(Array.from(back.y)).toEqual(Array.from(want.y));
      if (want.x.kind === 'csr' && back.x.kind === 'csr') {
        expect(back.x.indices).toEqual(want.x.indices);
        expect(back.x.values).toEqual(want.x.values);
      } else {
        const dense = new Float32Array(o.rows * o.features);
        if (back.x.kind === 'csr') for (let i = 0; i < o.rows; i++) for (let p = back.x.indptr[i]; p < back.x.indptr[i + 1]; p++) dense[i * o.features + back.x.indices[p]] = back.x.values[p];
        expect(dense).toEqual((want.x as { data: Float32Array }).data);
      }
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('prints f32 values in their shortest round-trip form', () => {
    for (const v of [0.1, -1.2044857740402222, 3.4028234663852886e38, 1e-45, 123456.7890625].map(Math.fround)) {
      const s = f32String(v);
      expect(Math.fround(Number(s))).toBe(v);
      expect(s.replace(/^-|e.*$|\./g, '').replace(/^0+/, '').length).toBeLessThanOrEqual(9);
    }
    expect(f32String(Math.fround(0.1))).toBe('0.1');
  });
});
