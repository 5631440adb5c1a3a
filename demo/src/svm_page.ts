// SPDX-License-Identifier: MIT
// SVM tab: data (built-in or a LIBSVM file, .gz too), training options, live plots, metrics, model downloads.
// Everything heavy runs in svm.worker.ts, which runs trainSvm with options.workers; this thread only draws.
import { epochChart, type EpochChart } from './plots.js';
import type { SvmEvent, SvmRequest, SvmRunOptions, TrainedInfo } from './svm_protocol.js';
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

type Query = <T extends HTMLElement = HTMLElement>(selector: string) => T;
type EventOf<K extends SvmEvent['type']> = Extract<SvmEvent, { type: K }>;

interface Charts {
  objective: EpochChart;
  accuracy: EpochChart;
  time: EpochChart;
}

/** The tab's elements and what the current (or last) training run has shown. */
interface SvmPage {
  readonly root: HTMLElement;
  readonly q: Query;
  readonly errBox: HTMLElement;
  readonly status: HTMLElement;
  readonly progress: HTMLProgressElement;
  readonly trainBtn: HTMLButtonElement;
  readonly cancelBtn: HTMLButtonElement;
  readonly charts: Charts;
  /** The coordinator worker, reused by the next run; undefined before the first run and after a forced stop. */
  worker: Worker | undefined;
  model: TrainedInfo | undefined;
  running: boolean;
  /** The run reads a LIBSVM file, so a refused input gets the format hint. */
  usingFile: boolean;
  cancelTimer: ReturnType<typeof setTimeout> | undefined;
  /** The final fit's objective and the replayed test accuracy (%), at index epoch − 1. */
  readonly objective: number[];
  readonly accuracy: number[];
}

function makeCharts(q: Query): Charts {
  return {
    objective: epochChart(q('#svm-chart-objective'), 'Objective per epoch (final fit)', '(λ/2)‖w‖² + mean hinge', [{ label: 'objective', stroke: '#1f77b4' }]),
    accuracy: epochChart(q('#svm-chart-accuracy'), 'Test accuracy per epoch', 'accuracy %', [{ label: 'test accuracy', stroke: '#2ca02c' }]),
    time: epochChart(q('#svm-chart-time'), 'Time per epoch (max over workers)', 'ms', [
      { label: 'update', stroke: '#ff7f0e' },
      { label: 'check', stroke: '#9467bd' },
      { label: 'sync', stroke: '#d62728' },
    ]),
  };
}

function svmPage(root: HTMLElement): SvmPage {
  const q: Query = <T extends HTMLElement = HTMLElement>(s: string) => $<T>(root, s);
  return {
    root,
    q,
    errBox: q('#svm-error'),
    status: q('#svm-status'),
    progress: q<HTMLProgressElement>('#svm-progress'),
    trainBtn: q<HTMLButtonElement>('#svm-train'),
    cancelBtn: q<HTMLButtonElement>('#svm-cancel'),
    charts: makeCharts(q),
    worker: undefined,
    model: undefined,
    running: false,
    usingFile: false,
    cancelTimer: undefined,
    objective: [],
    accuracy: [],
  };
}

function spawn(p: SvmPage): Worker {
  const w = new Worker(new URL('./svm.worker.ts', import.meta.url), { type: 'module' });
  w.addEventListener('message', (e: MessageEvent<SvmEvent>) => onEvent(p, e.data));
  w.addEventListener('error', (e) => finish(p, () => showError(p.errBox, 'Training', new Error(`the demo's worker failed: ${e.message || 'it could not start'}`))));
  return w;
}

/** Back to idle (flag, buttons, data-state), then `after` (which shows the error, if there is one). */
function finish(p: SvmPage, after?: () => void): void {
  p.running = false;
  clearTimeout(p.cancelTimer);
  p.trainBtn.disabled = false;
  p.cancelBtn.disabled = true;
  p.root.dataset.state = 'idle';
  after?.();
}

