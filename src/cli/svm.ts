// SPDX-License-Identifier: MIT
// `anyml svm train | predict | eval | demo`.

import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { InvalidInputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkOutputFile } from '../io/files.js';
import { writeSyntheticLibsvm } from '../io/generate.js';
import { DEFAULT_MAX_FEATURES } from '../io/libsvm.js';
import { readDataset } from '../io/node.js';
import { seconds } from '../svm/convergence.js';
import { labelOf, subsetDataset } from '../svm/data.js';
import { SvmModel } from '../svm/model.js';
import { makeClassification } from '../svm/synthetic.js';
import { SCHEDULES, type Schedule } from '../svm/solver.js';
import { trainSvm } from '../svm/train.js';
import type { SvmEvaluation } from '../svm/types.js';
import type { Dataset } from '../types.js';
import { intArg, numArg, numOrWordArg } from './args.js';
import { createProgress } from './progress.js';

const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);

const lambdaArg = numOrWordArg('auto', numArg('--lambda', "a number > 0 or 'auto'", (x) => x > 0));
const syncArg = numOrWordArg('epoch', intArg('--sync-every', 1));

/**
 * A file with more feature columns than the model: the model ignores them (as LIBLINEAR's predict does), which is
 * worth a warning on stderr (and in --json): it usually means a different feature set.
 */
function extraColumns(path: string, d: Dataset, model: SvmModel): string[] {
  const extra = d.x.cols - model.weights.length;
  if (extra <= 0) return [];
  const w = `${path} has ${extra} more feature column${extra > 1 ? 's' : ''} (${d.x.cols}) than the model (${model.weights.length}); the model ignores them`;
  process.stderr.write(`anyml: warning: ${w}\n`);
  return [w];
}

/** Prints human lines, or (with --json) exactly one JSON object as the last stdout line. */
function emit(json: boolean, summary: Record<string, unknown>, human: string[]): void {
  if (json) process.stdout.write(JSON.stringify(summary) + '\n');
  else process.stdout.write(human.join('\n') + '\n');
}

