// SPDX-License-Identifier: MIT
// The TomoGAN generator (docs/tomogan.md "Generator"; TomoGAN's tf2/models.py L30–75) as tfjs ops with explicit, seeded weights.
import { InvalidInputError } from '../errors.js';
import { nextU32, seedState } from '../rng.js';
import { platform } from '#platform';
import type { FetchLike } from '../platform/types.js';
import { tf } from './tf.js';
import type { TensorLike } from './types.js';
import { upsample2xExactGrad } from './upsample.js';

export type DecoderWidths = 'repo' | 'paper';

/** Decoder widths of the three up blocks: repo = models.py L59 (64, 32, 32); paper = TomoGAN-OCL L43–44 (128, 64, 32). */
export const DECODER_WIDTHS: Record<DecoderWidths, readonly [number, number, number]> = {
  repo: [64, 32, 32],
  paper: [128, 64, 32],
};

export interface ConvSpec {
  /** Keras auto-name in creation order (conv2d, conv2d_1, … conv2d_15): table row # = index + 1. */
  name: string;
  /** What the layer is in the U-Net. */
  role: string;
  k: 1 | 3;
  cin: number;
  cout: number;
  /** ReLU, except the output layer (row 16, L72: linear). */
  relu: boolean;
}

export interface GeneratorConfig {
  depth: 1 | 3;
  widths: DecoderWidths;
}

/** The 16 convolutions of docs/tomogan.md's table, rows 1–16, in Keras creation order. */
export function layerSpecs(cfg: GeneratorConfig): ConvSpec[] {
  const [d1, d2, d3] = DECODER_WIDTHS[cfg.widths];
  const rows: Omit<ConvSpec, 'name'>[] = [
    { role: 'in 1x1 (row 1, L40)', k: 1, cin: cfg.depth, cout: 8, relu: true },
    { role: 'box1 a (row 2, L44->L31)', k: 3, cin: 8, cout: 32, relu: true },
    { role: 'box1 b = skip1 (row 3, L32)', k: 3, cin: 32, cout: 32, relu: true },
    { role: 'box2 a (row 4, L49)', k: 3, cin: 32, cout: 64, relu: true },
    { role: 'box2 b = skip2 (row 5)', k: 3, cin: 64, cout: 64, relu: true },
    { role: 'box3 a (row 6)', k: 3, cin: 64, cout: 128, relu: true },
    { role: 'box3 b = skip3 (row 7)', k: 3, cin: 128, cout: 128, relu: true },
    { role: 'bottleneck (row 8, L55)', k: 3, cin: 128, cout: 128, relu: true },
    { role: 'up1 a (row 9, L66)', k: 3, cin: 128 + 128, cout: d1, relu: true },
    { role: 'up1 b (row 10)', k: 3, cin: d1, cout: d1, relu: true },
    { role: 'up2 a (row 11)', k: 3, cin: 64 + d1, cout: d2, relu: true },
    { role: 'up2 b (row 12)', k: 3, cin: d2, cout: d2, relu: true },
    { role: 'up3 a (row 13)', k: 3, cin: 32 + d2, cout: d3, relu: true },
    { role: 'up3 b (row 14)', k: 3, cin: d3, cout: d3, relu: true },
    { role: 'head 1x1 (row 15, L69)', k: 1, cin: d3, cout: 16, relu: true },
    { role: 'out 1x1, linear (row 16, L72)', k: 1, cin: 16, cout: 1, relu: false },
  ];
  return rows.map((r, i) => ({ name: i === 0 ? 'conv2d' : `conv2d_${i}`, ...r }));
}

/** One conv's weights: kernel in Keras/tfjs HWIO layout [k, k, cin, cout], bias [cout]. */
export interface ConvWeights {
  kernel: Float32Array;
  bias: Float32Array;
}

/** @internal Half-pixel bilinear ×2 = TF2 Keras UpSampling2D(interpolation='bilinear') (docs/tomogan.md "Bilinear upsampling"). */
export function upsample2x(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  return tf.image.resizeBilinear(x, [2 * h, 2 * w], false, true);
}

