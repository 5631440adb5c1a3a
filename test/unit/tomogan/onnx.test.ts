// SPDX-License-Identifier: MIT
// ONNX export: the exported model runs in onnxruntime-web (wasm EP, Node) and matches Generator.forward.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { useBackend } from '../../../src/tomogan/backends/index.js';
import { tf } from '../../../src/tomogan/tf.js';
import { createGenerator, type Generator } from '../../../src/tomogan/model.js';
import { exportOnnx, hwioToOihw, onnxIrVersion } from '../../../src/tomogan/onnx.js';
import { randomImage, relErr } from '../../helpers/tomogan.js';

/** max |onnx − tfjs| / max |tfjs| (fp32 summation order differs between engines; measured ~1.5e-6). */
const TOLERANCE = 1e-4;

beforeAll(async () => {
  await useBackend('cpu');
  ort.env.wasm.numThreads = 1;
});

// ---------------------------------------------------------------------------------------------------------------
// A tiny protobuf reader for the structural checks: field number → list of raw values (varint as number,
// length-delimited as bytes, fixed32 as bytes).

type Field = number | Uint8Array;
function decode(b: Uint8Array): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let o = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const c = b[o++];
      v += (c & 0x7f) * mul;
      mul *= 128;
      if (c < 0x80) return v;
    }
  };
  while (o < b.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    let val: Field;
    if (wire === 0) val = varint();
    else if (wire === 2) {
      const n = varint();
      val = b.subarray(o, o + n);
      o += n;
    } else if (wire === 5) {
      val = b.subarray(o, o + 4);
      o += 4;
    } else throw new Error(`unexpected wire type ${wire}`);
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(val);
  }
  return out;
}
const str = (f: Field | undefined) => new TextDecoder().decode(f as Uint8Array);
const msgs = (m: Map<number, Field[]>, field: number) => (m.get(field) ?? []).map((f) => decode(f as Uint8Array));

// ---------------------------------------------------------------------------------------------------------------

/** Runs gen.forward (tfjs, NHWC) and the exported model (onnxruntime-web, NCHW) on the same seeded image. */
async function compare(gen: Generator, w: number, h: number, seed: number, batch = 1): Promise<{ rel: number; maxAbs: number }> {
  const d = gen.depth;
  // Batch of seeded planar images [depth][h][w]; scaled to [0, 1).
  const imgs = Array.from({ length: batch }, (_, b) => randomImage(w, h, d, seed + b).data.map((v) => v / 255));
  const nhwc = new Float32Array(batch * h * w * d);
  const nchw = new Float32Array(batch * d * h * w);
  for (let b = 0; b < batch; b++)
    for (let z = 0; z < d; z++)
      for (let i = 0; i < h * w; i++) {
        const v = imgs[b][z * h * w + i];
        nhwc[(b * h * w + i) * d + z] = v;
        nchw[(b * d + z) * h * w + i] = v;
      }
  const x = tf.tensor4d(nhwc, [batch, h, w, d]);
  const y = gen.forward(x);
  x.dispose();
  const ref = (await y.data()) as Float32Array; // [N, H, W, 1] = [N, 1, H, W] in memory
  y.dispose();

  const session = await ort.InferenceSession.create(exportOnnx(gen), { executionProviders: ['wasm'] });
  try {
    const res = await session.run({ input: new ort.Tensor('float32', nchw, [batch, d, h, w]) });
    const out = res.output;
    expect(out.dims).toEqual([batch, 1, h, w]);
    const got = out.data as Float32Array;
    expect(got.length).toBe(ref.length);
    expect(got.every(Number.isFinite)).toBe(true);
    let maxAbs = 0;
    for (let i = 0; i < ref.length; i++) maxAbs = Math.max(maxAbs, Math.abs(got[i] - ref[i]));
    return { rel: relErr(got, ref), maxAbs };
  } finally {
    await session.release();
  }
}

