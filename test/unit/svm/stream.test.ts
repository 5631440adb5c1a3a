// SPDX-License-Identifier: MIT
// createSvmStream: determinism, snapshots that leave training alone, label remapping and errors, feature growth.
import { describe, expect, it } from 'vitest';
import { AnymlError, InvalidInputError } from '../../../src/errors.js';
import { subsetDataset } from '../../../src/svm/data.js';
import { createSvmStream, type SvmStreamOptions } from '../../../src/svm/stream.js';
import { makeClassification } from '../../../src/svm/synthetic.js';
import type { CsrMatrix, Dataset } from '../../../src/types.js';

const all = makeClassification({ rows: 3000, features: 40, density: 0.3, noise: 0.02, seed: 5 });
const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
const batches = (data: Dataset, size: number): Dataset[] => {
  const out: Dataset[] = [];
  for (let i = 0; i < data.x.rows; i += size) out.push(subsetDataset(data, range(i, Math.min(data.x.rows, i + size))));
  return out;
};
const train = subsetDataset(all, range(0, 2500));
const test = subsetDataset(all, range(2500, 3000));

async function run(opts: SvmStreamOptions, data: Dataset[] = batches(train, 500), snapshotAfter = -1) {
  const s = await createSvmStream({ lambda: 1e-3, ...opts });
  let snap;
  for (let i = 0; i < data.length; i++) {
    await s.partialFit(data[i]);
    if (i === snapshotAfter) snap = s.model();
  }
  const model = s.model();
  const seen = s.seen;
  s.dispose();
  return { model, snap, seen };
}

describe('createSvmStream', () => {
  it('learns and is deterministic for a seed', async () => {
    const a = await run({ seed: 3, averageStart: 500 });
    const b = await run({ seed: 3, averageStart: 500 });
    const c = await run({ seed: 4, averageStart: 500 });
    expect(a.seen).toBe(2500);
    expect(a.model.evaluate(test).accuracy).toBeGreaterThan(0.9);
    expect(Array.from(b.model.weights)).toEqual(Array.from(a.model.weights));
    expect(b.model.bias).toBe(a.model.bias);
    expect(Array.from(c.model.weights)).not.toEqual(Array.from(a.model.weights));
    expect(a.model.trainedWith).toMatchObject({ streaming: true, seen: 2500, batches: 5, seed: 3 });
  });

  it('gives the same model on the js and wasm engines (bit-identical twins)', async () => {
    const js = await run({ backend: 'js', averageStart: 200 });
    const wasm = await run({ backend: 'wasm', averageStart: 200 });
    expect(Array.from(wasm.model.weights)).toEqual(Array.from(js.model.weights));
    expect(wasm.model.bias).toBe(js.model.bias);
  });

  it('model() snapshots leave training unchanged, and later training leaves the snapshot unchanged', async () => {
    for (const refitBias of ['reservoir', 'window', 'none'] as const) {
      const a = await run({ refitBias, averageStart: 100 }, batches(train, 500), 2);
      const b = await run({ refitBias, averageStart: 100 });
      expect(Array.from(a.model.weights)).toEqual(Array.from(b.model.weights));
      expect(a.model.bias).toBe(b.model.bias);
      const mid = await run({ refitBias, averageStart: 100 }, batches(train, 500).slice(0, 3));
      expect(Array.from(a.snap!.weights)).toEqual(Array.from(mid.model.weights));
      expect(a.snap!.bias).toBe(mid.model.bias);
    }
  });

  it('remaps a batch whose labels are the same values in the other order', async () => {
    const flipped = batches(train, 500).map((d, i) =>
      i % 2 ? { x: d.x, y: d.y.map((v) => -v), labels: [d.labels[1], d.labels[0]] as [number, number] } : d,
    );
    const a = await run({});
    const b = await run({}, flipped);
    expect(Array.from(b.model.weights)).toEqual(Array.from(a.model.weights));
  });

  it('refuses a batch with a label value the stream does not know, naming it', async () => {
    const s = await createSvmStream({ labels: [-1, 1] });
    const d = subsetDataset(train, range(0, 100));
    const bad = { ...d, labels: [0, 1] as [number, number] };
    const err = await s.partialFit(bad).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toContain('label value 0');
    expect(err.where).toBe('SvmStream.partialFit: batch 1: labels');
    // A batch that only uses the known value passes, whatever the parser guessed for the absent class.
    const onlyPos = subsetDataset(d, Int32Array.from(range(0, 100).filter((i) => d.y[i] > 0)));
    await s.partialFit({ ...onlyPos, labels: [0, 1] });
    expect(s.seen).toBe(onlyPos.x.rows);
  });

  it('grows the feature dimension by zero-padding the state (same model as declaring it up front)', async () => {
    const data = batches(train, 500);
    // The first two batches only see the first 20 columns, declared as 20 columns wide.
    const narrow = (d: Dataset): Dataset => {
      const x = d.x as CsrMatrix;
      const keep: number[] = [];
      const indptr = new Int32Array(x.rows + 1);
      for (let r = 0; r < x.rows; r++) {
        for (let k = x.indptr[r]; k < x.indptr[r + 1]; k++) if (x.indices[k] < 20) keep.push(k);
        indptr[r + 1] = keep.length;
      }
      const idx = Int32Array.from(keep);
      return { ...d, x: { kind: 'csr', rows: x.rows, cols: 20, indptr, indices: idx.map((k) => x.indices[k]), values: Float32Array.from(idx, (k) => x.values[k]) } };
    };
    const small = [narrow(data[0]), narrow(data[1]), ...data.slice(2)];
    const grown = await run({ averageStart: 300 }, small);
    const declared = await run({ averageStart: 300, features: 40 }, small);
    expect(grown.model.features).toBe(40);
    expect(Array.from(grown.model.weights)).toEqual(Array.from(declared.model.weights));
    expect(grown.model.bias).toBe(declared.model.bias);
    // A narrower batch after growth is widened, not refused.
    const s = await createSvmStream({ features: 40 });
    await s.partialFit(small[0]);
    expect(s.model().features).toBe(40);
    s.dispose();
  });

  it('accepts dense batches', async () => {
    const d = subsetDataset(train, range(0, 300));
    const x = d.x as CsrMatrix;
    const data = new Float32Array(x.rows * x.cols);
    for (let r = 0; r < x.rows; r++) for (let k = x.indptr[r]; k < x.indptr[r + 1]; k++) data[r * x.cols + x.indices[k]] = x.values[k];
    const sparse = await run({}, [d]);
    const dense = await run({}, [{ ...d, x: { kind: 'dense', rows: x.rows, cols: x.cols, data } }]);
    expect(Array.from(dense.model.weights)).toEqual(Array.from(sparse.model.weights));
  });

  it('checks options and use', async () => {
    await expect(createSvmStream({ lambda: 'auto' as unknown as number })).rejects.toThrow(/options\.lambda/);
    await expect(createSvmStream({ refitBias: 'x' as never })).rejects.toThrow(/refitBias/);
    const s = await createSvmStream();
    expect(() => s.model()).toThrow(AnymlError);
    s.dispose();
    await expect(s.partialFit(train)).rejects.toThrow(/dispose/);
  });
});
