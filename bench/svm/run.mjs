#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// bench:svm — anyml vs LIBLINEAR side by side in one run, printed as ratios (docs/benchmarks.md records them).
//  1. whole process: `anyml svm train X --test X.t` vs `liblinear-train -s 3` + `liblinear-predict` (same files;
//     also .gz input and npx), on ijcnn1, a9a and the raw ticdata and satellite
//  2. in-process train time on ijcnn1 after parsing
//  3. one epoch in WASM SIMD vs the same C++ built natively (-O3 -march=native)
// Usage: npm run bench:svm [-- --reps 5]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../..', import.meta.url));
const data = join(root, '..', 'shared', 'data', 'libsvm');
const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (s) => (s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(3)} s`);
for (const need of [data, '/usr/bin/liblinear-train', join(root, 'dist', 'node.js')]) {
  if (!existsSync(need)) throw new Error(`bench:svm needs ${need} (shared data, apt liblinear-tools, npm run build)`);
}
const tmp = mkdtempSync(join(tmpdir(), 'anyml-bench-'));
const plain = (f) => {
  const out = join(tmp, f.replace(/\//g, '_').replace(/\.gz$/, ''));
  if (!existsSync(out)) writeFileSync(out, f.endsWith('.gz') ? gunzipSync(readFileSync(join(data, f))) : readFileSync(join(data, f)));
  return out;
};
const timed = (cmd, args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return { s, out: r.stdout };
};

const results = { date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0].model}, Node ${process.version}`, reps, wholeProcess: [], inProcess: {}, epoch: {} };

// 1. Whole process, interleaved reps so machine noise hits both sides alike: `anyml svm train X --test X.t` (the bin
//    run directly by node) vs `liblinear-train -s 3` + `liblinear-predict` on the same uncompressed files; beside it
//    anyml on the .gz files and, for ijcnn1, through `npx anyml` (npm's own start-up added).
const WHOLE = [
  ['ijcnn1', 'ijcnn1.gz', 'ijcnn1.t.gz', []], ['a9a', 'a9a.gz', 'a9a.t', ['--features', '123']],
  ['ticdata (largest raw set)', 'unscaled/ticdata.train.gz', 'unscaled/ticdata.test', []], ['satellite (raw, 6 classes)', 'unscaled/satellite.train.gz', 'unscaled/satellite.test', []],
];
const cliRun = (argv, extra) => {
  const a = timed(argv[0], [...argv.slice(1), '--json', ...extra]);
  return { s: a.s, j: JSON.parse(a.out.trim().split('\n').pop()) };
};
for (const [name, train, test, extra] of WHOLE) {
  const [trainPlain, testPlain] = [plain(train), plain(test)];
  const t = { plain: [], gz: [], npx: [], fixed: [], theirs: [] };
  let ours, fixed, theirAcc = 0;
  for (let r = 0; r < reps; r++) {
    const bin = [process.execPath, join(root, 'bin', 'anyml.js'), 'svm', 'train'];
    ours = cliRun([...bin, trainPlain, '--test', testPlain], extra);
    t.plain.push(ours.s);
    if (train.endsWith('.gz')) t.gz.push(cliRun([...bin, join(data, train), '--test', join(data, test)], extra).s);
    if (name === 'ijcnn1') t.npx.push(cliRun(['npx', '--no-install', 'anyml', 'svm', 'train', trainPlain, '--test', testPlain], extra).s);
    // LIBLINEAR's own problem: its default C = 1 is λ = 1/(C·n) in anyml's scaling, with no λ search.
    fixed = cliRun([...bin, trainPlain, '--test', testPlain, '--lambda', String(1 / ours.j.rows)], extra);
    t.fixed.push(fixed.s);
    const model = join(tmp, 'whole.model');
    const t0 = process.hrtime.bigint();
    execFileSync('liblinear-train', ['-s', '3', '-q', trainPlain, model]);
    const p = execFileSync('liblinear-predict', [testPlain, model, join(tmp, 'whole.out')], { encoding: 'utf8' });
    t.theirs.push(Number(process.hrtime.bigint() - t0) / 1e9);
    theirAcc = Number(/Accuracy = ([\d.]+)%/.exec(p)[1]) / 100;
  }
  const ll = median(t.theirs);
  results.wholeProcess.push({
    name, anymlSeconds: median(t.plain), liblinearSeconds: ll, ratio: median(t.plain) / ll, anymlAccuracy: ours.j.testAccuracy, liblinearAccuracy: theirAcc,
    parseSeconds: ours.j.parseSeconds, lambdaSearchSeconds: ours.j.lambdaSearchSeconds, trainSeconds: ours.j.trainSeconds,
    ...(t.gz.length ? { anymlGzSeconds: median(t.gz), gzRatio: median(t.gz) / ll } : {}),
    ...(t.npx.length ? { npxSeconds: median(t.npx), npxRatio: median(t.npx) / ll } : {}),
    fixedLambda: 1 / ours.j.rows, anymlFixedSeconds: median(t.fixed), fixedRatio: median(t.fixed) / ll, anymlFixedAccuracy: fixed.j.testAccuracy,
  });
}

