// SPDX-License-Identifier: MIT
// The TomoGAN generator as a quant/graph.ts Graph (docs/tomogan.md "Generator"): the same 16 convolutions, pools,
// upsamplings and concatenations as Generator.forward, in the same order, for quantization and export.
import { checkGraph, type Graph, type GraphOp, type GraphTensor } from '../quant/graph.js';
import type { ConvSpec, ConvWeights } from './model.js';

/** What the builder needs of a Generator (no tfjs): its specs, weights and input depth. */
export interface GeneratorParts {
  readonly depth: number;
  readonly specs: readonly ConvSpec[];
  readonly weights: ReadonlyMap<string, ConvWeights>;
}

class Builder {
  readonly tensors: GraphTensor[] = [];
  readonly ops: GraphOp[] = [];
  private i = 0;

  constructor(private readonly gen: GeneratorParts) {}

  tensor(name: string, channels: number, stride: number): number {
    this.tensors.push({ name, channels, stride });
    return this.tensors.length - 1;
  }

  conv(input: number): number {
    const s = this.gen.specs[this.i++];
    const w = this.gen.weights.get(s.name)!;
    const output = this.tensor(s.name, s.cout, this.tensors[input].stride);
    this.ops.push({ kind: 'conv', name: s.name, input, output, k: s.k, relu: s.relu, kernel: w.kernel, bias: w.bias });
    return output;
  }

  pool(input: number, name: string): number {
    const t = this.tensors[input];
    const output = this.tensor(name, t.channels, t.stride * 2);
    this.ops.push({ kind: 'maxpool', input, output });
    return output;
  }

  upConcat(skip: number, input: number, n: number): number {
    const t = this.tensors[input];
    const up = this.tensor(`up${n}`, t.channels, t.stride / 2);
    this.ops.push({ kind: 'upsample', input, output: up });
    const cat = this.tensor(`concat${n}`, this.tensors[skip].channels + t.channels, t.stride / 2);
    this.ops.push({ kind: 'concat', inputs: [skip, up], output: cat });
    return cat;
  }
}

/** The generator's graph: input 'input' (depth channels, 0…255 scale), output the last 1×1 convolution. */
export function generatorGraph(gen: GeneratorParts, name = 'tomogan'): Graph {
  const b = new Builder(gen);
  const input = b.tensor('input', gen.depth, 1);
  let y = b.conv(b.conv(input)); // rows 1, 2
  const skip1 = b.conv(y); // row 3
  y = b.conv(b.pool(skip1, 'pool1')); // row 4
  const skip2 = b.conv(y); // row 5
  y = b.conv(b.pool(skip2, 'pool2')); // row 6
  const skip3 = b.conv(y); // row 7
  y = b.conv(b.pool(skip3, 'pool3')); // row 8, bottleneck
  [skip3, skip2, skip1].forEach((skip, n) => {
    y = b.conv(b.conv(b.upConcat(skip, y, n + 1))); // rows 9–14
  });
  const output = b.conv(b.conv(y)); // rows 15, 16 (linear)
  return checkGraph({ name, tensors: b.tensors, input, output, ops: b.ops });
}
