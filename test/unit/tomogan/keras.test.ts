// SPDX-License-Identifier: MIT
// Keras HDF5 import: the test writes .h5 files in Keras 2 layout with h5wasm and checks outputs match.
import h5wasm, { type Group as H5Group } from 'h5wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { nextU32, seedState } from '../../../src/rng.js';
import { useBackend } from '../../../src/tomogan/backends/index.js';
import { importKerasH5 } from '../../../src/tomogan/keras.js';
import { createGenerator, Generator, type ConvWeights, type DecoderWidths } from '../../../src/tomogan/model.js';
import { forwardSeeded } from '../../helpers/tomogan.js';

let FS: { readFile(p: string): Uint8Array; unlink(p: string): void };

beforeAll(async () => {
  await useBackend('wasm');
  FS = (await h5wasm.ready).FS as unknown as typeof FS;
});

/**
 * A seeded generator with non-zero biases too: createGenerator's biases are zero (Keras default), which would hide a
 * bias mapped to the wrong layer.
 */
function seededGenerator(depth: 1 | 3, widths: DecoderWidths, seed: number): Generator {
  const g = createGenerator({ depth, widths, seed });
  const s = seedState(seed + 1000);
  const w = new Map<string, ConvWeights>();
  for (const [name, { kernel, bias }] of g.weights)
    w.set(name, { kernel, bias: Float32Array.from(bias, () => (nextU32(s) / 2 ** 32 - 0.5) * 0.2) });
  return new Generator({ depth, widths }, w);
}

/** Layer list of the functional TomoGAN model in Keras's topological order (tf2/models.py L30–75). */
function kerasLayers(): { name: string; conv?: number }[] {
  const conv = (i: number) => ({ name: i === 0 ? 'conv2d' : `conv2d_${i}`, conv: i });
  const sfx = (base: string, i: number) => ({ name: i === 0 ? base : `${base}_${i}` });
  return [
    { name: 'input_1' },
    conv(0), conv(1), conv(2), sfx('max_pooling2d', 0),
    conv(3), conv(4), sfx('max_pooling2d', 1),
    conv(5), conv(6), sfx('max_pooling2d', 2),
    conv(7),
    sfx('up_sampling2d', 0), sfx('concatenate', 0), conv(8), conv(9),
    sfx('up_sampling2d', 1), sfx('concatenate', 1), conv(10), conv(11),
    sfx('up_sampling2d', 2), sfx('concatenate', 2), conv(12), conv(13),
    conv(14), conv(15),
  ];
}

/** h5py stores string lists as fixed-length byte strings (numpy 'S<n>'), as Keras's save_attributes_to_hdf5_group does. */
function strAttr(g: H5Group, attr: string, list: string[]): void {
  if (list.length === 0) g.create_attribute(attr, new Float64Array(0), [0]); // np.asarray([]) is float64
  else g.create_attribute(attr, list, [list.length], `S${Math.max(...list.map((s) => s.length))}`);
}

interface WriteOptions {
  layout: 'model' | 'weights';
  /** New name for conv i (default: Keras auto-name). */
  rename?: (i: number) => string;
  /** Drop conv i. */
  drop?: number;
  /** Replace the kernel shape of conv i. */
  reshape?: { conv: number; shape: number[] };
  float64?: boolean;
}

let fileNo = 0;
/** Writes `gen` as Keras 2 would: model.save → model_weights/<layer>/<layer>/kernel:0; save_weights → /<layer>/… */
function writeKerasH5(gen: Generator, o: WriteOptions): Uint8Array {
  const path = `/keras-test-${fileNo++}.h5`;
  const f = new h5wasm.File(path, 'w');
  let root: H5Group = f;
  if (o.layout === 'model') {
    f.create_attribute('keras_version', '2.3.0-tf');
    f.create_attribute('backend', 'tensorflow');
    f.create_attribute('model_config', JSON.stringify({ class_name: 'Model', config: { name: 'model' } }));
    root = f.create_group('model_weights');
  }
  const layers = kerasLayers()
    .filter((l) => l.conv === undefined || l.conv !== o.drop)
    .map((l) => ({ ...l, name: l.conv !== undefined && o.rename ? o.rename(l.conv) : l.name }));
  strAttr(root, 'layer_names', layers.map((l) => l.name));
  root.create_attribute('backend', 'tensorflow');
  root.create_attribute('keras_version', '2.3.0-tf');
  for (const l of layers) {
    const g = root.create_group(l.name);
    if (l.conv === undefined) {
      strAttr(g, 'weight_names', []);
      continue;
    }
    const s = gen.specs[l.conv];
    const w = gen.weights.get(s.name)!;
    strAttr(g, 'weight_names', [`${l.name}/kernel:0`, `${l.name}/bias:0`]);
    const sub = g.create_group(l.name);
    const kshape = o.reshape?.conv === l.conv ? o.reshape.shape : [s.k, s.k, s.cin, s.cout];
    let kernel = w.kernel;
    if (o.reshape?.conv === l.conv) kernel = new Float32Array(kshape.reduce((a, b) => a * b, 1));
    const data = (a: Float32Array) => (o.float64 ? Float64Array.from(a) : a);
    sub.create_dataset({ name: 'kernel:0', data: data(kernel), shape: kshape, dtype: o.float64 ? '<d' : '<f' });
    sub.create_dataset({ name: 'bias:0', data: data(w.bias), shape: [s.cout], dtype: o.float64 ? '<d' : '<f' });
  }
  f.close();
  const bytes = FS.readFile(path).slice();
  FS.unlink(path);
  return bytes;
}