export class Generator {
  readonly depth: 1 | 3;
  readonly widths: DecoderWidths;
  readonly specs: readonly ConvSpec[];
  readonly weights: ReadonlyMap<string, ConvWeights>;
  private cache: { backend: string; t: Map<string, { k: tf.Tensor4D; b: tf.Tensor1D }> } | undefined;

  constructor(cfg: GeneratorConfig, weights: Map<string, ConvWeights>) {
    this.depth = cfg.depth;
    this.widths = cfg.widths;
    this.specs = layerSpecs(cfg);
    for (const s of this.specs) {
      const w = weights.get(s.name);
      const nk = s.k * s.k * s.cin * s.cout;
      if (!w) throw new InvalidInputError(`Generator: weights['${s.name}']`, 'nothing', `kernel [${s.k},${s.k},${s.cin},${s.cout}] and bias [${s.cout}]`);
      if (w.kernel.length !== nk || w.bias.length !== s.cout)
        throw new InvalidInputError(`Generator: weights['${s.name}']`, `kernel of ${w.kernel.length} and bias of ${w.bias.length} values`, `${nk} and ${s.cout} (${s.role})`);
    }
    this.weights = weights;
  }

  /** Number of trainable parameters (docs/tomogan.md: 694,897 repo / depth 1; 1,063,729 paper / depth 1). */
  get paramCount(): number {
    return this.specs.reduce((n, s) => n + s.k * s.k * s.cin * s.cout + s.cout, 0);
  }

  /** Weight tensors on the active tfjs backend (re-created after a backend switch). */
  private tensors(): Map<string, { k: tf.Tensor4D; b: tf.Tensor1D }> {
    const backend = tf.getBackend();
    if (this.cache?.backend === backend) return this.cache.t;
    this.dispose();
    const t = new Map<string, { k: tf.Tensor4D; b: tf.Tensor1D }>();
    for (const s of this.specs) {
      const w = this.weights.get(s.name)!;
      t.set(s.name, { k: tf.tensor4d(w.kernel, [s.k, s.k, s.cin, s.cout]), b: tf.tensor1d(w.bias) });
    }
    this.cache = { backend, t };
    return t;
  }

  /** Frees the cached weight tensors (the Float32Array weights stay). */
  dispose(): void {
    if (!this.cache) return;
    for (const { k, b } of this.cache.t.values()) {
      k.dispose();
      b.dispose();
    }
    this.cache = undefined;
  }