// 2. In-process training on ijcnn1 after parsing (default options = λ 'auto'; and the chosen λ alone).
const anyml = { ...(await import('anyml')), ...(await import('anyml/node')) };
const ij = (await anyml.readDataset(join(data, 'ijcnn1.gz'))).dataset;
const ijt = (await anyml.readDataset(join(data, 'ijcnn1.t.gz'), { labels: ij.labels })).dataset;
const autoTimes = [];
const fixedTimes = [];
let chosen = 0;
let acc = 0;
for (let r = 0; r < reps; r++) {
  let t0 = performance.now();
  const m = await anyml.trainSvm(ij);
  autoTimes.push((performance.now() - t0) / 1000);
  chosen = m.lambda;
  t0 = performance.now();
  const f = await anyml.trainSvm(ij, { lambda: chosen });
  fixedTimes.push((performance.now() - t0) / 1000);
  acc = f.evaluate(ijt).accuracy;
}
results.inProcess = { dataset: 'ijcnn1', autoSeconds: median(autoTimes), fixedLambda: chosen, fixedSeconds: median(fixedTimes), testAccuracy: acc };

// 3. One epoch: wasm-simd engine vs native C++ (same solver source, same λ, seed and data), interleaved rounds so
//    the machine's noise hits both alike; median over all epochs after the first of each round (JIT/cache warm-up).
const { createWasmBackend } = await import(join(root, 'dist', 'svm', 'backends', 'wasm', 'sgd_svm.js'));
const lambda = 1e-5;
const epochs = 10;
const engine = await createWasmBackend('simd');
execFileSync('bash', [join(root, 'scripts', 'native-tests.sh'), '--build-only'], { stdio: 'ignore' });
const nativeBin = join(root, 'build', 'native', 'svm_epoch_bench');
const wasmEpochs = [];
const nativeEpochs = [];
let objectives = [];
for (let r = 0; r < reps; r++) {
  const solver = engine.createSolver(ij.x, ij.y, { lambda, batchSize: 1, schedule: 'pegasos', shuffle: true, averaged: true, averageStart: ij.x.rows, biasScale: 1, seed: 1 });
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    solver.runEpoch();
    if (e > 0) wasmEpochs.push((performance.now() - t0) / 1000);
  }
  const wasmObjective = solver.objective();
  solver.dispose();
  const native = JSON.parse(execFileSync(nativeBin, [plain('ijcnn1.gz'), '--lambda', String(lambda), '--epochs', String(epochs), '--seed', '1', '--averaged', '1'], { encoding: 'utf8' }));
  nativeEpochs.push(...native.epoch_seconds.slice(1));
  objectives = [wasmObjective, native.objective[native.objective.length - 1]];
}
results.epoch = { dataset: 'ijcnn1', lambda, wasmSimdSeconds: median(wasmEpochs), nativeSeconds: median(nativeEpochs), ratio: median(wasmEpochs) / median(nativeEpochs), objectives };

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'svm.json'), JSON.stringify(results, null, 2));
const lines = [`bench:svm ${results.date} on ${results.machine}, median of ${reps}`, '', '| case | anyml | peer | ratio (anyml/peer) | accuracy anyml / peer |', '|---|---|---|---|---|'];
for (const w of results.wholeProcess) {
  const inside = `parse ${fmt(w.parseSeconds)}, λ search ${fmt(w.lambdaSearchSeconds)}, fit ${fmt(w.trainSeconds - w.lambdaSearchSeconds)}`;
  lines.push(`| ${w.name} whole process (train + test), defaults (λ auto), uncompressed files (${inside}) | ${fmt(w.anymlSeconds)} | LIBLINEAR -s 3: ${fmt(w.liblinearSeconds)} | **${w.ratio.toFixed(2)}×** | ${(w.anymlAccuracy * 100).toFixed(2)}% / ${(w.liblinearAccuracy * 100).toFixed(2)}% |`);
  if (w.anymlGzSeconds) lines.push(`| ${w.name} the same from the .gz files (anyml only; LIBLINEAR reads no gzip) | ${fmt(w.anymlGzSeconds)} | LIBLINEAR -s 3 (plain): ${fmt(w.liblinearSeconds)} | ${w.gzRatio.toFixed(2)}× | |`);
  if (w.npxSeconds) lines.push(`| ${w.name} the same through \`npx anyml\` (npm start-up included) | ${fmt(w.npxSeconds)} | LIBLINEAR -s 3: ${fmt(w.liblinearSeconds)} | ${w.npxRatio.toFixed(2)}× | |`);
  lines.push(`| ${w.name} whole process, λ = 1/n = ${w.fixedLambda.toPrecision(3)} (LIBLINEAR's C = 1) | ${fmt(w.anymlFixedSeconds)} | LIBLINEAR -s 3: ${fmt(w.liblinearSeconds)} | **${w.fixedRatio.toFixed(2)}×** | ${(w.anymlFixedAccuracy * 100).toFixed(2)}% / ${(w.liblinearAccuracy * 100).toFixed(2)}% |`);
}
const ip = results.inProcess;
lines.push(`| ijcnn1 in-process train, λ auto (5-value search + final) | ${fmt(ip.autoSeconds)} | – | – | ${(ip.testAccuracy * 100).toFixed(2)}% |`);
lines.push(`| ijcnn1 in-process train, λ = ${ip.fixedLambda} | ${fmt(ip.fixedSeconds)} | target 20 ms | ${(ip.fixedSeconds / 0.02).toFixed(2)}× target | |`);
const ep = results.epoch;
lines.push(`| ijcnn1 one epoch (λ=${ep.lambda}) | wasm-simd ${fmt(ep.wasmSimdSeconds)} | native -O3 -march=native ${fmt(ep.nativeSeconds)} | **${ep.ratio.toFixed(2)}×** | |`);
console.log(lines.join('\n'));