describe('exportOnnx', () => {
  const cases = [
    { depth: 1, widths: 'repo', seed: 41 },
    { depth: 3, widths: 'repo', seed: 42 },
    { depth: 1, widths: 'paper', seed: 43 },
    { depth: 3, widths: 'paper', seed: 44 },
  ] as const;

  for (const c of cases)
    it(`onnxruntime-web matches Generator.forward within ${TOLERANCE} relative (depth ${c.depth}, ${c.widths}, 32×40)`, async () => {
      const gen = createGenerator(c);
      // Non-zero biases so the bias path and its layout are exercised too (createGenerator's are zero).
      let s = c.seed;
      for (const w of gen.weights.values()) for (let i = 0; i < w.bias.length; i++) w.bias[i] = (((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5) * 0.1;
      gen.dispose();
      const { rel, maxAbs } = await compare(gen, 32, 40, c.seed);
      console.log(`onnx vs tfjs-cpu depth ${c.depth} ${c.widths}: max rel ${rel.toExponential(2)}, max abs ${maxAbs.toExponential(2)}`);
      expect(rel).toBeLessThan(TOLERANCE);
      gen.dispose();
    });

  it('dynamic N/H/W: one model runs a batch of 2 at 16×24', async () => {
    const gen = createGenerator({ seed: 45 });
    const { rel } = await compare(gen, 16, 24, 7, 2);
    expect(rel).toBeLessThan(TOLERANCE);
    gen.dispose();
  });

  it('writes a well-formed ModelProto: IR/opset, input/output names and shapes, 40 nodes, OIHW initializers', () => {
    const gen = createGenerator({ depth: 3, widths: 'paper', seed: 46 });
    const model = decode(exportOnnx(gen));
    expect(model.get(1)).toEqual([8]); // ir_version for opset 17
    const opset = msgs(model, 8);
    expect(opset.length).toBe(1);
    expect(opset[0].get(2)).toEqual([17]);
    expect(str(model.get(2)?.[0])).toBe('anyml');
    const graph = msgs(model, 7)[0];

    const ops = msgs(graph, 1).map((n) => str(n.get(4)?.[0]));
    const count = (op: string) => ops.filter((o) => o === op).length;
    expect([count('Conv'), count('Relu'), count('MaxPool'), count('Resize'), count('Concat')]).toEqual([16, 15, 3, 3, 3]);
    expect(ops.length).toBe(40);

    const dims = (vi: Map<number, Field[]>) => {
      const tensor = msgs(msgs(vi, 2)[0], 1)[0];
      expect(tensor.get(1)).toEqual([1]); // elem_type FLOAT
      return msgs(msgs(tensor, 2)[0], 1).map((d) => (d.has(1) ? d.get(1)![0] : str(d.get(2)![0])));
    };
    const inputs = msgs(graph, 11);
    const outputs = msgs(graph, 12);
    expect(inputs.map((i) => str(i.get(1)?.[0]))).toEqual(['input']);
    expect(outputs.map((i) => str(i.get(1)?.[0]))).toEqual(['output']);
    expect(dims(inputs[0])).toEqual(['N', 3, 'H', 'W']);
    expect(dims(outputs[0])).toEqual(['N', 1, 'H', 'W']);

    // Resize attributes and the Concat axis.
    const attrs = (n: Map<number, Field[]>) => new Map(msgs(n, 5).map((a) => [str(a.get(1)?.[0]), a] as const));
    const resize = msgs(graph, 1).find((n) => str(n.get(4)?.[0]) === 'Resize')!;
    const ra = attrs(resize);
    expect(str(ra.get('mode')?.get(4)?.[0])).toBe('linear');
    expect(str(ra.get('coordinate_transformation_mode')?.get(4)?.[0])).toBe('half_pixel');
    expect(str(resize.get(1)?.[1])).toBe(''); // empty roi (opset ≥ 13)
    const concat = msgs(graph, 1).find((n) => str(n.get(4)?.[0]) === 'Concat')!;
    expect(attrs(concat).get('axis')?.get(3)).toEqual([1]);

    // Initializers: 16 kernels + 16 biases + scales; first kernel OIHW [8, 3, 1, 1], a 3×3 one [32, 8, 3, 3].
    const inits = new Map(msgs(graph, 5).map((t) => [str(t.get(8)?.[0]), t] as const));
    expect(inits.size).toBe(33);
    const packed = (f: Field | undefined) => Array.from(decodeVarints(f as Uint8Array));
    expect(packed(inits.get('conv2d/kernel')?.get(1)?.[0])).toEqual([8, 3, 1, 1]);
    expect(packed(inits.get('conv2d_1/kernel')?.get(1)?.[0])).toEqual([32, 8, 3, 3]);
    const raw = inits.get('resize_scales')!.get(9)![0] as Uint8Array;
    expect(Array.from(new Float32Array(raw.slice().buffer))).toEqual([1, 1, 2, 2]);
    const k1 = inits.get('conv2d_1/kernel')!.get(9)![0] as Uint8Array;
    expect(new Float32Array(k1.slice().buffer)).toEqual(hwioToOihw(gen.weights.get('conv2d_1')!.kernel, 3, 8, 32));
  });

  it('fixed sizes, other opsets, bad options', async () => {
    const gen = createGenerator({ seed: 47 });
    const fixed = decode(exportOnnx(gen, { dynamicSize: false, height: 40, width: 32 }));
    const inShape = msgs(msgs(msgs(msgs(msgs(fixed, 7)[0], 11)[0], 2)[0], 1)[0], 2)[0];
    expect(msgs(inShape, 1).map((d) => d.get(1)?.[0])).toEqual([1, 1, 40, 32]);
    expect(() => exportOnnx(gen, { dynamicSize: false })).toThrow(InvalidInputError);
    expect(() => exportOnnx(gen, { dynamicSize: false, height: 12, width: 16 })).toThrow(InvalidInputError);
    expect(() => exportOnnx(gen, { opset: 10 })).toThrow(InvalidInputError);
    expect([11, 13, 17, 21].map(onnxIrVersion)).toEqual([6, 7, 8, 10]);
    // Opset 11 (roi as an empty initializer) and 13 load and run too.
    const x = new ort.Tensor('float32', new Float32Array(16 * 16).fill(0.5), [1, 1, 16, 16]);
    const outs: Float32Array[] = [];
    for (const opset of [11, 13, 17]) {
      const s = await ort.InferenceSession.create(exportOnnx(gen, { opset }), { executionProviders: ['wasm'] });
      outs.push((await s.run({ input: x })).output.data as Float32Array);
      await s.release();
    }
    expect(relErr(outs[0], outs[2])).toBeLessThan(1e-6);
    expect(relErr(outs[1], outs[2])).toBeLessThan(1e-6);
    gen.dispose();
  });
});

function decodeVarints(b: Uint8Array): number[] {
  const out: number[] = [];
  let v = 0;
  let mul = 1;
  for (const c of b) {
    v += (c & 0x7f) * mul;
    mul *= 128;
    if (c < 0x80) {
      out.push(v);
      v = 0;
      mul = 1;
    }
  }
  return out;
}
