// SPDX-License-Identifier: MIT
// Training kernels that tfjs-backend-wasm 4.22 lacks or gets wrong (docs/toolchain.md "tfjs"), plus an exact-gradient ×2 upsample.
import { tf } from '../tf.js';

type TensorInfo = tf.TensorInfo;
type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** The part of tfjs-backend-wasm's BackendWasm these kernels use (public members of its d.ts). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): ArrayLike<number>;
  disposeData(dataId: object): boolean;
}

/**
 * A fresh Float32Array view of a tensor on the wasm heap. Views detach when the heap grows, so take one right before
 * use, after the last makeOutput (as tfjs-backend-wasm's `typedArrayFromHeap` does).
 */
const heap = (b: WasmBackend, t: TensorInfo): Float32Array => b.typedArrayFromHeap(t) as Float32Array;
const size = (shape: number[]): number => shape.reduce((a, c) => a * c, 1);

/**
 * Internal test hooks (not public API). `maxColFloats`: cap on one im2col chunk, default 2^24 floats = 64 MiB of the
 * 4 GB wasm heap (running out of it gives no clean OOM error, docs/toolchain.md); tests lower it to exercise chunking.
 */
export const __testHooks = { maxColFloats: 1 << 24 };

/**
 * x [N,H,W,Cin] (NHWC) → zero-padded, channel-major [Cin][N][hp][wp] plus `slack` zeros, so that each im2col row is a run
 * of plain copies. Padding follows `computeConv2DInfo`: 'same' puts floor(total/2) on top/left, as tfjs-backend-cpu does.
 */
function padChannelMajor(xv: Float32Array, c: Conv2DInfo, hp: number, wp: number, slack: number): Float32Array {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin } = c;
  const { top, left } = c.padInfo;
  const plane = n * hp * wp;
  const out = new Float32Array(cin * plane + slack);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++) {
      const dst = (b * hp + i + top) * wp + left;
      const src = (b * h + i) * w * cin;
      for (let j = 0; j < w; j++) for (let k = 0, s = src + j * cin; k < cin; k++) out[k * plane + dst + j] = xv[s + k];
    }
  return out;
}

/** One chunk's operands: colT [k²·Cin, mc] and dy [mc, Cout] over `units` [u0, u1) (each unit = `cols` matmul rows). */
interface Im2col {
  units: number;
  cols: number;
  fill(col: Float32Array, dyc: Float32Array, dyv: Float32Array, u0: number, u1: number): void;
}

/**
 * Any stride. Units are output rows r = n·OH + oh, m = (r − r0)·OW + ow:
 * colT[(kh·fw + kw)·Cin + ci][m] = xPad[ci][n][oh·sh + kh][ow·sw + kw], dy rows copied as they are.
 */
function stridedIm2col(c: Conv2DInfo, xp: Float32Array, hp: number, wp: number): Im2col {
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw, inChannels: cin, outChannels: co } = c;
  const plane = c.batchSize * hp * wp;
  const fill = (col: Float32Array, dyc: Float32Array, dyv: Float32Array, r0: number, r1: number) => {
    const mc = (r1 - r0) * ow;
    for (let i = 0, q = 0; i < fh; i++)
      for (let j = 0; j < fw; j++)
        for (let k = 0; k < cin; k++, q++)
          for (let r = r0, d = q * mc; r < r1; r++, d += ow) {
            const b = Math.floor(r / oh);
            const s = k * plane + (b * hp + (r - b * oh) * sh + i) * wp + j;
            for (let t = 0; t < ow; t++) col[d + t] = xp[s + t * sw];
          }
    dyc.set(dyv.subarray(r0 * ow * co, r1 * ow * co));
  };
  return { units: c.batchSize * oh, cols: ow, fill };
}

