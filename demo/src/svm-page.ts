// SPDX-License-Identifier: MIT
// SVM tab: data (built-in or a LIBSVM file, .gz too), training options, live plots, metrics, model downloads.
// Everything heavy runs in svm.worker.ts, which runs trainSvm with options.workers; this thread only draws.
import { epochChart } from './plots.js';
import type { SvmEvent, SvmRunOptions, TrainedInfo } from './svm-protocol.js';
import { $, clearError, download, el, fmtMs, fmtPct, setFigure, showError } from './ui.js';

const FORM = `
<form id="svm-form" class="controls" onsubmit="return false">
  <fieldset>
    <legend>Data</legend>
    <label><input type="radio" name="svm-data" value="builtin" checked /> Built-in: 25,000 seeded rows × 100 features (20,000 train, 5,000 test), made in the browser by <code>makeClassification</code></label>
    <label><input type="radio" name="svm-data" value="file" /> A LIBSVM file (<code>.gz</code> too), split 80/20 with the seed:
      <input type="file" id="svm-file" /></label>
  </fieldset>
  <fieldset>
    <legend>Training</legend>
    <label>Workers P <input id="svm-workers" type="number" min="1" max="16" value="2" /></label>
    <label>Sync every b samples <input id="svm-sync" type="text" value="1000" size="6" title="an integer, or 'epoch'" /></label>
    <label>Transport <select id="svm-transport"><option value="auto">auto</option><option value="shared">shared (SharedArrayBuffer)</option><option value="message">message (postMessage)</option></select></label>
    <label>λ <input id="svm-lambda" type="text" value="auto" size="7" title="'auto' or a number > 0" /></label>
    <label>Epochs <input id="svm-epochs" type="number" min="1" max="1000" value="10" /></label>
    <label>Seed <input id="svm-seed" type="number" min="0" value="1" /></label>
    <label><input id="svm-replay" type="checkbox" checked /> test accuracy per epoch (refits 1…E epochs)</label>
  </fieldset>
  <div class="buttons">
    <button id="svm-train" type="button">Train</button>
    <button id="svm-cancel" type="button" disabled>Cancel</button>
    <progress id="svm-progress" max="1" value="0"></progress>
    <span id="svm-status" class="status">Ready.</span>
  </div>
</form>
<div id="svm-error"></div>
<div class="charts">
  <div id="svm-chart-objective" class="chart"></div>
  <div id="svm-chart-accuracy" class="chart"></div>
  <div id="svm-chart-time" class="chart"></div>
</div>
<div class="results">
  <table class="figures" id="svm-figures">
    <tr><th>Data</th><td id="svm-data-info">–</td></tr>
    <tr><th>Test accuracy</th><td id="svm-test-accuracy">–</td></tr>
    <tr><th>Train accuracy</th><td id="svm-train-accuracy">–</td></tr>
    <tr><th>Test precision / recall / F1</th><td id="svm-test-prf">–</td></tr>
    <tr><th>λ</th><td id="svm-lambda-out">–</td></tr>
    <tr><th>Epochs run</th><td id="svm-epochs-out">–</td></tr>
    <tr><th>Engine / transport</th><td id="svm-engine">–</td></tr>
    <tr><th>Time</th><td id="svm-time">–</td></tr>
  </table>
  <div>
    <h3>λ search (validation split)</h3>
    <table id="svm-lambda-table" class="grid"><tr><th>λ</th><th>accuracy</th><th>hinge</th></tr></table>
    <h3>Model</h3>
    <p><button id="svm-dl-json" type="button" disabled>Download JSON</button>
       <button id="svm-dl-liblinear" type="button" disabled>Download LIBLINEAR .model</button></p>
    <p class="small">JSON loads with <code>SvmModel.fromJSON</code>; the LIBLINEAR file with <code>predict</code> from LIBLINEAR or <code>SvmModel.fromLiblinear</code>.</p>
  </div>
</div>`;