  /**
   * @internal
   * Forward pass on NHWC input [B, H, W, depth] with H, W multiples of 8 (three 'same' 2×2 pools, docs/tomogan.md "Generator").
   * Returns [B, H, W, 1]. Disposes every intermediate as soon as it is consumed (docs/toolchain.md: one big tf.tidy
   * exhausts the 4 GB wasm heap). The input tensor is not disposed.
   *
   * Training passes `params` (tf.Variables with the same names, from trainTomogan) and `keep: true`: a gradient tape
   * needs the intermediates, so they are left to the caller's tf.tidy / optimizer.minimize scope.
   */
  forward(x: tf.Tensor4D, opts?: { params?: ReadonlyMap<string, { k: tf.Tensor4D; b: tf.Tensor1D }>; keep?: boolean }): tf.Tensor4D;
  /**
   * The public form: a tfjs Tensor4D [B, H, W, depth] in (H, W multiples of 8), a new Tensor4D [B, H, W, 1] out, on
   * the active tfjs backend. Typed structurally so that anyml's declarations do not import tfjs-core's.
   */
  forward(x: TensorLike): TensorLike;
  forward(x: tf.Tensor4D, opts: { params?: ReadonlyMap<string, { k: tf.Tensor4D; b: tf.Tensor1D }>; keep?: boolean } = {}): tf.Tensor4D {
    const [, h, w, c] = x.shape;
    if (h % 8 !== 0 || w % 8 !== 0 || h === 0 || w === 0)
      throw new InvalidInputError('Generator.forward: input', `${h}×${w}`, 'height and width positive multiples of 8');
    if (c !== this.depth) throw new InvalidInputError('Generator.forward: input channels', String(c), `${this.depth} (model depth)`);
    const t = opts.params ?? this.tensors();
    const eager = !opts.keep;
    let i = 0;
    const conv = (inp: tf.Tensor4D, free: boolean): tf.Tensor4D => {
      const s = this.specs[i++];
      const { k, b } = t.get(s.name)!;
      const out = tf.fused.conv2d({
        x: inp,
        filter: k,
        bias: b,
        strides: 1,
        pad: s.k === 1 ? 'valid' : 'same',
        activation: s.relu ? 'relu' : 'linear',
      });
      if (free && eager) inp.dispose();
      return out;
    };
    const pool = (inp: tf.Tensor4D): tf.Tensor4D => tf.maxPool(inp, 2, 2, 'same'); // L48, L54; skips stay alive
    // Encoder: rows 1–8.
    let y = conv(x, false); // row 1
    y = conv(y, true); // row 2
    const skip1 = conv(y, true); // row 3
    y = pool(skip1);
    y = conv(y, true); // row 4
    const skip2 = conv(y, true); // row 5
    y = pool(skip2);
    y = conv(y, true); // row 6
    const skip3 = conv(y, true); // row 7
    y = pool(skip3);
    y = conv(y, true); // row 8, bottleneck
    // Decoder: three times [bilinear ×2 (L64), concatenate([skip, up]) (L65), two 3×3 convs (L66)], rows 9–14.
    for (const skip of [skip3, skip2, skip1]) {
      // Training (keep) needs the exact half-pixel adjoint: tfjs 4.22's ResizeBilinearGrad ignores halfPixelCenters.
      const up = eager ? upsample2x(y) : upsample2xExactGrad(y);
      const cat = tf.concat([skip, up], 3);
      if (eager) {
        y.dispose();
        up.dispose();
        skip.dispose();
      }
      y = conv(cat, true);
      y = conv(y, true);
    }
    y = conv(y, true); // row 15
    return conv(y, true); // row 16, linear
  }
}

/** Glorot-uniform limit sqrt(6 / (fan_in + fan_out)), fans = k²·cin and k²·cout (Keras default initialiser). */
function glorot(state: Uint32Array, s: ConvSpec): Float32Array {
  const n = s.k * s.k * s.cin * s.cout;
  const limit = Math.sqrt(6 / (s.k * s.k * (s.cin + s.cout)));
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) out[j] = ((nextU32(state) + 0.5) / 4294967296 * 2 - 1) * limit;
  return out;
}

export interface CreateGeneratorOptions {
  depth?: 1 | 3;
  widths?: DecoderWidths;
  /** Seed of anyml's xoshiro128** stream (src/rng.ts) for the glorot-uniform kernels; biases are zero. */
  seed?: number;
}

/** A generator with seeded glorot-uniform kernels and zero biases (Keras defaults, docs/tomogan.md "Generator"). */
export function createGenerator(opts: CreateGeneratorOptions = {}): Generator {
  const cfg: GeneratorConfig = { depth: opts.depth ?? 1, widths: opts.widths ?? 'repo' };
  if (cfg.depth !== 1 && cfg.depth !== 3) throw new InvalidInputError('createGenerator: depth', String(cfg.depth), '1 or 3');
  if (!(cfg.widths in DECODER_WIDTHS)) throw new InvalidInputError('createGenerator: widths', String(cfg.widths), "'repo' or 'paper'");
  const state = seedState(opts.seed ?? 0);
  const weights = new Map<string, ConvWeights>();
  for (const s of layerSpecs(cfg)) weights.set(s.name, { kernel: glorot(state, s), bias: new Float32Array(s.cout) });
  return new Generator(cfg, weights);
}

