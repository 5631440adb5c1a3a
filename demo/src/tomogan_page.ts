// SPDX-License-Identifier: MIT
// TomoGAN tab: a low-dose scan simulated in the browser (or a PNG/TIFF/NPY file), backend picker, progress over
// tiles, cancel, before/after slider with zoom, SSIM/PSNR against the reference, time per stage, downloads.
import { type CompareView, compareView } from './compare.js';
import { HOST_PANEL, showPaired, wirePairing } from './host_panel.js';
import type { Capabilities, Metrics, Slice, TomoEvent, TomoRequest } from './tomogan_protocol.js';
import { $, clearError, download, el, fmtMs, setFigure, showError } from './ui.js';

const HTML = `
<form class="controls" onsubmit="return false">
  <fieldset>
    <legend>Input</legend>
    <label><input type="radio" name="tg-source" value="sim" checked /> Simulated low-dose scan:</label>
    <label>phantom <select id="tg-kind"><option value="shepp-logan">Shepp–Logan</option><option value="ellipses">random ellipses</option><option value="foam">foam</option><option value="smooth">smooth field</option></select></label>
    <label>size <select id="tg-size"><option>128</option><option selected>256</option><option>512</option></select></label>
    <label>I0 photons <select id="tg-photons"><option>500</option><option selected>1000</option><option>2000</option><option>5000</option></select></label>
    <label>seed <input id="tg-seed" type="number" min="0" value="1" /></label>
    <button id="tg-simulate" type="button">Simulate</button>
    <br />
    <label><input type="radio" name="tg-source" value="file" /> Open an image (PNG, TIFF, NPY): <input id="tg-file" type="file" accept=".png,.tif,.tiff,.npy" /></label>
    <label>clean reference (optional, for SSIM/PSNR): <input id="tg-ref" type="file" accept=".png,.tif,.tiff,.npy" /></label>
  </fieldset>
  <fieldset>
    <legend>Restoration</legend>
    <label>Backend <select id="tg-backend"></select></label>
    <label>Tile <select id="tg-tile"><option value="">default for the backend</option><option>64</option><option>128</option><option>256</option><option>512</option></select></label>
    <button id="tg-run" type="button" disabled>Denoise</button>
    <button id="tg-cancel" type="button" disabled>Cancel</button>
    <progress id="tg-progress" max="1" value="0"></progress>
    <span id="tg-status" class="status">Starting …</span>
  </fieldset>
  ${HOST_PANEL}
</form>
<div id="tg-weights-error"></div>
<div id="tg-error"></div>
<div class="tomo">
  <div class="viewer">
    <canvas id="tg-view" width="512" height="512"></canvas>
    <div class="viewer-controls">
      <label>left <select id="tg-left"><option value="input">input</option><option value="result">TomoGAN</option><option value="reference">reference</option></select></label>
      <input id="tg-split" type="range" min="0" max="100" value="50" aria-label="before/after split" />
      <label>right <select id="tg-right"><option value="input">input</option><option value="result" selected>TomoGAN</option><option value="reference">reference</option></select></label>
      <button id="tg-zoom-out" type="button" title="zoom out">−</button>
      <span id="tg-zoom">1×</span>
      <button id="tg-zoom-in" type="button" title="zoom in (or the mouse wheel; drag to pan)">+</button>
      <button id="tg-zoom-reset" type="button">fit</button>
    </div>
    <p id="tg-input-label" class="small"></p>
  </div>
  <div>
    <h3>Quality against the reference</h3>
    <table class="grid"><tr><th></th><th>SSIM</th><th>PSNR</th></tr>
      <tr><th>input (low dose)</th><td id="tg-ssim-input">–</td><td id="tg-psnr-input">–</td></tr>
      <tr><th>TomoGAN</th><td id="tg-ssim-result">–</td><td id="tg-psnr-result">–</td></tr></table>
    <p class="small">SSIM: Gaussian 11×11 window, σ 1.5 (Wang et al. 2004, scikit-image <code>gaussian_weights=True</code>); both on the 0…255 scale the network sees.</p>
    <h3>Time per stage</h3>
    <table class="grid" id="tg-times">
      <tr><th>input (simulate / decode)</th><td id="tg-t-input">–</td></tr>
      <tr><th>load weights</th><td id="tg-t-weights">–</td></tr>
      <tr><th>denoise (backend start on first use + tiles)</th><td id="tg-t-denoise">–</td></tr>
      <tr><th>SSIM + PSNR</th><td id="tg-t-metrics">–</td></tr>
      <tr><th>draw</th><td id="tg-t-draw">–</td></tr>
    </table>
    <p>Ran on: <strong id="tg-backend-used">–</strong> <span id="tg-stages" class="small"></span> <span id="tg-warnings" class="small"></span></p>
    <p><button id="tg-dl-png" type="button" disabled>Download PNG (16-bit)</button> <button id="tg-dl-npy" type="button" disabled>Download NPY (float32)</button></p>
    <h3>This browser</h3>
    <ul id="tg-caps" class="small"><li>checking …</li></ul>
  </div>
</div>`;