/**
 * Stride 1. Units are rows g = n·hp + r of the padded grid, m = (g − g0)·wp + col; dy sits on that grid, zero outside
 * [0,OH)×[0,OW). Then tap (kh,kw) reads xPad at the flat offset kh·wp + kw, so every colT row is ONE contiguous copy:
 * colT[(kh·fw + kw)·Cin + ci][m] = xFlat[ci·plane + g0·wp + kh·wp + kw + m]. Reads that run past an image (or channel)
 * only ever meet dy = 0 (for r < OH, c < OW: r + kh < hp, c + kw < wp), so they add nothing.
 */
function stride1Im2col(c: Conv2DInfo, xp: Float32Array, hp: number, wp: number): Im2col {
  const { outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw, inChannels: cin, outChannels: co } = c;
  const plane = c.batchSize * hp * wp;
  const fill = (col: Float32Array, dyc: Float32Array, dyv: Float32Array, g0: number, g1: number) => {
    const mc = (g1 - g0) * wp;
    for (let i = 0, q = 0; i < fh; i++)
      for (let j = 0; j < fw; j++)
        for (let k = 0, s = g0 * wp + i * wp + j; k < cin; k++, q++) col.set(xp.subarray(k * plane + s, k * plane + s + mc), q * mc);
    dyc.fill(0);
    for (let g = g0; g < g1; g++) {
      const n = Math.floor(g / hp);
      const r = g - n * hp;
      if (r < oh) dyc.set(dyv.subarray((n * oh + r) * ow * co, (n * oh + r + 1) * ow * co), (g - g0) * wp * co);
    }
  };
  return { units: (c.batchSize - 1) * hp + oh, cols: wp, fill };
}

/**
 * Conv2DBackpropFilter (NHWC, dilation 1): dW[kh,kw,ci,co] = Σ_{n,oh,ow} xPad[n, oh·sh+kh, ow·sw+kw, ci] · dy[n,oh,ow,co].
 * The sum over taps is one matmul colT [k²·Cin, M] × dy [M, Cout] on the wasm backend's own BatchMatMul (XNNPACK speed;
 * colT, not col, because its transposeA path is 10× slower), in chunks that keep colT ≤ __testHooks.maxColFloats floats.
 * Every intermediate is freed before returning (the wasm heap is 4 GB at most).
 */
