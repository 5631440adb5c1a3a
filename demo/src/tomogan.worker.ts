// SPDX-License-Identifier: MIT
// The TomoGAN tab's worker: simulates or decodes the input, loads the weights, denoises on the chosen tfjs backend
// (webgpu works in dedicated workers too), computes SSIM/PSNR and encodes downloads. The page only draws.
import { connectHost, type HostHandle, type Image, type PhantomKind, decodeImage, encodeImage, hasSimd, psnr, scaleToUint8Range, ssim, unscale } from 'anyml';
import { type Generator, type TomoganBackendName, DEFAULT_WEIGHTS_NAME, denoise, loadDefaultWeights, setWasmThreads, simulatedPairs, webgpuAdapterInfo } from 'anyml/tomogan';
import type { Capabilities, Slice, TomoEvent, TomoRequest } from './tomogan_protocol.js';
import { toWire } from './ui.js';

// This build is not minified (vite.demo.config.ts), so tfjs-wasm's threaded build works in the cross-origin-isolated
// page; anyml leaves it off unless asked, since a minified bundle breaks it. anyml gives tfjs-wasm its binaries.
setWasmThreads(true);

const post = (m: TomoEvent, transfer: Transferable[] = []) => postMessage(m, { transfer });
const METRIC = { ssim: { dataRange: 255, window: 'gaussian11' as const }, psnr: { dataRange: 255 } };

let model: Generator | undefined;
let modelError: unknown;
/** The current input on the working scale, its reference, and how to map results back to the file's units. */
let input: Image | undefined;
let reference: Image | undefined;
let range: { lo: number; hi: number } | undefined;
let baseName = 'tomogan';
let result: Image | undefined;
let controller: AbortController | undefined;

const slice = (img: Image): Slice => ({ width: img.width, height: img.height, data: img.data.slice() });
const bad = (message: string) => Object.assign(new Error(message), { code: 'INVALID_INPUT' });

async function init(): Promise<void> {
  const t0 = performance.now();
  const weightsLabel = `${DEFAULT_WEIGHTS_NAME} (shipped)`;
  try {
    model = await loadDefaultWeights();
  } catch (e) {
    modelError = e;
    post({ type: 'error', request: 'weights', doing: 'Loading the TomoGAN weights', error: toWire(e) });
  }
  const weightsMs = performance.now() - t0;
  const webgpu = await webgpuAdapterInfo().catch(() => null);
  const nav = navigator as { gpu?: unknown };
  const caps: Capabilities = {
    webgpu,
    webgpuReason: webgpu ? '' : nav.gpu ? 'navigator.gpu gave no adapter (Chromium: --enable-unsafe-webgpu, or no usable GPU)' : 'this browser has no WebGPU (navigator.gpu is missing)',
    wasmSimd: await hasSimd(),
    wasmThreads: globalThis.crossOriginIsolated === true,
    weights: model ? `${weightsLabel}: ${model.paramCount.toLocaleString('en')} parameters, ${model.depth} input slice${model.depth > 1 ? 's' : ''}` : `${weightsLabel}: not loaded`,
    weightsMs,
  };
  post({ type: 'ready', caps });
}

function simulate(kind: PhantomKind, size: number, photons: number, seed: number): void {
  const t0 = performance.now();
  // The recipe of the training data (anyml tomogan train): phantom → Poisson noise at I0 → FBP, percentile-scaled.
  const [p] = simulatedPairs({ count: 1, size, kinds: [kind], photons: [photons], seed });
  input = p.noisy;
  reference = p.clean;
  range = undefined;
  result = undefined;
  baseName = `${kind}-${size}-I0_${photons}-seed${seed}`;
  post({ type: 'input', label: `simulated ${kind} phantom, ${size}×${size}, I0 = ${photons} photons, seed ${seed} (noisy FBP vs noise-free FBP)`, input: slice(input), reference: slice(reference), ms: performance.now() - t0 });
}

async function decode(file: File, what: string): Promise<Image> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let img: Image;
  try {
    img = await decodeImage(bytes, { name: file.name });
  } catch (e) {
    throw Object.assign(new Error(`${file.name} is not an image the demo can read (PNG 8/16-bit grey, TIFF or NPY). ${(e as Error).message}`), { code: 'INVALID_INPUT' });
  }
  if (img.depth !== 1) throw bad(`${file.name} (${what}) has ${img.depth} slices; the demo denoises one slice at a time (the shipped model takes 1). Save one slice as PNG, TIFF or NPY.`);
  return img;
}