// ---------------------------------------------------------------------------------------------------------------
// Weights in tfjs format: a model.json-like manifest + one little-endian float32 buffer.

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface TomoganModelJson {
  format: 'anyml-tomogan-generator';
  generatedBy: string;
  modelTopology: { class_name: 'TomoGANGenerator'; config: { depth: 1 | 3; widths: DecoderWidths } };
  weightsManifest: { paths: string[]; weights: WeightEntry[] }[];
}

export interface SavedWeights {
  modelJson: TomoganModelJson;
  /** Concatenated float32 values in manifest order (weights.bin). */
  weightData: ArrayBuffer;
}

/** One named weight array: `<layer>/kernel` (HWIO [k, k, cin, cout]) or `<layer>/bias` ([cout]). */
export interface NamedShape {
  name: string;
  shape: number[];
}

/** The names and shapes of a generator's weights in layer order, kernel then bias: the tfjs layers naming. */
export function weightShapes(specs: readonly ConvSpec[], prefix = ''): NamedShape[] {
  return specs.flatMap((s) => [
    { name: `${prefix}${s.name}/kernel`, shape: [s.k, s.k, s.cin, s.cout] },
    { name: `${prefix}${s.name}/bias`, shape: [s.cout] },
  ]);
}

/** The generator's weights as named arrays, in weightShapes order (the arrays are the generator's own, not copies). */
export function weightArrays(gen: Generator, prefix = ''): (NamedShape & { values: Float32Array })[] {
  return gen.specs.flatMap((s, i) => {
    const w = gen.weights.get(s.name)!;
    const [k, b] = weightShapes([gen.specs[i]], prefix);
    return [{ ...k, values: w.kernel }, { ...b, values: w.bias }];
  });
}

/** Per-layer ConvWeights from named arrays (`get(name)`, names as weightShapes); throws naming the first missing. */
export function convWeightsFrom(specs: readonly ConvSpec[], get: (name: string) => Float32Array | undefined, where: string, prefix = ''): Map<string, ConvWeights> {
  const weights = new Map<string, ConvWeights>();
  for (const s of specs) {
    const kernel = get(`${prefix}${s.name}/kernel`);
    const bias = get(`${prefix}${s.name}/bias`);
    if (!kernel || !bias) throw new InvalidInputError(`${where}: weights`, `no '${prefix}${s.name}/${kernel ? 'bias' : 'kernel'}'`, `all ${specs.length} conv layers (${s.role})`);
    weights.set(s.name, { kernel, bias });
  }
  return weights;
}

/** Serialises the weights: names `<layer>/kernel` ([k,k,cin,cout]) and `<layer>/bias`, as in tfjs layers models. */
export function saveWeights(gen: Generator, binName = 'weights.bin'): SavedWeights {
  const arrays = weightArrays(gen);
  const entries: WeightEntry[] = arrays.map(({ name, shape }) => ({ name, shape, dtype: 'float32' }));
  const data = new Float32Array(gen.paramCount);
  let off = 0;
  for (const a of arrays) {
    data.set(a.values, off);
    off += a.values.length;
  }
  return {
    modelJson: {
      format: 'anyml-tomogan-generator',
      generatedBy: 'anyml',
      modelTopology: { class_name: 'TomoGANGenerator', config: { depth: gen.depth, widths: gen.widths } },
      weightsManifest: [{ paths: [binName], weights: entries }],
    },
    weightData: data.buffer,
  };
}