type Source = 'input' | 'result' | 'reference';
type Query = <T extends HTMLElement = HTMLElement>(selector: string) => T;
type EventOf<K extends TomoEvent['type']> = Extract<TomoEvent, { type: K }>;

/** The simulation's inputs, in the order simulate() reads them. */
const SIM_INPUTS = ['#tg-kind', '#tg-size', '#tg-photons', '#tg-seed'];

/** The tab's elements, the slices it holds, and where its worker stands. */
interface TomoPage {
  readonly root: HTMLElement;
  readonly q: Query;
  readonly errBox: HTMLElement;
  readonly status: HTMLElement;
  readonly progress: HTMLProgressElement;
  readonly runBtn: HTMLButtonElement;
  readonly cancelBtn: HTMLButtonElement;
  readonly backendSel: HTMLSelectElement;
  readonly view: CompareView;
  readonly images: Partial<Record<Source, Slice>>;
  /** Set by start(), before the first request is sent. */
  worker: Worker | undefined;
  busy: boolean;
  /** The worker answered init: the backend list is filled in. */
  ready: boolean;
  /** The weights loaded; without them Denoise stays off. */
  hasModel: boolean;
  /** The simulated input's parameters, to re-simulate when they changed before Denoise. */
  inputKey: string;
  cancelTimer: ReturnType<typeof setTimeout> | undefined;
  /** Requests sent and not yet answered (init, simulate, open, denoise): the tab is busy while any is pending. */
  pending: number;
}

function tomoPage(root: HTMLElement): TomoPage {
  const q: Query = <T extends HTMLElement = HTMLElement>(s: string) => $<T>(root, s);
  return {
    root,
    q,
    errBox: q('#tg-error'),
    status: q('#tg-status'),
    progress: q<HTMLProgressElement>('#tg-progress'),
    runBtn: q<HTMLButtonElement>('#tg-run'),
    cancelBtn: q<HTMLButtonElement>('#tg-cancel'),
    backendSel: q<HTMLSelectElement>('#tg-backend'),
    view: compareView(q<HTMLCanvasElement>('#tg-view'), (z) => (q('#tg-zoom').textContent = `${z.toFixed(z < 10 ? 1 : 0)}×`)),
    images: {},
    worker: undefined,
    busy: false,
    ready: false,
    hasModel: false,
    inputKey: '',
    cancelTimer: undefined,
    pending: 0,
  };
}

/** The requests that keep the tab busy until answered (by their event or an error); cancel and encode do not. */
const counted = (t: string): boolean => t === 'init' || t === 'simulate' || t === 'open' || t === 'denoise';

function send(p: TomoPage, m: TomoRequest): void {
  if (counted(m.type)) p.pending++;
  p.worker?.postMessage(m);
}

/** One counted request answered; the tab goes idle, showing `idleText`, when none is left. */
function answered(p: TomoPage, idleText: string): void {
  p.pending = Math.max(0, p.pending - 1);
  if (p.pending === 0) setBusy(p, false, idleText);
}

function setBusy(p: TomoPage, b: boolean, text?: string): void {
  p.busy = b;
  p.root.dataset.state = b ? 'busy' : 'idle';
  p.runBtn.disabled = b || !p.ready || !p.hasModel;
  p.cancelBtn.disabled = !b;
  if (text) p.status.textContent = text;
  if (!b) clearTimeout(p.cancelTimer);
}

const simKey = (q: Query): string => SIM_INPUTS.map((s) => q<HTMLInputElement>(s).value).join('/');
const source = (root: HTMLElement): 'file' | 'sim' => (root.querySelector<HTMLInputElement>('input[name=tg-source]:checked')?.value === 'file' ? 'file' : 'sim');