async function open(file: File, refFile?: File): Promise<void> {
  const t0 = performance.now();
  const raw = await decode(file, 'input');
  const rawRef = refFile ? await decode(refFile, 'reference') : undefined;
  if (rawRef && (rawRef.width !== raw.width || rawRef.height !== raw.height)) {
    throw bad(`the reference ${refFile!.name} is ${rawRef.width}×${rawRef.height} but the input ${file.name} is ${raw.width}×${raw.height}; they must match`);
  }
  let lo = Infinity, hi = -Infinity;
  for (const v of raw.data) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  // As `anyml denoise --scale auto`: values outside 0…255 (float reconstructions, 16-bit) are percentile-scaled the
  // way TomoGAN's util.scale2uint8 does, and the result is mapped back to the file's units for the downloads.
  let note: string | undefined;
  if (lo < 0 || hi > 255) {
    const s = scaleToUint8Range(raw);
    input = s.image;
    range = { lo: s.lo, hi: s.hi };
    note = `values ${lo.toPrecision(4)}…${hi.toPrecision(4)} were scaled to 0…255 (0.05/99.95 percentiles ${s.lo.toPrecision(4)}…${s.hi.toPrecision(4)}); downloads are in the file's units`;
  } else {
    input = raw;
    range = undefined;
  }
  reference = rawRef && range ? { ...rawRef, data: rawRef.data.map((v) => (Math.min(range!.hi, Math.max(range!.lo, v)) - range!.lo) * (255 / (range!.hi - range!.lo))) } : rawRef;
  result = undefined;
  baseName = file.name.replace(/\.(png|tiff?|npy)$/i, '');
  post({ type: 'input', label: `${file.name}, ${raw.width}×${raw.height}${refFile ? `, reference ${refFile.name}` : ' (no reference: no SSIM/PSNR)'}`, input: slice(input), reference: reference && slice(reference), ms: performance.now() - t0, note });
}

/** The paired `anyml host`, if any (docs/host.md). */
let host: HostHandle | undefined;

async function pair(pairing: string): Promise<void> {
  host?.close();
  host = undefined;
  host = await connectHost(pairing.trim());
  post({ type: 'paired', url: host.url, providers: host.providers.map(({ name, available, reason }) => ({ name, available, ...(reason ? { reason } : {}) })) });
}

async function run(backend: 'auto' | 'host' | TomoganBackendName, tile?: number): Promise<void> {
  if (!model) throw modelError ?? new Error('the weights are not loaded');
  if (!input) throw bad('no input yet: simulate a scan or open an image first');
  controller = new AbortController();
  const t0 = performance.now();
  if (backend === 'host' && !host) throw bad('no host paired: paste the line that `anyml host pair --json` prints and press Pair');
  const onHost = backend === 'host' ? { host } : { tile };
  const r = await denoise(input, { model, backend, ...onHost, signal: controller.signal, onProgress: (done, total) => post({ type: 'progress', done, total }) });
  const denoiseMs = performance.now() - t0;
  result = r.image;
  const t1 = performance.now();
  const metrics = reference
    ? { ssimInput: ssim(input, reference, METRIC.ssim), ssimResult: ssim(r.image, reference, METRIC.ssim), psnrInput: psnr(input, reference, METRIC.psnr), psnrResult: psnr(r.image, reference, METRIC.psnr) }
    : undefined;
  const metricsMs = performance.now() - t1;
  post({ type: 'result', result: slice(r.image), backend: r.backend, tiles: r.tiles, warnings: r.warnings, denoiseMs, metricsMs, metrics, wasmThreadsCount: r.backend === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : undefined, ...(r.stages ? { stages: { ...r.stages } as Record<string, number> } : {}) });
}

async function encode(format: 'png16' | 'npy'): Promise<void> {
  if (!result) throw bad('nothing to download yet: denoise first');
  const out = range ? unscale(result, range) : result;
  // PNG: 16-bit over the working scale's 0…255 (or the file's scaled range), so downloads of runs compare 1:1.
  const pngRange: [number, number] = range ? [range.lo, range.hi] : [0, 255];
  const bytes = await encodeImage(out, format === 'png16' ? { format: 'png16', range: pngRange } : { format: 'npy' });
  post({ type: 'file', name: `${baseName}-tomogan.${format === 'png16' ? 'png' : 'npy'}`, bytes, mime: format === 'png16' ? 'image/png' : 'application/octet-stream' }, [bytes.buffer]);
}

const DOING: Record<TomoRequest['type'], string> = {
  init: 'Starting the TomoGAN worker', simulate: 'Simulating the scan', open: 'Opening the image', denoise: 'Denoising', cancel: 'Cancelling', encode: 'Preparing the download', pair: 'Pairing with the local host',
};

/** Requests run one after another (an 'open' awaits the file while a 'denoise' waits behind it); 'cancel' at once. */
let queue: Promise<void> = Promise.resolve();

addEventListener('message', (e: MessageEvent<TomoRequest>) => {
  const m = e.data;
  if (m.type === 'cancel') return controller?.abort();
  const work = async () => {
    switch (m.type) {
      case 'init': return init();
      case 'simulate': return simulate(m.kind, m.size, m.photons, m.seed);
      case 'open': return open(m.file, m.reference);
      case 'denoise': return run(m.backend, m.tile);
      case 'encode': return encode(m.format);
      case 'pair': return pair(m.pairing);
    }
  };
  queue = queue.then(work).catch((err) => post({ type: 'error', request: m.type, doing: DOING[m.type], error: toWire(err) }));
});