export async function loadModel(path: string): Promise<SvmModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidInputError(path, `an unreadable file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'a readable model file (.json or LIBLINEAR .model)');
  }
  return text.trimStart().startsWith('{') ? SvmModel.fromJSON(text, path) : SvmModel.fromLiblinear(text, path);
}

export async function saveModel(model: SvmModel, path: string): Promise<void> {
  const text = path.toLowerCase().endsWith('.json') ? JSON.stringify(model) + '\n' : model.toLiblinear();
  await writeFileAtomic(path, text);
}

/**
 * A test file read without knowing the training labels, mapped onto them. When its label values are not the
 * training file's, it is read again with the training labels forced, which reports the exact file:line:column.
 */
async function alignTest(read: unknown, path: string, labels: number[]): Promise<Dataset> {
  if (read instanceof Error) throw read;
  const d = (read as { dataset: Dataset }).dataset;
  if (d.labels.length === labels.length && d.labels.every((v, k) => v === labels[k])) return d;
  const code = new Map(labels.map((v, k) => [v, labels.length === 2 ? (k === 1 ? 1 : -1) : k]));
  const y = new Float32Array(d.y.length);
  for (let i = 0; i < y.length; i++) {
    const c = code.get(labelOf(d, i));
    if (c === undefined) return (await readDataset(path, { labels })).dataset;
    y[i] = c;
  }
  return { x: d.x, y, labels };
}

interface TrainFlags {
  workers?: number; syncEvery?: number | 'epoch';
  test?: string; lambda: number | 'auto'; epochs?: number; scale: 'auto' | 'maxabs' | 'standard' | 'none'; lambdaFolds?: number; batchSize: number; seed: number; model?: string; json?: boolean;
  backend: string; features?: number; maxFeatures?: number; header?: boolean; schedule: Schedule; averaged: boolean; tol: number;
}

async function train(file: string | undefined, f: TrainFlags): Promise<void> {
  if (f.syncEvery !== undefined && f.workers === undefined) {
    throw new InvalidInputError('anyml svm train: --sync-every', String(f.syncEvery), 'no value unless --workers is given (it sets how often workers average their models)');
  }
  if (f.model) await checkOutputFile(f.model, 'anyml svm train: --model');
  const t0 = seconds();
  let data: Dataset;
  let test: Dataset | undefined;
  let source = file;
  if (file) {
    // Train and test files are read concurrently (zlib inflates one while the parser runs on the other).
    const limits = { maxFeatures: f.maxFeatures, header: f.header };
    const [tr, te] = await Promise.all([readDataset(file, { features: f.features, ...limits }), f.test ? readDataset(f.test, limits).catch((e: unknown) => e) : undefined]);
    data = tr.dataset;
    if (f.test) test = await alignTest(te, f.test, data.labels);
  } else {
    // Built-in data: one seeded draw, the first 20,000 rows to train and the last 5,000 to test.
    const all = makeClassification({ rows: 25000, features: 100, density: 0.1, seed: f.seed });
    data = subsetDataset(all, range(0, 20000));
    if (!f.test) test = subsetDataset(all, range(20000, 25000));
    source = `built-in synthetic data (seed ${f.seed})`;
  }
  if (f.test && !file) test = (await readDataset(f.test, { labels: data.labels, maxFeatures: f.maxFeatures, header: f.header })).dataset;
  const parseSeconds = seconds() - t0;
  const progress = await createProgress(!f.json);
  const model = await trainSvm(data, {
    lambda: f.lambda, scale: f.scale, ...(f.epochs !== undefined ? { epochs: f.epochs } : {}), ...(f.lambdaFolds !== undefined ? { lambdaFolds: f.lambdaFolds } : {}), batchSize: f.batchSize, seed: f.seed, backend: f.backend, schedule: f.schedule,
    averaged: f.averaged, tol: f.tol, onEpoch: (p) => progress.onEpoch(p),
    ...(f.workers !== undefined ? { workers: f.workers, syncEvery: f.syncEvery } : {}),
  }).finally(() => progress.stop());
  const evalTrain = model.evaluate(data);
  const evalTest = test ? model.evaluate(test) : undefined;
  const warnings = test && f.test ? extraColumns(f.test, test, model) : [];
  if (f.model) await saveModel(model, f.model);
  // The training objective: the last epoch's (multiclass: the mean of the K one-vs-rest objectives, from evaluate).
  const objective = model.multiclass ? evalTrain.objective : model.history[model.history.length - 1]?.objective;
  const summary = {
    rows: data.x.rows, features: data.x.cols, parseSeconds, trainSeconds: model.timing.lambdaSearchSeconds + model.timing.trainSeconds,
    lambdaSearchSeconds: model.timing.lambdaSearchSeconds, updateSeconds: model.timing.updateSeconds, checkSeconds: model.timing.checkSeconds,
    epochs: model.history.length, ...(model.multiclass ? { classes: model.labels.length } : {}), lambda: model.lambda, scale: model.trainedWith.scale, objective, trainAccuracy: evalTrain.accuracy,
    ...(evalTest ? { testRows: evalTest.rows, testAccuracy: evalTest.accuracy, testF1: evalTest.f1 } : {}),
    backend: model.backend, ...(f.model ? { model: f.model } : {}), ...(warnings.length ? { warnings } : {}),
    ...(f.workers !== undefined
      ? { workers: model.trainedWith.workers, syncEvery: model.trainedWith.syncEvery, transport: model.trainedWith.transport, syncSeconds: model.timing.syncSeconds }
      : {}),
  };
  emit(!!f.json, summary, [
    `data      ${source}: ${summary.rows} rows × ${summary.features} features (read in ${parseSeconds.toFixed(3)} s)`,
    `trained   λ=${model.lambda}, scale ${model.trainedWith.scale}, on ${model.backend}${f.workers !== undefined ? ` × ${f.workers} workers (${model.trainedWith.transport}, sync every ${model.trainedWith.syncEvery})` : ''}, ${summary.epochs} epochs in ${summary.trainSeconds.toFixed(3)} s (λ search ${summary.lambdaSearchSeconds.toFixed(3)} s)`,
    `train     accuracy ${(evalTrain.accuracy * 100).toFixed(2)}%, objective ${objective?.toPrecision(6)}`,
    ...(model.multiclass ? [`classes   ${model.labels.length} (${model.labels.join(', ')}), one-vs-rest; epochs summed over the classes`] : []),
    ...(evalTest ? [`test      accuracy ${(evalTest.accuracy * 100).toFixed(2)}% on ${evalTest.rows} rows, F1${model.multiclass ? ' (macro)' : ''} ${evalTest.f1.toFixed(4)}`] : []),
    ...(evalTest && model.multiclass ? classLines(evalTest) : []),
    ...(f.model ? [`model     written to ${f.model}`] : []),
  ]);
}

interface ReadFlags {
  json?: boolean;
  header?: boolean;
  maxFeatures?: number;
}

/** A model's data may be as wide as the model: columns beyond it are ignored (with a warning), not refused. */
function modelLimit(model: SvmModel, f: ReadFlags): number {
  return f.maxFeatures ?? Math.max(DEFAULT_MAX_FEATURES, model.features);
}

async function predict(modelPath: string, file: string, f: ReadFlags & { output?: string }): Promise<void> {
  if (f.output) await checkOutputFile(f.output, 'anyml svm predict: --output');
  const model = await loadModel(modelPath);
  const parsed = await readDataset(file, { header: f.header, maxFeatures: modelLimit(model, f) });
  const warnings = extraColumns(file, parsed.dataset, model);
  const preds = model.predict(parsed.dataset);
  const text = Array.from(preds, (v) => String(v)).join('\n') + (preds.length ? '\n' : '');
  if (f.output) await writeFileAtomic(f.output, text);
  // Accuracy only when the file's labels are the model's label values (a prediction file may carry dummy labels).
  const d = parsed.dataset;
  const comparable = d.labels.every((l) => model.labels.includes(l));
  let correct = 0;
  if (comparable) for (let i = 0; i < preds.length; i++) if (preds[i] === labelOf(d, i)) correct++;
  const summary = { rows: preds.length, ...(comparable ? { accuracy: correct / Math.max(1, preds.length) } : {}), ...(f.output ? { output: f.output } : {}), ...(warnings.length ? { warnings } : {}) };
  if (!f.output && !f.json) process.stdout.write(text);
  if (f.json) emit(true, summary, []);
  else if (f.output) emit(false, summary, [`wrote ${preds.length} predictions to ${f.output}` + (comparable ? `, accuracy ${((correct / preds.length) * 100).toFixed(2)}%` : '')]);
}

async function evaluate(modelPath: string, file: string, f: ReadFlags): Promise<void> {
  const model = await loadModel(modelPath);
  const data = (await readDataset(file, { labels: model.labels, header: f.header, maxFeatures: modelLimit(model, f) })).dataset;
  const warnings = extraColumns(file, data, model);
  const e = model.evaluate(data);
  const macro = model.multiclass ? ' (macro)' : '';
  emit(!!f.json, { ...e, ...(warnings.length ? { warnings } : {}) }, [
    `rows ${e.rows}  accuracy ${(e.accuracy * 100).toFixed(2)}%  precision${macro} ${e.precision.toFixed(4)}  recall${macro} ${e.recall.toFixed(4)}  F1${macro} ${e.f1.toFixed(4)}`,
    ...(model.multiclass ? classLines(e) : []),
  ]);
}

/** Per-class precision/recall/F1 and the confusion matrix (rows: true label, columns: predicted), as text. */
function classLines(e: SvmEvaluation): string[] {
  const labels = e.confusion.labels.map(String);
  const w = Math.max(6, ...labels.map((l) => l.length), ...e.confusion.counts.flat().map((c) => String(c).length));
  const pad = (t: string) => t.padStart(w);
  return [
    `${pad('label')}  precision  recall      F1  support`,
    ...e.perClass.map((m) => `${pad(String(m.label))}  ${m.precision.toFixed(4).padStart(9)}  ${m.recall.toFixed(4).padStart(6)}  ${m.f1.toFixed(4).padStart(6)}  ${String(m.support).padStart(7)}`),
    `confusion (rows: true label, columns: predicted)`,
    `${pad('')} ${labels.map(pad).join(' ')}`,
    ...e.confusion.counts.map((row, t) => `${pad(labels[t])} ${row.map((c) => pad(String(c))).join(' ')}`),
  ];
}

async function generate(out: string, f: { rows: number; features: number; density: number; noise: number; seed: number; json?: boolean }): Promise<void> {
  await checkOutputFile(out, 'anyml svm generate:');
  const t0 = seconds();
  const r = await writeSyntheticLibsvm(out, { rows: f.rows, features: f.features, density: f.density, noise: f.noise, seed: f.seed });
  const summary = { output: out, rows: r.rows, features: f.features, bytes: r.bytes, seconds: seconds() - t0 };
  emit(!!f.json, summary, [`wrote ${r.rows} rows × ${f.features} features (${(r.bytes / 1e6).toFixed(1)} MB) to ${out}`]);
}

export function registerSvmCommands(program: Command): void {
  const svm = program.command('svm').description('linear SVM: train, predict, evaluate');
  const common = (c: Command) => c.option('--json', 'print one JSON object as the last stdout line');
  // Commands that read data files: --json, and for CSV whether the first row is a header (default: only when none
  // of its fields is a number).
  const data = (c: Command) => common(c).option('--header', 'CSV: the first row is a header').option('--no-header', 'CSV: the first row is data')
    .option('--max-features <n>', 'largest feature index accepted without --features (default 33554432; predict and eval: at least the model\'s width)', intArg('--max-features', 1));
  data(svm.command('train').argument('[file]', 'LIBSVM (.gz ok) or CSV file; omitted: built-in synthetic data')
    .description('train a linear SVM (Pegasos SGD) and optionally test and save it')
    .option('--test <file>', 'test file, scored after training')
    .option('--lambda <x|auto>', "regularisation λ, or 'auto' to choose it by cross-validation", lambdaArg, 'auto')
    .option('--lambda-folds <k>', "folds of the cross-validation that chooses λ (default 5, 3 from 10,000 rows; 1 = one 80/20 split)", intArg('--lambda-folds', 1, 20))
    .addOption(new Option('--scale <mode>', 'feature scaling, folded into the model (auto: max-abs for sparse, standard for dense data, none for data already in [-1, 1])').choices(['auto', 'maxabs', 'standard', 'none']).default('auto'))
    .option('--epochs <n>', 'maximum epochs (default: 10, more for small data: enough for 100,000 updates)', intArg('--epochs', 1))
    .option('--batch-size <k>', 'mini-batch size', intArg('--batch-size', 1), 1)
    .option('--seed <s>', 'seed of every random choice', intArg('--seed', 0), 1)
    .option('--tol <x>', 'stop when the objective changes by less than this (relative)', numArg('--tol', 'a number ≥ 0', (x) => x >= 0), 1e-3)
    .option('--features <n>', 'number of features (default: highest index in the file)', intArg('--features', 1))
    .addOption(new Option('--schedule <name>', 'step-size schedule').choices(SCHEDULES).default('pegasos'))
    .option('--no-averaged', 'plain SGD iterate instead of averaged SGD')
    .option('--backend <name>', 'auto | wasm-simd | wasm | js', 'auto')
    .option('--workers <P>', 'data-parallel training on P workers (1-64); default: this thread', intArg('--workers', 1, 64))
    .option('--sync-every <b|epoch>', "with --workers: local samples between model averages, or 'epoch' (default 1000)", syncArg)
    .option('--model <out>', 'write the model: .json (anyml) or anything else (LIBLINEAR .model)'))
    .action((file: string | undefined, flags: TrainFlags) => train(file, flags));
  common(svm.command('generate').argument('<out>', 'LIBSVM file to write')
    .description('write seeded synthetic data (dense epsilon-shaped: --features 2000 --density 1) for scale tests')
    .option('--rows <n>', 'rows', intArg('--rows', 1), 100000)
    .option('--features <n>', 'features', intArg('--features', 1), 2000)
    .option('--density <x>', 'fraction of non-zero features per row (1 = dense)', numArg('--density', 'a number in (0, 1]', (x) => x > 0 && x <= 1), 1)
    .option('--noise <x>', 'fraction of flipped labels', numArg('--noise', 'a number in [0, 0.5)', (x) => x >= 0 && x < 0.5), 0.05)
    .option('--seed <s>', 'seed', intArg('--seed', 0), 1))
    .action((out: string, flags: { rows: number; features: number; density: number; noise: number; seed: number; json?: boolean }) => generate(out, flags));
  data(svm.command('predict').argument('<model>', 'model file (.json or LIBLINEAR)').argument('<file>', 'data file')
    .description('predict labels, one per line (stdout or --output)')
    .option('--output <file>', 'write predictions here instead of stdout'))
    .action((m: string, file: string, flags: ReadFlags & { output?: string }) => predict(m, file, flags));
  data(svm.command('eval').argument('<model>', 'model file (.json or LIBLINEAR)').argument('<file>', 'labelled data file')
    .description('accuracy, precision, recall and F1 of a model on labelled data'))
    .action((m: string, file: string, flags: ReadFlags) => evaluate(m, file, flags));
}