/** Checks the input radio button `value` (sim or file): using a control of one input source selects it. */
function pickSource(root: HTMLElement, value: 'sim' | 'file'): void {
  (root.querySelector(`input[name=tg-source][value=${value}]`) as HTMLInputElement).checked = true;
}

function redraw(p: TomoPage): void {
  const pick = (id: string) => p.q<HTMLSelectElement>(id).value as Source;
  const l = pick('#tg-left'), r = pick('#tg-right');
  const names: Record<Source, string> = { input: 'input', result: 'TomoGAN', reference: 'reference' };
  const t0 = performance.now();
  // Until there is a result, the right side shows the reference (or the input).
  const right = p.images[r] ? r : p.images.reference ? 'reference' : 'input';
  p.view.setImages(p.images[l], p.images[right], names[l], names[right]);
  setFigure(p.q('#tg-t-draw'), fmtMs(performance.now() - t0));
}

function simulate(p: TomoPage): void {
  clearError(p.errBox);
  const [kind, size, photons, seed] = SIM_INPUTS.map((s) => p.q<HTMLInputElement>(s).value);
  if (!(Number.isInteger(Number(seed)) && Number(seed) >= 0)) return showError(p.errBox, 'Simulating the scan', { name: 'Error', code: 'INVALID_INPUT', message: `the seed must be a whole number ≥ 0, got "${seed}"` });
  p.inputKey = simKey(p.q);
  setBusy(p, true, `Simulating a ${size}×${size} scan (radon → Poisson noise → FBP) …`);
  send(p, { type: 'simulate', kind: kind as 'shepp-logan', size: Number(size), photons: Number(photons), seed: Number(seed) });
}

function openFiles(p: TomoPage): void {
  const file = p.q<HTMLInputElement>('#tg-file').files?.[0];
  if (!file) return;
  clearError(p.errBox);
  p.inputKey = '';
  setBusy(p, true, `Opening ${file.name} …`);
  send(p, { type: 'open', file, reference: p.q<HTMLInputElement>('#tg-ref').files?.[0] });
}

/** Empties the last result's figures and downloads, so none of them shows next to the new run. */
function clearResult(p: TomoPage): void {
  const { q } = p;
  delete p.images.result;
  for (const id of ['#tg-ssim-result', '#tg-psnr-result', '#tg-t-denoise', '#tg-t-metrics', '#tg-backend-used']) setFigure(q(id), '–');
  q('#tg-warnings').textContent = '';
  q<HTMLButtonElement>('#tg-dl-png').disabled = q<HTMLButtonElement>('#tg-dl-npy').disabled = true;
  p.progress.value = 0;
}

function run(p: TomoPage): void {
  clearError(p.errBox);
  if (source(p.root) === 'sim' && simKey(p.q) !== p.inputKey) simulate(p); // the worker runs requests in order
  const backend = p.backendSel.value as 'auto';
  const tile = p.q<HTMLSelectElement>('#tg-tile').value;
  clearResult(p);
  setBusy(p, true, `Denoising on ${backend} …`);
  send(p, { type: 'denoise', backend, tile: tile ? Number(tile) : undefined });
}

/** The backend list: each choice says what this browser has for it; the ones it cannot run are disabled. */
function backendOptions(c: Capabilities): HTMLOptionElement[] {
  const gpu = c.webgpu;
  const opts: [string, string, boolean][] = [
    ['auto', 'auto (hardware WebGPU, else wasm, else cpu)', true],
    ['webgpu', gpu ? `webgpu: ${gpu.vendor || gpu.description || 'adapter'}${gpu.software ? ' (software; auto skips it)' : ''}` : 'webgpu: not available', !!gpu],
    ['wasm', `wasm: SIMD ${c.wasmSimd ? 'yes' : 'no'}, threads ${c.wasmThreads ? 'yes' : 'no'}`, true],
    ['cpu', 'cpu: plain JavaScript (slow, the reference)', true],
    ['host', 'host: not yet (needs the native-host bridge)', false],
  ];
  return opts.map(([v, label, ok]) => el('option', ok ? { value: v } : { value: v, disabled: '' }, [label]));
}

