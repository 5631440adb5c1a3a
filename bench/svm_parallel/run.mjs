#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// bench:svm-parallel — the experiments of Abeykoon et al.'s parallel SGD-SVM study: model averaging every b local
// samples over P workers.
//  1. test accuracy and objective vs P ∈ {1,2,4,8} × b ∈ {1,10,100,1000,epoch} on ijcnn1 and a9a (fixed λ, 5 epochs)
//  2. per-epoch time breakdown (update / convergence check / sync)
//  3. speed-up vs P on a dense epsilon-shaped synthetic set (n × 2,000), b = 1000
// Writes docs/svm-parallel-accuracy.svg, docs/svm-parallel-time.svg and prints markdown tables.
// Usage: npm run bench:svm-parallel [-- --quick] [-- --max-p 16]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plotParallel } from './plot.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const data = join(root, '..', 'shared', 'data', 'libsvm');
const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
const quick = process.argv.includes('--quick');
const maxP = Number(arg('--max-p', 8));
for (const need of [data, join(root, 'dist', 'node.js')]) if (!existsSync(need)) throw new Error(`bench:svm-parallel needs ${need}`);
const anyml = { ...(await import('anyml')), ...(await import('anyml/node')) };
const Ps = [1, 2, 4, 8, 16].filter((p) => p <= maxP);
const Bs = quick ? [10, 1000, 'epoch'] : [1, 10, 100, 1000, 'epoch'];
const epochs = quick ? 2 : 5;
const sum = (xs, k) => xs.reduce((s, h) => s + (h[k] ?? 0), 0);

const rows = [];
for (const [name, tr, te, features, lambda] of [['ijcnn1', 'ijcnn1.gz', 'ijcnn1.t.gz', undefined, 1e-5], ['a9a', 'a9a.gz', 'a9a.t', 123, 1e-3]]) {
  const train = (await anyml.readDataset(join(data, tr), { features })).dataset;
  const test = (await anyml.readDataset(join(data, te), { features, labels: train.labels })).dataset;
  for (const P of Ps) {
    for (const b of Bs) {
      const t0 = performance.now();
      const m = await anyml.trainSvm(train, { lambda, epochs, tol: 0, seed: 1, workers: P, syncEvery: b });
      const wall = (performance.now() - t0) / 1000;
      const h = m.history;
      rows.push({
        dataset: name, P, b: String(b), accuracy: m.evaluate(test).accuracy, objective: h[h.length - 1].objective, wall,
        update: sum(h, 'updateSeconds') / h.length, check: sum(h, 'checkSeconds') / h.length, sync: sum(h, 'syncSeconds') / h.length,
        transport: m.trainedWith.transport,
      });
      const r = rows[rows.length - 1];
      console.error(`${name} P=${P} b=${b}: ${(r.accuracy * 100).toFixed(2)}% obj ${r.objective.toFixed(5)} per epoch update ${(r.update * 1e3).toFixed(1)} ms check ${(r.check * 1e3).toFixed(1)} ms sync ${(r.sync * 1e3).toFixed(1)} ms`);
    }
  }
}

// 3. Speed-up on dense epsilon-shaped data (the LIBSVM epsilon set has 2,000 dense features).
const n = quick ? 4000 : 20000;
const dense = anyml.makeClassification({ rows: n, features: 2000, density: 1, noise: 0.05, seed: 3 });
const speed = [];
for (const P of Ps) {
  const m = await anyml.trainSvm(dense, { lambda: 1e-4, epochs: 3, tol: 0, seed: 1, workers: P, syncEvery: 1000 });
  const h = m.history.slice(1); // the first epoch includes worker start-up and JIT
  const perEpoch = (sum(h, 'updateSeconds') + sum(h, 'syncSeconds')) / h.length;
  speed.push({ P, perEpoch, sync: sum(h, 'syncSeconds') / h.length });
}
for (const s of speed) s.speedup = speed[0].perEpoch / s.perEpoch;

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const result = { date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0].model}`, epochs, Bs: Bs.map(String), rows, speed };
writeFileSync(join(root, 'bench', 'results', 'svm-parallel.json'), JSON.stringify(result, null, 2));
await plotParallel(result, join(root, 'docs'));
const out = [`bench:svm-parallel ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0].model}, Node ${process.version}, ${epochs} epochs, transport ${rows[0]?.transport}`, ''];
for (const ds of ['ijcnn1', 'a9a']) {
  out.push(`${ds}: test accuracy % (objective) by P (rows) and b (columns); per-epoch update / check / sync ms`, '', `| P | ${Bs.join(' | ')} |`, `|---|${Bs.map(() => '---').join('|')}|`);
  for (const P of Ps) {
    out.push(`| ${P} | ${Bs.map((b) => { const r = rows.find((x) => x.dataset === ds && x.P === P && x.b === String(b)); return `${(r.accuracy * 100).toFixed(2)} (${r.objective.toFixed(4)})<br>${(r.update * 1e3).toFixed(0)} / ${(r.check * 1e3).toFixed(0)} / ${(r.sync * 1e3).toFixed(0)}`; }).join(' | ')} |`);
  }
  out.push('');
}
out.push(`Dense ${n} × 2,000 (b = 1000): time per epoch (update + sync) and speed-up vs P = 1`, '', '| P | s/epoch | sync s/epoch | speed-up |', '|---|---|---|---|');
for (const s of speed) out.push(`| ${s.P} | ${s.perEpoch.toFixed(3)} | ${s.sync.toFixed(3)} | ${s.speedup.toFixed(2)}× |`);
console.log(out.join('\n'));