const run = (gen: Generator, seed = 7) => forwardSeeded(gen, 32, 32, seed);

/** Bitwise equality of float arrays (vitest's toEqual is slow on 100k-element typed arrays). */
const same = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

async function importError(bytes: Uint8Array): Promise<InvalidInputError> {
  const e = await importKerasH5(bytes, { name: 'gen.h5' }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InvalidInputError);
  return e as InvalidInputError;
}

describe('importKerasH5', () => {
  const cases = [1, 3].flatMap((depth) => (['repo', 'paper'] as const).map((widths) => ({ depth: depth as 1 | 3, widths })));
  for (const { depth, widths } of cases)
    it(`depth ${depth}, ${widths} widths: model.save and save_weights layouts give the original's output`, async () => {
      const orig = seededGenerator(depth, widths, 11 + depth);
      const want = await run(orig);
      for (const layout of ['model', 'weights'] as const) {
        const gen = await importKerasH5(writeKerasH5(orig, { layout }), { name: `${layout}.h5` });
        expect([gen.depth, gen.widths]).toEqual([depth, widths]);
        for (const s of orig.specs) {
          const [a, b] = [gen.weights.get(s.name)!, orig.weights.get(s.name)!];
          expect(same(a.kernel, b.kernel) && same(a.bias, b.bias), s.name).toBe(true);
        }
        expect(maxAbsDiff(await run(gen), want)).toBeLessThanOrEqual(1e-6);
        gen.dispose();
      }
      orig.dispose();
    });

  it('maps a renamed model (and auto-names past conv2d_15) by layer_names order; reads float64', async () => {
    const orig = seededGenerator(1, 'repo', 5);
    const want = await run(orig);
    for (const o of [
      { layout: 'model' as const, rename: (i: number) => `enc_dec_${String.fromCharCode(112 - i)}` }, // not alphabetical
      { layout: 'weights' as const, rename: (i: number) => `conv2d_${i + 16}` }, // a second model in the same session
      { layout: 'weights' as const, float64: true },
    ]) {
      const gen = await importKerasH5(writeKerasH5(orig, o));
      expect(maxAbsDiff(await run(gen), want)).toBeLessThanOrEqual(1e-6);
      gen.dispose();
    }
    orig.dispose();
  });

  it('reports a wrong shape with the layer, the shape found and the shape expected', async () => {
    const orig = seededGenerator(1, 'repo', 2);
    const e = await importError(writeKerasH5(orig, { layout: 'model', reshape: { conv: 5, shape: [3, 3, 32, 128] } }));
    expect(e.message).toContain("'conv2d_5'");
    expect(e.message).toContain('kernel [3,3,32,128], expected [3,3,64,128]');
    const r = await importError(writeKerasH5(orig, { layout: 'weights', rename: (i) => `c${i}`, reshape: { conv: 15, shape: [1, 1, 16, 2] } }));
    expect(r.message).toContain("'c15' (as conv2d_15)");
    expect(r.message).toContain('kernel [1,1,16,2], expected [1,1,16,1]');
    const d = await importError(writeKerasH5(orig, { layout: 'weights', reshape: { conv: 0, shape: [1, 1, 2, 8] } }));
    expect(d.message).toContain('depth 2');
    orig.dispose();
  });

  it('reports a missing layer by name', async () => {
    const orig = seededGenerator(3, 'paper', 4);
    const e = await importError(writeKerasH5(orig, { layout: 'model', drop: 7 }));
    expect(e.message).toContain('got 15');
    expect(e.message).toContain('missing conv2d_7');
    orig.dispose();
  });

  it('refuses bytes that are not HDF5', async () => {
    const e = await importError(new TextEncoder().encode('{"format":"not hdf5"}'));
    expect(e.message).toContain('no HDF5 signature');
  });
});