/** The "This browser" list: the WebGPU adapter (or why there is none), the tfjs-wasm build, the weights. */
function capsItems(c: Capabilities): HTMLLIElement[] {
  const gpu = c.webgpu;
  return [
    el('li', {}, [gpu ? `WebGPU: ${[gpu.vendor, gpu.architecture, gpu.device, gpu.description].filter(Boolean).join(' / ')}${gpu.software ? ` — ${gpu.software}` : ''}` : `WebGPU: no (${c.webgpuReason})`]),
    el('li', {}, [`tfjs-wasm: SIMD ${c.wasmSimd ? 'yes' : 'no'}, threaded build ${c.wasmThreads ? 'yes' : 'no (not cross-origin isolated)'}`]),
    el('li', {}, [`Weights: ${c.weights}`]),
  ];
}

/** The worker is up: fill in what this browser can do, then simulate the default scan. */
function onReady(p: TomoPage, c: Capabilities): void {
  p.ready = true;
  p.backendSel.replaceChildren(...backendOptions(c));
  p.q('#tg-caps').replaceChildren(...capsItems(c));
  p.root.dataset.wasmThreads = String(c.wasmThreads);
  p.root.dataset.webgpu = String(!!c.webgpu);
  if (p.hasModel) setFigure(p.q('#tg-t-weights'), fmtMs(c.weightsMs), c.weightsMs);
  answered(p, 'Ready.');
  simulate(p);
}

/** A new input: any result and every metric belong to the old one, so they are cleared. */
function onInput(p: TomoPage, m: EventOf<'input'>): void {
  p.images.input = m.input;
  p.images.reference = m.reference;
  delete p.images.result;
  p.q('#tg-input-label').textContent = m.label + (m.note ? `. Note: ${m.note}` : '');
  setFigure(p.q('#tg-t-input'), fmtMs(m.ms), m.ms);
  for (const id of ['#tg-ssim-input', '#tg-psnr-input', '#tg-ssim-result', '#tg-psnr-result']) setFigure(p.q(id), '–');
  redraw(p);
  answered(p, p.hasModel ? 'Input ready. Choose a backend and press Denoise.' : 'Input ready (no weights: denoising is off).');
}

function onProgress(p: TomoPage, m: EventOf<'progress'>): void {
  p.progress.max = m.total;
  p.progress.value = m.done;
  p.status.textContent = `Denoising: tile ${m.done} of ${m.total} …`;
}

function showMetrics(q: Query, m: Metrics): void {
  setFigure(q('#tg-ssim-input'), m.ssimInput.toFixed(4), m.ssimInput);
  setFigure(q('#tg-ssim-result'), m.ssimResult.toFixed(4), m.ssimResult);
  setFigure(q('#tg-psnr-input'), `${m.psnrInput.toFixed(2)} dB`, m.psnrInput);
  setFigure(q('#tg-psnr-result'), `${m.psnrResult.toFixed(2)} dB`, m.psnrResult);
}

/** Times, the backend that ran (data-backend, which the test reads) and the backend's warnings. */
function showRun(q: Query, m: EventOf<'result'>): void {
  setFigure(q('#tg-t-denoise'), `${fmtMs(m.denoiseMs)} (${m.tiles} tile${m.tiles > 1 ? 's' : ''}, ${fmtMs(m.denoiseMs / m.tiles)} each)`, m.denoiseMs);
  setFigure(q('#tg-t-metrics'), m.metrics ? fmtMs(m.metricsMs) : 'no reference', m.metricsMs);
  const threads = m.wasmThreadsCount !== undefined ? ` (${m.wasmThreadsCount} thread${m.wasmThreadsCount > 1 ? 's' : ''})` : '';
  const used = q('#tg-backend-used');
  setFigure(used, m.backend + threads);
  used.dataset.backend = m.backend;
  q('#tg-warnings').textContent = m.warnings.length ? `Note: ${m.warnings.join('; ')}` : '';
  q('#tg-stages').textContent = m.stages ? `(host stages: ${Object.entries(m.stages).map(([k, v]) => `${k} ${fmtMs(v)}`).join(', ')})` : '';
}

/** Shows the result on the right; data-runs counts finished runs, so the test can wait for the next one. */
function onResult(p: TomoPage, m: EventOf<'result'>): void {
  const { q } = p;
  p.images.result = m.result;
  if (m.metrics) showMetrics(q, m.metrics);
  showRun(q, m);
  q<HTMLButtonElement>('#tg-dl-png').disabled = q<HTMLButtonElement>('#tg-dl-npy').disabled = false;
  q<HTMLSelectElement>('#tg-right').value = 'result';
  redraw(p);
  answered(p, `Done on ${m.backend} in ${fmtMs(m.denoiseMs)}.`);
  p.root.dataset.runs = String(Number(p.root.dataset.runs ?? 0) + 1);
}