/** Builds a Generator from a parsed manifest and its concatenated weight buffer. */
export function generatorFromWeights(modelJson: TomoganModelJson, weightData: ArrayBuffer | Uint8Array): Generator {
  const where = 'loadWeights';
  const groups = modelJson?.weightsManifest;
  if (!Array.isArray(groups)) throw new InvalidInputError(`${where}: model.json`, 'no weightsManifest array', 'a tfjs model.json');
  const bytes = weightData instanceof Uint8Array ? weightData : new Uint8Array(weightData);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = new Map<string, Float32Array>();
  let off = 0;
  for (const g of groups)
    for (const e of g.weights) {
      if (e.dtype !== 'float32') throw new InvalidInputError(`${where}: weight '${e.name}' dtype`, String(e.dtype), 'float32');
      const n = e.shape.reduce((a, b) => a * b, 1);
      if (off + 4 * n > bytes.byteLength)
        throw new InvalidInputError(`${where}: weights.bin`, `${bytes.byteLength} bytes`, `at least ${off + 4 * n} bytes for '${e.name}'`);
      const a = new Float32Array(n);
      for (let j = 0; j < n; j++) a[j] = view.getFloat32(off + 4 * j, true);
      found.set(e.name, a);
      off += 4 * n;
    }
  // Depth and widths: from the topology when present, else inferred from the kernel shapes.
  const shapeOf = (name: string) => groups.flatMap((g) => g.weights).find((e) => e.name === name)?.shape;
  const cfgIn = modelJson.modelTopology?.config;
  const depth = (cfgIn?.depth ?? shapeOf('conv2d/kernel')?.[2]) as 1 | 3;
  let widths = cfgIn?.widths;
  if (!widths) widths = shapeOf('conv2d_8/kernel')?.[3] === 128 ? 'paper' : 'repo';
  if (depth !== 1 && depth !== 3) throw new InvalidInputError(`${where}: input depth`, String(depth), '1 or 3');
  return new Generator({ depth, widths }, convWeightsFrom(layerSpecs({ depth, widths }), (n) => found.get(n), where));
}

export interface LoadWeightsOptions {
  /** fetch to use for http(s), data: and blob: URLs (default globalThis.fetch). file: URLs are read from disk in Node. */
  fetch?: FetchLike;
}

/** A URL string, or in Node a file path (relative to the working directory). */
function toUrl(s: string): URL {
  try {
    return new URL(s);
  } catch {
    const cwd = typeof process !== 'undefined' && typeof process.cwd === 'function' ? process.cwd() : undefined;
    if (!cwd) throw new InvalidInputError('loadWeights: source', s, 'an absolute URL');
    return new URL(s.split('/').map(encodeURIComponent).join('/'), `file://${cwd.endsWith('/') ? cwd : cwd + '/'}`);
  }
}

/** The bytes of one weights file (model.json or a shard); a failure is an InvalidInputError naming the file or URL. */
export async function readWeightsFile(url: URL, opts: LoadWeightsOptions = {}): Promise<Uint8Array> {
  try {
    return await platform.readUrl(url, opts.fetch);
  } catch (e) {
    const expected = 'a readable model.json / weights file';
    if (url.protocol === 'file:') throw new InvalidInputError('loadWeights: file', decodeURIComponent(url.pathname), expected, (e as NodeJS.ErrnoException).code ?? String(e));
    throw new InvalidInputError('loadWeights: url', url.href, expected, e instanceof Error ? e.message : String(e));
  }
}

/**
 * Loads a generator from saved weights: `{ modelJson, weightData }` (objects or bytes), or the URL of a model.json
 * whose `weightsManifest[].paths` are resolved relative to it (http(s): via fetch, file: via node:fs).
 */
export async function loadWeights(
  source: string | URL | { modelJson: TomoganModelJson | Uint8Array | string; weightData: ArrayBuffer | Uint8Array },
  opts: LoadWeightsOptions = {},
): Promise<Generator> {
  if (typeof source === 'object' && !(source instanceof URL)) {
    const mj = source.modelJson;
    const parsed = typeof mj === 'string' ? JSON.parse(mj) : mj instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(mj)) : mj;
    return generatorFromWeights(parsed as TomoganModelJson, source.weightData);
  }
  const url = source instanceof URL ? source : toUrl(source);
  const modelJson = JSON.parse(new TextDecoder().decode(await readWeightsFile(url, opts))) as TomoganModelJson;
  const parts: Uint8Array[] = [];
  for (const g of modelJson.weightsManifest ?? []) for (const p of g.paths) parts.push(await readWeightsFile(new URL(p, url), opts));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.byteLength;
  }
  return generatorFromWeights(modelJson, all);
}
