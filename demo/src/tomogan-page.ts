// SPDX-License-Identifier: MIT
// TomoGAN tab: a low-dose scan simulated in the browser (or a PNG/TIFF/NPY file), backend picker, progress over
// tiles, cancel, before/after slider with zoom, SSIM/PSNR against the reference, time per stage, downloads.
import { compareView } from './compare.js';
import type { Slice, TomoEvent, TomoRequest } from './tomogan-protocol.js';
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
    <p>Ran on: <strong id="tg-backend-used">–</strong> <span id="tg-warnings" class="small"></span></p>
    <p><button id="tg-dl-png" type="button" disabled>Download PNG (16-bit)</button> <button id="tg-dl-npy" type="button" disabled>Download NPY (float32)</button></p>
    <h3>This browser</h3>
    <ul id="tg-caps" class="small"><li>checking …</li></ul>
  </div>
</div>`;

type Source = 'input' | 'result' | 'reference';

export function mountTomogan(root: HTMLElement): void {
  root.innerHTML = HTML;
  const q = <T extends HTMLElement>(s: string) => $<T>(root, s);
  const errBox = q('#tg-error');
  const status = q('#tg-status');
  const progress = q<HTMLProgressElement>('#tg-progress');
  const runBtn = q<HTMLButtonElement>('#tg-run');
  const cancelBtn = q<HTMLButtonElement>('#tg-cancel');
  const backendSel = q<HTMLSelectElement>('#tg-backend');
  const view = compareView(q<HTMLCanvasElement>('#tg-view'), (z) => (q('#tg-zoom').textContent = `${z.toFixed(z < 10 ? 1 : 0)}×`));
  const images: Partial<Record<Source, Slice>> = {};

  let worker: Worker;
  let busy = false;
  let ready = false;
  let hasModel = false;
  /** The simulated input's parameters, to re-simulate when they changed before Denoise. */
  let inputKey = '';
  let cancelTimer: ReturnType<typeof setTimeout> | undefined;
  /** Requests sent and not yet answered (init, simulate, open, denoise): the tab is busy while any is pending. */
  let pending = 0;
  const counted = (t: string) => t === 'init' || t === 'simulate' || t === 'open' || t === 'denoise';
  const send = (m: TomoRequest) => {
    if (counted(m.type)) pending++;
    worker.postMessage(m);
  };
  const answered = (idleText: string) => {
    pending = Math.max(0, pending - 1);
    if (pending === 0) setBusy(false, idleText);
  };

  const simKey = () => ['#tg-kind', '#tg-size', '#tg-photons', '#tg-seed'].map((s) => q<HTMLInputElement>(s).value).join('/');
  const source = () => (root.querySelector<HTMLInputElement>('input[name=tg-source]:checked')?.value === 'file' ? 'file' : 'sim');

  function setBusy(b: boolean, text?: string): void {
    busy = b;
    root.dataset.state = b ? 'busy' : 'idle';
    runBtn.disabled = b || !ready || !hasModel;
    cancelBtn.disabled = !b;
    if (text) status.textContent = text;
    if (!b) clearTimeout(cancelTimer);
  }

  function redraw(): void {
    const pick = (id: string) => q<HTMLSelectElement>(id).value as Source;
    const l = pick('#tg-left'), r = pick('#tg-right');
    const names: Record<Source, string> = { input: 'input', result: 'TomoGAN', reference: 'reference' };
    const t0 = performance.now();
    // Until there is a result, the right side shows the reference (or the input).
    const right = images[r] ? r : images.reference ? 'reference' : 'input';
    view.setImages(images[l], images[right], names[l], names[right]);
    setFigure(q('#tg-t-draw'), fmtMs(performance.now() - t0));
  }

  function simulate(): void {
    clearError(errBox);
    const [kind, size, photons, seed] = ['#tg-kind', '#tg-size', '#tg-photons', '#tg-seed'].map((s) => q<HTMLInputElement>(s).value);
    if (!(Number.isInteger(Number(seed)) && Number(seed) >= 0)) return showError(errBox, 'Simulating the scan', { name: 'Error', code: 'INVALID_INPUT', message: `the seed must be a whole number ≥ 0, got "${seed}"` });
    inputKey = simKey();
    setBusy(true, `Simulating a ${size}×${size} scan (radon → Poisson noise → FBP) …`);
    send({ type: 'simulate', kind: kind as 'shepp-logan', size: Number(size), photons: Number(photons), seed: Number(seed) });
  }

  function openFiles(): void {
    const file = q<HTMLInputElement>('#tg-file').files?.[0];
    if (!file) return;
    clearError(errBox);
    inputKey = '';
    setBusy(true, `Opening ${file.name} …`);
    send({ type: 'open', file, reference: q<HTMLInputElement>('#tg-ref').files?.[0] });
  }

  function run(): void {
    clearError(errBox);
    if (source() === 'sim' && simKey() !== inputKey) simulate(); // the worker runs requests in order
    const backend = backendSel.value as 'auto';
    const tile = q<HTMLSelectElement>('#tg-tile').value;
    delete images.result;
    for (const id of ['#tg-ssim-result', '#tg-psnr-result', '#tg-t-denoise', '#tg-t-metrics', '#tg-backend-used']) setFigure(q(id), '–');
    q('#tg-warnings').textContent = '';
    q<HTMLButtonElement>('#tg-dl-png').disabled = q<HTMLButtonElement>('#tg-dl-npy').disabled = true;
    progress.value = 0;
    setBusy(true, `Denoising on ${backend} …`);
    send({ type: 'denoise', backend, tile: tile ? Number(tile) : undefined });
  }

  function onEvent(m: TomoEvent): void {
    switch (m.type) {
      case 'ready': {
        const c = m.caps;
        ready = true;
        const gpu = c.webgpu;
        const opts: [string, string, boolean][] = [
          ['auto', 'auto (hardware WebGPU, else wasm, else cpu)', true],
          ['webgpu', gpu ? `webgpu: ${gpu.vendor || gpu.description || 'adapter'}${gpu.software ? ' (software; auto skips it)' : ''}` : 'webgpu: not available', !!gpu],
          ['wasm', `wasm: SIMD ${c.wasmSimd ? 'yes' : 'no'}, threads ${c.wasmThreads ? 'yes' : 'no'}`, true],
          ['cpu', 'cpu: plain JavaScript (slow, the reference)', true],
          ['host', 'host: not yet (needs the native-host bridge)', false],
        ];
        backendSel.replaceChildren(...opts.map(([v, label, ok]) => el('option', ok ? { value: v } : { value: v, disabled: '' }, [label])));
        q('#tg-caps').replaceChildren(
          el('li', {}, [gpu ? `WebGPU: ${[gpu.vendor, gpu.architecture, gpu.device, gpu.description].filter(Boolean).join(' / ')}${gpu.software ? ` — ${gpu.software}` : ''}` : `WebGPU: no (${c.webgpuReason})`]),
          el('li', {}, [`tfjs-wasm: SIMD ${c.wasmSimd ? 'yes' : 'no'}, threaded build ${c.wasmThreads ? 'yes' : 'no (not cross-origin isolated)'}`]),
          el('li', {}, [`Weights: ${c.weights}`]),
        );
        root.dataset.wasmThreads = String(c.wasmThreads);
        root.dataset.webgpu = String(!!gpu);
        if (hasModel) setFigure(q('#tg-t-weights'), fmtMs(c.weightsMs), c.weightsMs);
        answered('Ready.');
        simulate();
        break;
      }
      case 'input':
        images.input = m.input;
        images.reference = m.reference;
        delete images.result;
        q('#tg-input-label').textContent = m.label + (m.note ? `. Note: ${m.note}` : '');
        setFigure(q('#tg-t-input'), fmtMs(m.ms), m.ms);
        for (const id of ['#tg-ssim-input', '#tg-psnr-input', '#tg-ssim-result', '#tg-psnr-result']) setFigure(q(id), '–');
        redraw();
        answered(hasModel ? 'Input ready. Choose a backend and press Denoise.' : 'Input ready (no weights: denoising is off).');
        break;
      case 'progress':
        progress.max = m.total;
        progress.value = m.done;
        status.textContent = `Denoising: tile ${m.done} of ${m.total} …`;
        break;
      case 'result': {
        images.result = m.result;
        if (m.metrics) {
          setFigure(q('#tg-ssim-input'), m.metrics.ssimInput.toFixed(4), m.metrics.ssimInput);
          setFigure(q('#tg-ssim-result'), m.metrics.ssimResult.toFixed(4), m.metrics.ssimResult);
          setFigure(q('#tg-psnr-input'), `${m.metrics.psnrInput.toFixed(2)} dB`, m.metrics.psnrInput);
          setFigure(q('#tg-psnr-result'), `${m.metrics.psnrResult.toFixed(2)} dB`, m.metrics.psnrResult);
        }
        setFigure(q('#tg-t-denoise'), `${fmtMs(m.denoiseMs)} (${m.tiles} tile${m.tiles > 1 ? 's' : ''}, ${fmtMs(m.denoiseMs / m.tiles)} each)`, m.denoiseMs);
        setFigure(q('#tg-t-metrics'), m.metrics ? fmtMs(m.metricsMs) : 'no reference', m.metricsMs);
        const threads = m.wasmThreadsCount !== undefined ? ` (${m.wasmThreadsCount} thread${m.wasmThreadsCount > 1 ? 's' : ''})` : '';
        const used = q('#tg-backend-used');
        setFigure(used, m.backend + threads);
        used.dataset.backend = m.backend;
        q('#tg-warnings').textContent = m.warnings.length ? `Note: ${m.warnings.join('; ')}` : '';
        q<HTMLButtonElement>('#tg-dl-png').disabled = q<HTMLButtonElement>('#tg-dl-npy').disabled = false;
        q<HTMLSelectElement>('#tg-right').value = 'result';
        redraw();
        answered(`Done on ${m.backend} in ${fmtMs(m.denoiseMs)}.`);
        root.dataset.runs = String(Number(root.dataset.runs ?? 0) + 1);
        break;
      }
      case 'file':
        download(m.name, m.bytes as Uint8Array<ArrayBuffer>, m.mime);
        break;
      case 'error':
        if (m.request === 'weights') {
          hasModel = false;
          showError(
            q('#tg-weights-error'), m.doing, m.error,
            'Denoising needs the weights anyml ships (loadDefaultWeights from anyml/tomogan). Simulating still works.',
          );
          break;
        }
        showError(errBox, m.doing, m.error);
        if (counted(m.request)) answered(m.error.code === 'ABORTED' ? 'Cancelled.' : 'Stopped by an error (see above).');
        break;
    }
  }

  function start(): void {
    worker = new Worker(new URL('./tomogan.worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('message', (e: MessageEvent<TomoEvent>) => onEvent(e.data));
    worker.addEventListener('error', (e) => {
      showError(errBox, 'The TomoGAN worker', new Error(e.message || 'it could not start'));
      pending = 0;
      setBusy(false, 'Stopped by an error.');
    });
    ready = false;
    hasModel = true;
    inputKey = '';
    pending = 0;
    clearError(q('#tg-weights-error'));
    setBusy(true, 'Loading the weights …');
    send({ type: 'init' });
  }

  runBtn.addEventListener('click', run);
  cancelBtn.addEventListener('click', () => {
    if (!busy) return;
    status.textContent = 'Cancelling …';
    send({ type: 'cancel' });
    // denoise() checks the signal between tiles; a single long tile (or the simulation) cannot be interrupted, so
    // stop the worker and start a fresh one if it has not answered by then.
    cancelTimer = setTimeout(() => {
      worker.terminate();
      showError(errBox, 'Denoising', { name: 'AbortError', code: 'ABORTED', message: 'stopped the worker in the middle of a tile; it restarts now' });
      start();
    }, 2000);
  });
  q('#tg-simulate').addEventListener('click', () => {
    (root.querySelector('input[name=tg-source][value=sim]') as HTMLInputElement).checked = true;
    simulate();
  });
  for (const id of ['#tg-file', '#tg-ref'])
    q(id).addEventListener('change', () => {
      (root.querySelector('input[name=tg-source][value=file]') as HTMLInputElement).checked = true;
      openFiles();
    });
  q('#tg-split').addEventListener('input', (e) => view.setSplit(Number((e.target as HTMLInputElement).value) / 100));
  for (const id of ['#tg-left', '#tg-right']) q(id).addEventListener('change', redraw);
  q('#tg-zoom-in').addEventListener('click', () => view.zoomBy(2));
  q('#tg-zoom-out').addEventListener('click', () => view.zoomBy(0.5));
  q('#tg-zoom-reset').addEventListener('click', () => view.reset());
  q('#tg-dl-png').addEventListener('click', () => send({ type: 'encode', format: 'png16' }));
  q('#tg-dl-npy').addEventListener('click', () => send({ type: 'encode', format: 'npy' }));
  start();
}