/** Weights that failed to load only turn denoising off (simulating still works); other errors end their request. */
function onError(p: TomoPage, m: EventOf<'error'>): void {
  if (m.request === 'weights') {
    p.hasModel = false;
    showError(
      p.q('#tg-weights-error'), m.doing, m.error,
      'Denoising needs the weights anyml ships (loadDefaultWeights from anyml/tomogan). Simulating still works.',
    );
    return;
  }
  showError(p.errBox, m.doing, m.error);
  if (counted(m.request)) answered(p, m.error.code === 'ABORTED' ? 'Cancelled.' : 'Stopped by an error (see above).');
}

function onEvent(p: TomoPage, m: TomoEvent): void {
  switch (m.type) {
    case 'ready':
      onReady(p, m.caps);
      break;
    case 'input':
      onInput(p, m);
      break;
    case 'progress':
      onProgress(p, m);
      break;
    case 'result':
      onResult(p, m);
      break;
    case 'file':
      download(m.name, m.bytes as Uint8Array<ArrayBuffer>, m.mime);
      break;
    case 'paired':
      showPaired(p.root, p.backendSel, m);
      break;
    case 'error':
      onError(p, m);
      break;
  }
}

/** Starts a fresh worker (first mount, or after a cancel had to stop one) and loads the weights in it. */
function start(p: TomoPage): void {
  const worker = new Worker(new URL('./tomogan.worker.ts', import.meta.url), { type: 'module' });
  worker.addEventListener('message', (e: MessageEvent<TomoEvent>) => onEvent(p, e.data));
  worker.addEventListener('error', (e) => {
    showError(p.errBox, 'The TomoGAN worker', new Error(e.message || 'it could not start'));
    p.pending = 0;
    setBusy(p, false, 'Stopped by an error.');
  });
  p.worker = worker;
  p.ready = false;
  p.hasModel = true;
  p.inputKey = '';
  p.pending = 0;
  clearError(p.q('#tg-weights-error'));
  setBusy(p, true, 'Loading the weights …');
  send(p, { type: 'init' });
}

function cancel(p: TomoPage): void {
  if (!p.busy) return;
  p.status.textContent = 'Cancelling …';
  send(p, { type: 'cancel' });
  // denoise() checks the signal between tiles; a single long tile (or the simulation) cannot be interrupted, so
  // stop the worker and start a fresh one if it has not answered by then.
  p.cancelTimer = setTimeout(() => {
    p.worker?.terminate();
    showError(p.errBox, 'Denoising', { name: 'AbortError', code: 'ABORTED', message: 'stopped the worker in the middle of a tile; it restarts now' });
    start(p);
  }, 2000);
}

/** Input and restoration controls; using the simulation or the file inputs also selects that source. */
function wireControls(p: TomoPage): void {
  const { q } = p;
  p.runBtn.addEventListener('click', () => run(p));
  p.cancelBtn.addEventListener('click', () => cancel(p));
  wirePairing(p.root, (pairing) => send(p, { type: 'pair', pairing }));
  q('#tg-simulate').addEventListener('click', () => {
    pickSource(p.root, 'sim');
    simulate(p);
  });
  for (const id of ['#tg-file', '#tg-ref'])
    q(id).addEventListener('change', () => {
      pickSource(p.root, 'file');
      openFiles(p);
    });
}

/** The viewer's split, sides and zoom, and the downloads (the worker encodes them from the result it holds). */
function wireViewer(p: TomoPage): void {
  const { q, view } = p;
  q('#tg-split').addEventListener('input', (e) => view.setSplit(Number((e.target as HTMLInputElement).value) / 100));
  for (const id of ['#tg-left', '#tg-right']) q(id).addEventListener('change', () => redraw(p));
  q('#tg-zoom-in').addEventListener('click', () => view.zoomBy(2));
  q('#tg-zoom-out').addEventListener('click', () => view.zoomBy(0.5));
  q('#tg-zoom-reset').addEventListener('click', () => view.reset());
  q('#tg-dl-png').addEventListener('click', () => send(p, { type: 'encode', format: 'png16' }));
  q('#tg-dl-npy').addEventListener('click', () => send(p, { type: 'encode', format: 'npy' }));
}

export function mountTomogan(root: HTMLElement): void {
  root.innerHTML = HTML;
  const p = tomoPage(root);
  wireControls(p);
  wireViewer(p);
  start(p);
}