function readOptions(q: Query): SvmRunOptions {
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

/** The LIBSVM file to train on, or undefined for the built-in data; INVALID_INPUT when "file" is picked without one. */
function chosenFile(p: SvmPage): File | undefined {
  const useFile = (p.root.querySelector<HTMLInputElement>('input[name=svm-data]:checked')?.value ?? 'builtin') === 'file';
  const file = p.q<HTMLInputElement>('#svm-file').files?.[0];
  if (useFile && !file) throw Object.assign(new Error('choose a LIBSVM file first, or pick the built-in data'), { code: 'INVALID_INPUT' });
  return useFile ? file : undefined;
}

/** Empties the plots, figures, λ table and downloads, so nothing from the last run shows next to the new one. */
function clearResults(p: SvmPage): void {
  const { q, charts } = p;
  p.objective.length = p.accuracy.length = 0;
  p.model = undefined;
  for (const c of [charts.objective, charts.accuracy, charts.time]) c.set([], c === charts.time ? [[], [], []] : [[]]);
  delete q('#svm-chart-accuracy').dataset.points;
  q('#svm-lambda-table').replaceChildren(el('tr', {}, [el('th', {}, ['λ']), el('th', {}, ['accuracy']), el('th', {}, ['hinge'])]));
  for (const id of ['#svm-test-accuracy', '#svm-train-accuracy', '#svm-test-prf', '#svm-lambda-out', '#svm-epochs-out', '#svm-engine', '#svm-time', '#svm-data-info']) setFigure(q(id), '–');
  q<HTMLButtonElement>('#svm-dl-json').disabled = q<HTMLButtonElement>('#svm-dl-liblinear').disabled = true;
  p.progress.value = 0;
}

function start(p: SvmPage): void {
  clearError(p.errBox);
  let options: SvmRunOptions;
  let file: File | undefined;
  try {
    options = readOptions(p.q);
    file = chosenFile(p);
  } catch (e) {
    return showError(p.errBox, 'Training', e);
  }
  p.usingFile = file !== undefined;
  clearResults(p);
  p.running = true;
  p.trainBtn.disabled = true;
  p.cancelBtn.disabled = false;
  p.root.dataset.state = 'running';
  p.status.textContent = file ? 'Starting …' : 'Making the built-in data …';
  p.worker ??= spawn(p);
  p.worker.postMessage({ type: 'train', file, options } satisfies SvmRequest);
}

function showData(q: Query, info: EventOf<'data'>['info']): void {
  const n = (x: number) => x.toLocaleString('en');
  setFigure(q('#svm-data-info'), `${info.name}: ${n(info.trainRows)} train / ${n(info.testRows)} test rows, ${n(info.features)} features, ${n(info.nnz)} non-zeros (${fmtMs(info.loadMs)})`);
}

/** The λ search only reports progress; the final fit's epochs also drive the progress bar and the objective plot. */
function onEpoch(p: SvmPage, m: EventOf<'epoch'>): void {
  if (m.phase === 'lambda-search') {
    p.status.textContent = `Choosing λ: λ = ${m.lambda}, epoch ${m.epoch}/${m.epochs} …`;
    return;
  }
  p.status.textContent = `Final fit, λ = ${m.lambda}: epoch ${m.epoch}/${m.epochs}, objective ${m.objective.toFixed(5)}`;
  p.progress.max = m.epochs;
  p.progress.value = m.epoch;
  p.objective[m.epoch - 1] = m.objective;
  p.charts.objective.set(p.objective.map((_, i) => i + 1), [p.objective]);
}

/** Plots the replayed test accuracy; data-points and data-last let the test check the plot against the figures. */
function onReplay(p: SvmPage, m: EventOf<'replay'>): void {
  p.accuracy[m.epoch - 1] = 100 * m.accuracy;
  p.charts.accuracy.set(p.accuracy.map((_, i) => i + 1), [p.accuracy]);
  const chart = p.q('#svm-chart-accuracy');
  chart.dataset.points = String(p.accuracy.length);
  chart.dataset.last = String(m.accuracy);
}

function onError(p: SvmPage, m: EventOf<'error'>): void {
  p.status.textContent = m.error.code === 'ABORTED' ? 'Cancelled.' : 'Stopped by an error (see below).';
  const hint = p.usingFile && m.error.code === 'INVALID_INPUT' ? 'LIBSVM lines look like "+1 3:0.5 7:1.25": a label, then index:value pairs with ascending indices from 1.' : undefined;
  finish(p, () => showError(p.errBox, 'Training', m.error, hint));
}

/** Events after a finish (a late answer to a cancelled run) are dropped. */
function onEvent(p: SvmPage, m: SvmEvent): void {
  if (!p.running) return;
  switch (m.type) {
    case 'status':
      p.status.textContent = m.text;
      break;
    case 'data':
      showData(p.q, m.info);
      break;
    case 'epoch':
      onEpoch(p, m);
      break;
    case 'trained':
      showModel(p, (p.model = m.info));
      break;
    case 'replay':
      onReplay(p, m);
      break;
    case 'done':
      p.status.textContent = `Done in ${fmtMs(m.ms)}.`;
      p.progress.value = p.progress.max;
      finish(p);
      break;
    case 'error':
      onError(p, m);
      break;
  }
}

function showFigures(q: Query, t: TrainedInfo): void {
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
}

/** Redraws the time and objective plots from the model's history; syncSeconds is set only on data-parallel runs, so a
 * run in one thread plots no sync points (null). */
function plotHistory(charts: Charts, h: TrainedInfo['history']): void {
  charts.time.set(h.map((r) => r.epoch), [h.map((r) => 1000 * r.updateSeconds), h.map((r) => 1000 * r.checkSeconds), h.map((r) => (r.syncSeconds === undefined ? null : 1000 * r.syncSeconds))]);
  charts.objective.set(h.map((r) => r.epoch), [h.map((r) => r.objective)]);
}

/** One row per λ tried, the chosen one marked. */
function fillLambdaTable(table: HTMLElement, t: TrainedInfo): void {
  for (const s of t.lambdaSearch ?? []) {
    const picked: Record<string, string> = s.lambda === t.lambda ? { class: 'picked' } : {};
    table.append(el('tr', picked, [el('td', {}, [String(s.lambda)]), el('td', {}, [fmtPct(s.accuracy)]), el('td', {}, [s.hinge.toFixed(4)])]));
  }
}

function showModel(p: SvmPage, t: TrainedInfo): void {
  showFigures(p.q, t);
  plotHistory(p.charts, t.history);
  fillLambdaTable(p.q('#svm-lambda-table'), t);
  p.q<HTMLButtonElement>('#svm-dl-json').disabled = p.q<HTMLButtonElement>('#svm-dl-liblinear').disabled = false;
}

function cancel(p: SvmPage): void {
  if (!p.running || !p.worker) return;
  p.status.textContent = 'Cancelling …';
  p.worker.postMessage({ type: 'cancel' } satisfies SvmRequest);
  // The λ search runs synchronously in the worker, where a cancel message waits; stop the worker itself then.
  p.cancelTimer = setTimeout(() => {
    p.worker?.terminate();
    p.worker = undefined;
    p.status.textContent = 'Cancelled.';
    finish(p, () => showError(p.errBox, 'Training', { name: 'AbortError', code: 'ABORTED', message: 'stopped the worker (it was in the λ search, which does not check the cancel signal)' }));
  }, 1500);
}

function wire(p: SvmPage): void {
  const { q } = p;
  p.trainBtn.addEventListener('click', () => start(p));
  p.cancelBtn.addEventListener('click', () => cancel(p));
  q('#svm-dl-json').addEventListener('click', () => p.model && download('anyml-svm.json', p.model.modelJson, 'application/json'));
  q('#svm-dl-liblinear').addEventListener('click', () => p.model && download('anyml-svm.model', p.model.liblinear, 'text/plain'));
  // Choosing a file means training on it.
  q('#svm-file').addEventListener('change', () => {
    const r = p.root.querySelector<HTMLInputElement>('input[name=svm-data][value=file]');
    if (r) r.checked = true;
  });
}

export function mountSvm(root: HTMLElement): void {
  root.innerHTML = FORM;
  wire(svmPage(root));
}
