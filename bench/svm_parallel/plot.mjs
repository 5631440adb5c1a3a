// SPDX-License-Identifier: MIT
// Plots of bench:svm-parallel results (vega-lite → SVG; no canvas needed). Standalone: node plot.mjs [results.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import * as vl from 'vega-lite';

async function svg(spec, path) {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  writeFileSync(path, await view.toSVG());
}

/** Writes svm-parallel-accuracy.svg and svm-parallel-time.svg into `dir`. */
export async function plotParallel({ rows, Bs, epochs }, dir) {
  await svg({
    data: { values: rows.map((r) => ({ ...r, accuracy: r.accuracy * 100 })) }, width: 300, height: 200,
    facet: { column: { field: 'dataset', title: null } }, resolve: { scale: { y: 'independent' } },
    spec: { mark: { type: 'line', point: true }, encoding: {
      x: { field: 'b', type: 'ordinal', sort: Bs, title: 'sync every b local samples' },
      y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, title: 'test accuracy (%)' },
      color: { field: 'P', type: 'nominal', title: 'workers P' } } },
    title: `Parallel SGD-SVM: test accuracy after ${epochs} epochs (fixed λ, seed 1)`,
  }, join(dir, 'svm-parallel-accuracy.svg'));
  const long = rows.filter((r) => r.dataset === 'ijcnn1')
    .flatMap((r) => ['update', 'check', 'sync'].map((part) => ({ run: `P=${r.P} b=${r.b}`, part, ms: r[part] * 1e3 })));
  await svg({
    data: { values: long }, width: 620, height: 240, mark: 'bar',
    encoding: {
      x: { field: 'run', type: 'ordinal', sort: null, title: null }, xOffset: { field: 'part', sort: ['update', 'check', 'sync'] },
      y: { field: 'ms', type: 'quantitative', scale: { type: 'symlog' }, title: 'ms per epoch (symlog)' },
      color: { field: 'part', type: 'nominal', sort: ['update', 'check', 'sync'] } },
    title: 'ijcnn1: time per epoch — update / convergence check / sync',
  }, join(dir, 'svm-parallel-time.svg'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const file = process.argv[2] ?? join(root, 'bench', 'results', 'svm-parallel.json');
  const r = JSON.parse(readFileSync(file, 'utf8'));
  await plotParallel({ epochs: 5, Bs: ['1', '10', '100', '1000', 'epoch'], ...r }, join(root, 'docs'));
}