export function mountSvm(root: HTMLElement): void {
  root.innerHTML = FORM;
  const q = <T extends HTMLElement>(s: string) => $<T>(root, s);
  const errBox = q('#svm-error');
  const status = q('#svm-status');
  const progress = q<HTMLProgressElement>('#svm-progress');
  const trainBtn = q<HTMLButtonElement>('#svm-train');
  const cancelBtn = q<HTMLButtonElement>('#svm-cancel');
  const objChart = epochChart(q('#svm-chart-objective'), 'Objective per epoch (final fit)', '(λ/2)‖w‖² + mean hinge', [{ label: 'objective', stroke: '#1f77b4' }]);
  const accChart = epochChart(q('#svm-chart-accuracy'), 'Test accuracy per epoch', 'accuracy %', [{ label: 'test accuracy', stroke: '#2ca02c' }]);
  const timeChart = epochChart(q('#svm-chart-time'), 'Time per epoch (max over workers)', 'ms', [
    { label: 'update', stroke: '#ff7f0e' },
    { label: 'check', stroke: '#9467bd' },
    { label: 'sync', stroke: '#d62728' },
  ]);

  let worker: Worker | undefined;
  let model: TrainedInfo | undefined;
  let running = false;
  let usingFile = false;
  let cancelTimer: ReturnType<typeof setTimeout> | undefined;
  const objective: number[] = [];
  const accuracy: number[] = [];

  const spawn = () => {
    const w = new Worker(new URL('./svm.worker.ts', import.meta.url), { type: 'module' });
    w.addEventListener('message', (e: MessageEvent<SvmEvent>) => onEvent(e.data));
    w.addEventListener('error', (e) => finish(() => showError(errBox, 'Training', new Error(`the demo's worker failed: ${e.message || 'it could not start'}`))));
    return w;
  };

  function finish(after?: () => void): void {
    running = false;
    clearTimeout(cancelTimer);
    trainBtn.disabled = false;
    cancelBtn.disabled = true;
    root.dataset.state = 'idle';
    after?.();
  }

  function readOptions(): SvmRunOptions {
    const num = (id: string, what: string, ok: (x: number) => boolean) => {
      const v = Number(q<HTMLInputElement>(id).value);
      if (!ok(v)) throw Object.assign(new Error(`${what}: got "${q<HTMLInputElement>(id).value}"`), { code: 'INVALID_INPUT' });
      return v;
    };
    const syncText = q<HTMLInputElement>('#svm-sync').value.trim();
    const lambdaText = q<HTMLInputElement>('#svm-lambda').value.trim();
    return {
      workers: num('#svm-workers', 'Workers must be a whole number from 1 to 16', (x) => Number.isInteger(x) && x >= 1 && x <= 16),
      syncEvery: syncText === 'epoch' ? 'epoch' : num('#svm-sync', "Sync every must be a whole number ≥ 1 or 'epoch'", (x) => Number.isInteger(x) && x >= 1),
      transport: q<HTMLSelectElement>('#svm-transport').value as SvmRunOptions['transport'],
      lambda: lambdaText === 'auto' ? 'auto' : num('#svm-lambda', "λ must be 'auto' or a number > 0", (x) => x > 0 && Number.isFinite(x)),
      epochs: num('#svm-epochs', 'Epochs must be a whole number from 1 to 1000', (x) => Number.isInteger(x) && x >= 1 && x <= 1000),
      seed: num('#svm-seed', 'Seed must be a whole number ≥ 0', (x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32),
      accuracyPerEpoch: q<HTMLInputElement>('#svm-replay').checked,
    };
  }

  function start(): void {
    clearError(errBox);
    let options: SvmRunOptions;
    try {
      options = readOptions();
    } catch (e) {
      return showError(errBox, 'Training', e);
    }
    const useFile = (root.querySelector<HTMLInputElement>('input[name=svm-data]:checked')?.value ?? 'builtin') === 'file';
    const file = q<HTMLInputElement>('#svm-file').files?.[0];
    if (useFile && !file) return showError(errBox, 'Training', Object.assign(new Error('choose a LIBSVM file first, or pick the built-in data'), { code: 'INVALID_INPUT' }));
    usingFile = useFile;
    objective.length = accuracy.length = 0;
    model = undefined;
    for (const c of [objChart, accChart, timeChart]) c.set([], c === timeChart ? [[], [], []] : [[]]);
    delete q('#svm-chart-accuracy').dataset.points;
    q('#svm-lambda-table').replaceChildren(el('tr', {}, [el('th', {}, ['λ']), el('th', {}, ['accuracy']), el('th', {}, ['hinge'])]));
    for (const id of ['#svm-test-accuracy', '#svm-train-accuracy', '#svm-test-prf', '#svm-lambda-out', '#svm-epochs-out', '#svm-engine', '#svm-time', '#svm-data-info']) setFigure(q(id), '–');
    q<HTMLButtonElement>('#svm-dl-json').disabled = q<HTMLButtonElement>('#svm-dl-liblinear').disabled = true;
    progress.value = 0;
    running = true;
    trainBtn.disabled = true;
    cancelBtn.disabled = false;
    root.dataset.state = 'running';
    status.textContent = useFile ? 'Starting …' : 'Making the built-in data …';
    worker ??= spawn();
    worker.postMessage({ type: 'train', file: useFile ? file : undefined, options });
  }

  function onEvent(m: SvmEvent): void {
    if (!running) return;
    switch (m.type) {
      case 'status':
        status.textContent = m.text;
        break;
      case 'data':
        setFigure(q('#svm-data-info'), `${m.info.name}: ${m.info.trainRows.toLocaleString('en')} train / ${m.info.testRows.toLocaleString('en')} test rows, ${m.info.features.toLocaleString('en')} features, ${m.info.nnz.toLocaleString('en')} non-zeros (${fmtMs(m.info.loadMs)})`);
        break;
      case 'epoch':
        if (m.phase === 'lambda-search') {
          status.textContent = `Choosing λ: λ = ${m.lambda}, epoch ${m.epoch}/${m.epochs} …`;
          break;
        }
        status.textContent = `Final fit, λ = ${m.lambda}: epoch ${m.epoch}/${m.epochs}, objective ${m.objective.toFixed(5)}`;
        progress.max = m.epochs;
        progress.value = m.epoch;
        objective[m.epoch - 1] = m.objective;
        objChart.set(objective.map((_, i) => i + 1), [objective]);
        break;
      case 'trained':
        showModel((model = m.info));
        break;
      case 'replay':
        accuracy[m.epoch - 1] = 100 * m.accuracy;
        accChart.set(accuracy.map((_, i) => i + 1), [accuracy]);
        q('#svm-chart-accuracy').dataset.points = String(accuracy.length);
        q('#svm-chart-accuracy').dataset.last = String(m.accuracy);
        break;
      case 'done':
        status.textContent = `Done in ${fmtMs(m.ms)}.`;
        progress.value = progress.max;
        finish();
        break;
      case 'error':
        status.textContent = m.error.code === 'ABORTED' ? 'Cancelled.' : 'Stopped by an error (see below).';
        finish(() => showError(errBox, 'Training', m.error, usingFile && m.error.code === 'INVALID_INPUT' ? 'LIBSVM lines look like "+1 3:0.5 7:1.25": a label, then index:value pairs with ascending indices from 1.' : undefined));
        break;
    }
  }

  function showModel(t: TrainedInfo): void {
    setFigure(q('#svm-test-accuracy'), fmtPct(t.test.accuracy), t.test.accuracy);
    setFigure(q('#svm-train-accuracy'), fmtPct(t.train.accuracy), t.train.accuracy);
    setFigure(q('#svm-test-prf'), `${fmtPct(t.test.precision)} / ${fmtPct(t.test.recall)} / ${t.test.f1.toFixed(4)}`);
    setFigure(q('#svm-lambda-out'), `${t.lambda}${t.lambdaSearch ? ' (chosen on the validation split)' : ''}`, t.lambda);
    setFigure(q('#svm-epochs-out'), String(t.history.length), t.history.length);
    setFigure(q('#svm-engine'), `${t.backend} / ${t.transport ?? 'in one thread'}`);
    const tm = t.timing;
    setFigure(
      q('#svm-time'),
      `${fmtMs(t.wallMs)} in trainSvm: λ search ${fmtMs(1000 * tm.lambdaSearchSeconds)}, final fit ${fmtMs(1000 * tm.trainSeconds)} ` +
        `(update ${fmtMs(1000 * tm.updateSeconds)}, check ${fmtMs(1000 * tm.checkSeconds)}, sync ${fmtMs(1000 * (tm.syncSeconds ?? 0))})`,
      t.wallMs,
    );
    const h = t.history;
    timeChart.set(h.map((r) => r.epoch), [h.map((r) => 1000 * r.updateSeconds), h.map((r) => 1000 * r.checkSeconds), h.map((r) => (r.syncSeconds === undefined ? null : 1000 * r.syncSeconds))]);
    objChart.set(h.map((r) => r.epoch), [h.map((r) => r.objective)]);
    const table = q('#svm-lambda-table');
    for (const s of t.lambdaSearch ?? []) {
      const picked: Record<string, string> = s.lambda === t.lambda ? { class: 'picked' } : {};
      table.append(el('tr', picked, [el('td', {}, [String(s.lambda)]), el('td', {}, [fmtPct(s.accuracy)]), el('td', {}, [s.hinge.toFixed(4)])]));
    }
    q<HTMLButtonElement>('#svm-dl-json').disabled = q<HTMLButtonElement>('#svm-dl-liblinear').disabled = false;
  }

  trainBtn.addEventListener('click', start);
  cancelBtn.addEventListener('click', () => {
    if (!running || !worker) return;
    status.textContent = 'Cancelling …';
    worker.postMessage({ type: 'cancel' });
    // The λ search runs synchronously in the worker, where a cancel message waits; stop the worker itself then.
    cancelTimer = setTimeout(() => {
      worker?.terminate();
      worker = undefined;
      status.textContent = 'Cancelled.';
      finish(() => showError(errBox, 'Training', { name: 'AbortError', code: 'ABORTED', message: 'stopped the worker (it was in the λ search, which does not check the cancel signal)' }));
    }, 1500);
  });
  q('#svm-dl-json').addEventListener('click', () => model && download('anyml-svm.json', model.modelJson, 'application/json'));
  q('#svm-dl-liblinear').addEventListener('click', () => model && download('anyml-svm.model', model.liblinear, 'text/plain'));
  q('#svm-file').addEventListener('change', () => {
    const r = root.querySelector<HTMLInputElement>('input[name=svm-data][value=file]');
    if (r) r.checked = true;
  });
}
