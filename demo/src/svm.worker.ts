// SPDX-License-Identifier: MIT
// The SVM tab's coordinator worker. trainSvm keeps the λ search, the bias refit and evaluation on the calling
// thread, so the demo calls it here rather than on the page: the page only draws. trainSvm's own training workers
// (options.workers) are started from this worker (nested dedicated workers).
import { type Dataset, makeClassification, parseLibsvm, subsetDataset, trainSvm } from 'anyml';
import type { DataInfo, SvmEvent, SvmRequest, SvmRunOptions } from './svm_protocol.js';
import { toWire } from './ui.js';

const post = (m: SvmEvent) => postMessage(m);
let controller: AbortController | undefined;

/** The CLI's built-in data (`anyml svm train`): one seeded draw, rows 0–19,999 train and 20,000–24,999 test. */
function builtin(seed: number): { train: Dataset; test: Dataset; name: string; nnz: number } {
  const all = makeClassification({ rows: 25000, features: 100, density: 0.1, seed });
  const idx = (lo: number, hi: number) => Int32Array.from({ length: hi - lo }, (_, i) => lo + i);
  return { train: subsetDataset(all, idx(0, 20000)), test: subsetDataset(all, idx(20000, 25000)), name: `built-in synthetic data (seed ${seed})`, nnz: all.x.kind === 'csr' ? all.x.indptr[all.x.rows] : all.x.rows * all.x.cols };
}

/** Seeded 80/20 split of a file's rows (mulberry32 Fisher–Yates): files are often sorted by label. */
function split(data: Dataset, seed: number): { train: Dataset; test: Dataset } {
  const n = data.x.rows;
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const nTest = Math.max(1, Math.round(n * 0.2));
  return { test: subsetDataset(data, perm.subarray(0, nTest)), train: subsetDataset(data, perm.subarray(nTest)) };
}

async function load(file: File | undefined, seed: number): Promise<{ train: Dataset; test: Dataset; info: DataInfo }> {
  const t0 = performance.now();
  if (!file) {
    const d = builtin(seed);
    return { ...d, info: { name: d.name, trainRows: d.train.x.rows, testRows: d.test.x.rows, features: d.train.x.cols, nnz: d.nnz, loadMs: performance.now() - t0 } };
  }
  post({ type: 'status', text: `Reading ${file.name} …` });
  const parsed = await parseLibsvm(file, { name: file.name, signal: controller?.signal });
  if (parsed.rows < 10) throw Object.assign(new Error(`${file.name}: ${parsed.rows} rows; the demo needs at least 10 (8 to train, 2 to test)`), { code: 'INVALID_INPUT' });
  const { train, test } = split(parsed.dataset, seed);
  const info = { name: `${file.name} (seeded 80/20 split)`, trainRows: train.x.rows, testRows: test.x.rows, features: parsed.features, nnz: parsed.nnz, loadMs: performance.now() - t0 };
  return { train, test, info };
}

async function run(file: File | undefined, o: SvmRunOptions): Promise<void> {
  const t0 = performance.now();
  const signal = controller!.signal;
  const { train, test, info } = await load(file, o.seed);
  post({ type: 'data', info });
  post({ type: 'status', text: `Training on ${o.workers} worker${o.workers > 1 ? 's' : ''} …` });
  const base = { workers: o.workers, syncEvery: o.syncEvery, transport: o.transport, seed: o.seed, signal };
  const tt = performance.now();
  const model = await trainSvm(train, { ...base, lambda: o.lambda, epochs: o.epochs, onEpoch: (p) => post({ type: 'epoch', ...p }) });
  const wallMs = performance.now() - tt;
  const tw = model.trainedWith as { transport?: string; lambdaSearch?: { lambda: number; accuracy: number; hinge: number }[] };
  post({
    type: 'trained',
    info: {
      backend: model.backend, lambda: model.lambda, transport: tw.transport, lambdaSearch: tw.lambdaSearch, history: model.history, timing: model.timing,
      train: model.evaluate(train), test: model.evaluate(test), wallMs, modelJson: JSON.stringify(model), liblinear: model.toLiblinear(),
    },
  });
  if (o.accuracyPerEpoch) {
    // The model after epoch k of this run is the model of the same run stopped at k epochs (same seed, shards and
    // averaging start; k = 1 averages from the start). So each point is one more fit with epochs: k and tol: 0.
    for (let k = 1; k <= model.history.length; k++) {
      post({ type: 'status', text: `Test accuracy per epoch: refitting ${k} of ${model.history.length} …` });
      const mk = await trainSvm(train, { ...base, lambda: model.lambda, epochs: k, tol: 0 });
      post({ type: 'replay', epoch: k, accuracy: mk.evaluate(test).accuracy });
    }
  }
  post({ type: 'done', ms: performance.now() - t0 });
}

addEventListener('message', (e: MessageEvent<SvmRequest>) => {
  const m = e.data;
  if (m.type === 'cancel') return controller?.abort();
  controller = new AbortController();
  run(m.file, m.options).catch((err) => post({ type: 'error', error: toWire(err) }));
});