function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const b = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new Error(`Conv2DBackpropFilter (anyml wasm): dataFormat must be 'NHWC', got 'NCHW'`);
  if (x.dtype !== 'float32' || dy.dtype !== 'float32')
    throw new Error(`Conv2DBackpropFilter (anyml wasm): x and dy must be float32, got ${x.dtype} and ${dy.dtype}`);
  const c = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const { filterHeight: fh, filterWidth: fw, inChannels: cin, outChannels: co } = c;
  const hp = Math.max(c.inHeight + c.padInfo.top + c.padInfo.bottom, (c.outHeight - 1) * c.strideHeight + fh);
  const wp = Math.max(c.inWidth + c.padInfo.left + c.padInfo.right, (c.outWidth - 1) * c.strideWidth + fw);
  const unit1 = c.strideHeight === 1 && c.strideWidth === 1;
  const xp = padChannelMajor(heap(b, x), c, hp, wp, unit1 ? (fh + 1) * wp : 0);
  const plan = (unit1 ? stride1Im2col : stridedIm2col)(c, xp, hp, wp);
  const kc = fh * fw * cin;
  const step = Math.max(1, Math.floor(__testHooks.maxColFloats / (kc * plan.cols)));
  const matMul = tf.getKernel('BatchMatMul', 'wasm').kernelFunc;
  const acc = new Float32Array(kc * co);
  for (let u0 = 0; u0 < plan.units; u0 += step) {
    const u1 = Math.min(plan.units, u0 + step);
    const mc = (u1 - u0) * plan.cols;
    const col = b.makeOutput([kc, mc], 'float32');
    const dyc = b.makeOutput([mc, co], 'float32');
    plan.fill(heap(b, col), heap(b, dyc), heap(b, dy), u0, u1); // views taken after the last allocation
    const prod = matMul({ inputs: { a: col, b: dyc }, backend: b, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
    b.disposeData(col.dataId);
    b.disposeData(dyc.dataId);
    const pv = heap(b, prod);
    for (let i = 0; i < pv.length; i++) acc[i] += pv[i];
    b.disposeData(prod.dataId);
  }
  return b.makeOutput([fh, fw, cin, co], 'float32', undefined, acc);
}

/**
 * MaxPoolGrad with tfjs-backend-cpu's routing: each window's gradient goes to its *first* maximum in row-major order
 * (strict `>` from −∞, padding excluded; an all-NaN window routes nothing), as `maxPoolPositions` + cpu `maxPoolGrad`.
 * tfjs-backend-wasm 4.22's own MaxPoolGrad drops windows whose maximum is ≤ 0 and routes ties to the last maximum
 * (probe in test/unit/tomogan/train/wasm_kernels.test.ts), hence the opt-in replacement. O(input size · k²/s²).
 */
function maxPoolGrad(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const b = args.backend as WasmBackend;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const c = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ch, outHeight: oh, outWidth: ow } = c;
  const xv = heap(b, input);
  const dyv = heap(b, dy);
  const dx = new Float64Array(size(input.shape)); // cpu sums overlapping windows in a JS number too
  const best = new Float64Array(ch);
  const pos = new Int32Array(ch);
  for (let bi = 0; bi < n; bi++)
    for (let y = 0; y < oh; y++) {
      const r0 = y * c.strideHeight - c.padInfo.top;
      const rEnd = Math.min(h, r0 + c.effectiveFilterHeight);
      for (let x = 0; x < ow; x++) {
        const c0 = x * c.strideWidth - c.padInfo.left;
        const cEnd = Math.min(w, c0 + c.effectiveFilterWidth);
        best.fill(-Infinity);
        pos.fill(-1);
        for (let r = Math.max(0, r0); r < rEnd; r++)
          for (let cc = Math.max(0, c0); cc < cEnd; cc++)
            for (let d = 0, base = ((bi * h + r) * w + cc) * ch; d < ch; d++)
              if (xv[base + d] > best[d]) {
                best[d] = xv[base + d];
                pos[d] = base + d;
              }
        const o = ((bi * oh + y) * ow + x) * ch;
        for (let d = 0; d < ch; d++) if (pos[d] >= 0) dx[pos[d]] += dyv[o + d];
      }
    }
  return b.makeOutput(input.shape, 'float32', undefined, Float32Array.from(dx));
}

/** tfjs-backend-wasm's own Conv2DBackpropInput, kept when `fastConv2DBackpropInput` replaces it (its fallback). */
let wasmConv2DBackpropInput: tf.KernelFunc | undefined;

/**
 * Conv2DBackpropInput at stride 1 as one forward conv on the wasm backend's XNNPACK Conv2D:
 * dx = conv2d(dy, W̃, pad = (fh−1−top, fh−1−bottom, fw−1−left, fw−1−right)), W̃[i,j,co,ci] = W[fh−1−i, fw−1−j, ci, co].
 * tfjs-backend-wasm 4.22's kernel is a plain loop: ~80% of a generator training step, 12× the forward convs' time.
 * Other strides (the discriminator's stride 2) and pads wider than the filter go to the tfjs kernel.
 */
