// SPDX-License-Identifier: MIT
// The int8 reference inference of a QuantizedGraph: TFLite's integer arithmetic op by op (src/quant/kernels.ts),
// used for calibration reports, for the fine-tune network's training data and as the test oracle of every runtime.
import { InvalidInputError } from '../errors.js';
import { opInputs, sizeMultiple } from './graph.js';
import { addInt8, concatInt8, type ConvInt8, convInt8, maxPoolInt8, upsample2xInt8 } from './kernels.js';
import type { QuantizedGraph } from './quantize.js';
import { activationRange, type AddParams, addParams, convMultiplier, QMAX, QMIN, type QParams, quantizeValue } from './spec.js';

/** The per-op integer parameters a runtime derives from the file at load time. */
export type PreparedOp = { conv: ConvInt8 } | { add: AddParams; lo: number; hi: number } | null;

export function prepareOps(q: QuantizedGraph): PreparedOp[] {
  const g = q.graph;
  return g.ops.map((op, i): PreparedOp => {
    const pin = q.params[opInputs(op)[0]];
    const pout = q.params[op.output];
    if (op.kind === 'conv') {
      const c = q.convs[i]!;
      const cout = g.tensors[op.output].channels;
      const multiplier = new Int32Array(cout);
      const shift = new Int32Array(cout);
      for (let o = 0; o < cout; o++) ({ multiplier: multiplier[o], shift: shift[o] } = convMultiplier(pin.scale, c.scales[o], pout.scale));
      const [actMin, actMax] = activationRange(pout, op.relu);
      return { conv: { k: op.k, cin: g.tensors[op.input].channels, cout, weights: c.weights, bias: c.bias, multiplier, shift, inZero: pin.zeroPoint, outZero: pout.zeroPoint, actMin, actMax } };
    }
    if (op.kind === 'add') {
      const [lo, hi] = activationRange(pout, op.relu);
      return { add: addParams(q.params[op.inputs[0]], q.params[op.inputs[1]], pout), lo, hi };
    }
    return null;
  });
}

/** An int8 'same' convolution: the TS kernel, or a faster twin with the same results (the wasm core's). */
export type ConvKernel = (x: Int8Array, h: number, w: number, p: ConvInt8) => Int8Array;

/**
 * Runs the int8 graph on one NHWC int8 input of h × w (multiples of the graph's largest stride). `conv` replaces
 * the TS convolution with a bit-identical faster one.
 */
export function runInt8(q: QuantizedGraph, input: Int8Array, h: number, w: number, prepared = prepareOps(q), conv: ConvKernel = convInt8): Int8Array {
  const g = q.graph;
  const m = sizeMultiple(g);
  if (h % m || w % m || h <= 0 || w <= 0) throw new InvalidInputError(`runInt8: '${g.name}' input size`, `${h}×${w}`, `positive multiples of ${m}`);
  const cin = g.tensors[g.input].channels;
  if (input.length !== h * w * cin) throw new InvalidInputError(`runInt8: '${g.name}' input`, `${input.length} values`, `${h}·${w}·${cin}`);
  const live = new Map<number, Int8Array>([[g.input, input]]);
  const last = new Map<number, number>();
  g.ops.forEach((op, i) => opInputs(op).forEach((j) => last.set(j, i)));
  g.ops.forEach((op, i) => {
    const s = g.tensors[op.output].stride;
    const [hh, ww] = [h / g.tensors[opInputs(op)[0]].stride, w / g.tensors[opInputs(op)[0]].stride];
    const ins = opInputs(op).map((j) => live.get(j)!);
    const p = prepared[i];
    let y: Int8Array;
    if (op.kind === 'conv') y = conv(ins[0], hh, ww, (p as { conv: ConvInt8 }).conv);
    else if (op.kind === 'maxpool') y = maxPoolInt8(ins[0], hh, ww, g.tensors[op.input].channels);
    else if (op.kind === 'upsample') y = upsample2xInt8(ins[0], hh, ww, g.tensors[op.input].channels);
    else if (op.kind === 'concat') y = concatInt8(ins, op.inputs.map((j) => g.tensors[j].channels), (h / s) * (w / s));
    else {
      const a = p as { add: AddParams; lo: number; hi: number };
      y = addInt8(ins[0], ins[1], a.add, a.lo, a.hi);
    }
    live.set(op.output, y);
    for (const j of opInputs(op)) if (last.get(j) === i && j !== g.output) live.delete(j); // freed after its last reader
  });
  return live.get(g.output)!;
}

/** Float values → int8 codes of `p` (round half away from zero, saturating). */
export function quantizeArray(x: ArrayLike<number>, p: QParams): Int8Array {
  const out = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = quantizeValue(x[i], p, QMIN, QMAX);
  return out;
}

/** int8 codes of `p` → float values. */
export function dequantizeArray(q: Int8Array, p: QParams): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = p.scale * (q[i] - p.zeroPoint);
  return out;
}