function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const b = args.backend as WasmBackend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat);
  const c = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, fmt);
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co } = c;
  const p = [fh - 1 - c.padInfo.top, fh - 1 - c.padInfo.bottom, fw - 1 - c.padInfo.left, fw - 1 - c.padInfo.right];
  if (c.strideHeight !== 1 || c.strideWidth !== 1 || fmt !== 'channelsLast' || Math.min(...p) < 0 || dy.dtype !== 'float32') {
    if (!wasmConv2DBackpropInput) throw new Error(`Conv2DBackpropInput (anyml wasm): stride ${c.strideHeight}×${c.strideWidth} needs tfjs-backend-wasm's kernel, which is missing`);
    return wasmConv2DBackpropInput(args) as TensorInfo;
  }
  const wv = heap(b, filter);
  const flipped = new Float32Array(wv.length);
  for (let i = 0; i < fh; i++)
    for (let j = 0; j < fw; j++)
      for (let k = 0, src = ((fh - 1 - i) * fw + (fw - 1 - j)) * ci * co, dst = (i * fw + j) * co * ci; k < ci; k++)
        for (let o = 0; o < co; o++) flipped[dst + o * ci + k] = wv[src + k * co + o];
  const wt = b.makeOutput([fh, fw, co, ci], 'float32', undefined, flipped);
  const conv = tf.getKernel('Conv2D', 'wasm').kernelFunc;
  const attrs = { strides: 1, dilations: 1, pad: [[0, 0], [p[0], p[1]], [p[2], p[3]], [0, 0]], dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap;
  const dx = conv({ inputs: { x: dy, filter: wt }, backend: b, attrs }) as TensorInfo;
  b.disposeData(wt.dataId);
  return dx;
}

export interface RegisterWasmTrainingKernelsOptions {
  /**
   * Also replace tfjs-backend-wasm's own MaxPoolGrad with the cpu-exact one above (default false). TomoGAN's generator
   * does not need it: it pools ReLU outputs, where the wasm kernel's faults only hit zeros whose gradient ReLU discards
   * anyway, or exact ties. Must be called after '@tensorflow/tfjs-backend-wasm' is imported (its import re-registers).
   */
  fixMaxPoolGrad?: boolean;
  /**
   * Also replace tfjs-backend-wasm's Conv2DBackpropInput by the stride-1 XNNPACK route above (default false): generator
   * steps ~3.5× faster (4×64²: 2.6 s → 0.72 s); stride 2 still runs the tfjs kernel. Same import-order rule as above.
   */
  fastConv2DBackpropInput?: boolean;
}

const OURS = new Set<tf.KernelFunc>([conv2DBackpropFilter, maxPoolGrad, conv2DBackpropInput] as tf.KernelFunc[]);

/** Puts `kernelFunc` in place of the wasm backend's `name` kernel unless it is ours already; returns the one replaced. */
function replaceKernel(name: string, kernelFunc: tf.KernelFunc, done: string[]): tf.KernelFunc | undefined {
  if (!tf.getKernel('MaxPool', 'wasm'))
    throw new Error(`registerWasmTrainingKernels: replacing ${name} needs @tensorflow/tfjs-backend-wasm imported first (await useBackend('wasm'))`);
  const cur = tf.getKernel(name, 'wasm');
  if (cur && OURS.has(cur.kernelFunc)) return undefined;
  if (cur) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  done.push(name);
  return cur?.kernelFunc;
}

/**
 * Registers the wasm kernels that TomoGAN training needs and tfjs-backend-wasm 4.22 lacks: `Conv2DBackpropFilter`
 * (the filter gradient of every conv; nothing else on the generator/discriminator/loss/Adam path is missing). Idempotent,
 * and never replaces a kernel tfjs already provides, except those that `fixMaxPoolGrad` / `fastConv2DBackpropInput` name.
 * Returns the kernel names it registered by this call.
 * @example
 * await useBackend('wasm');
 * registerWasmTrainingKernels();
 * const { grads } = tf.variableGrads(() => loss(), vars); // conv weight gradients now run on wasm
 */
export function registerWasmTrainingKernels(opts: RegisterWasmTrainingKernelsOptions = {}): string[] {
  const done: string[] = [];
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter as tf.KernelFunc });
    done.push('Conv2DBackpropFilter');
  }
  if (opts.fixMaxPoolGrad) replaceKernel('MaxPoolGrad', maxPoolGrad as tf.KernelFunc, done);
  if (opts.fastConv2DBackpropInput) {
    const old = replaceKernel('Conv2DBackpropInput', conv2DBackpropInput as tf.KernelFunc, done);
    if (old) wasmConv2DBackpropInput = old;
  }
  return done;
}

// The exact-gradient half-pixel upsampling lives with the model; re-exported for the kernel tests.
