#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// bench:svm-accuracy — the table a user reads before choosing: every shared LIBSVM set (publisher-scaled and raw),
// anyml with default options against LIBLINEAR's default (-s 1, C = 1) and -s 3 measured in the same run, with the
// LIBLINEAR oracle and scikit-learn figures of the raw sets' README beside them; and whole-process seconds
// (`anyml svm train X --test X.t` vs `liblinear-train` + `liblinear-predict`, the same uncompressed files,
// interleaved, median of --reps).
// Usage: npm run bench:svm-accuracy [-- --reps 3]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../..', import.meta.url));
const data = join(root, '..', 'shared', 'data', 'libsvm');
const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const need of [data, '/usr/bin/liblinear-train', join(root, 'dist', 'node.js')])
  if (!existsSync(need)) throw new Error(`bench:svm-accuracy needs ${need} (shared data, apt liblinear-tools, npm run build)`);

// [name, train, test, README figures for the raw sets: LIBLINEAR oracle, sklearn SGD raw, sklearn SGD scaled]
const SETS = [
  ['ijcnn1', 'ijcnn1.gz', 'ijcnn1.t.gz'], ['a9a', 'a9a.gz', 'a9a.t'], ['w8a', 'w8a.train.gz', 'w8a.test'],
  ['reuters', 'reuters_lasvm.trn.gz', 'reuters_lasvm.tst.gz'],
  ['pima', 'unscaled/pima.train', 'unscaled/pima.test', [70.97, 65.16, 75.48]],
  ['musk', 'unscaled/musk.train.gz', 'unscaled/musk.test', [87.37, 88.42, 76.84]],
  ['sonar', 'unscaled/sonar.train', 'unscaled/sonar.test', [78.57, 69.05, 76.19]],
  ['ticdata', 'unscaled/ticdata.train.gz', 'unscaled/ticdata.test', [93.49, 80.31, 91.3]],
  ['satellite', 'unscaled/satellite.train.gz', 'unscaled/satellite.test', [76.79, 73.91, 60.4]],
  ['vehicle', 'unscaled/vehicle.train', 'unscaled/vehicle.test', [81.76, 56.47, 69.41]],
  ['vowel', 'unscaled/vowel.train', 'unscaled/vowel.test', [40.4, 25.76, 33.33]],
  ['glass', 'unscaled/glass.train', 'unscaled/glass.test', [63.64, 34.09, null]],
];
const tmp = mkdtempSync(join(tmpdir(), 'anyml-bench-acc-'));
const plain = (f) => {
  const out = join(tmp, f.replace(/\//g, '_').replace(/\.gz$/, ''));
  if (!existsSync(out)) writeFileSync(out, f.endsWith('.gz') ? gunzipSync(readFileSync(join(data, f))) : readFileSync(join(data, f)));
  return out;
};
const run = (cmd, args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, ...r };
};

function liblinear(solver, train, test) {
  const model = join(tmp, 'll.model');
  const t = run('liblinear-train', ['-s', solver, '-q', train, model]);
  const p = run('liblinear-predict', [test, model, join(tmp, 'll.out')]);
  return { s: t.s + p.s, acc: Number(/Accuracy = ([\d.]+)%/.exec(p.stdout)?.[1]) };
}

function anyml(train, test) {
  const r = run(process.execPath, [join(root, 'bin', 'anyml.js'), 'svm', 'train', train, '--test', test, '--json']);
  if (r.status !== 0) return { s: r.s, refused: r.stderr.trim().split('\n').pop() };
  const j = JSON.parse(r.stdout.trim().split('\n').pop());
  return { s: r.s, acc: j.testAccuracy * 100, lambda: j.lambda, scale: j.scale };
}

const rows = [];
for (const [name, tr, te, readme] of SETS) {
  const [train, test] = [plain(tr), plain(te)];
  const t = { anyml: [], ll1: [], ll3: [] };
  let a, l1, l3;
  for (let r = 0; r < reps; r++) {
    a = anyml(train, test);
    l1 = liblinear('1', train, test);
    l3 = liblinear('3', train, test);
    t.anyml.push(a.s), t.ll1.push(l1.s), t.ll3.push(l3.s);
  }
  rows.push({ name, a, l1, l3, readme, s: { anyml: median(t.anyml), ll1: median(t.ll1), ll3: median(t.ll3) } });
}

const f2 = (x) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(2));
console.log(`test accuracy (%), default options; whole process (s), median of ${reps}, uncompressed files`);
console.log('set | anyml | LIBLINEAR -s 1 | LIBLINEAR -s 3 | LIBLINEAR oracle | sklearn SGD raw / scaled | anyml s | -s 1 s | -s 3 s | anyml / -s 3');
for (const r of rows) {
  const ours = r.a.refused ? `refused (${r.a.refused.slice(0, 60)})` : `${f2(r.a.acc)} (${r.a.scale}, λ ${r.a.lambda})`;
  const rm = r.readme ?? [];
  console.log(`${r.name} | ${ours} | ${f2(r.l1.acc)} | ${f2(r.l3.acc)} | ${f2(rm[0])} | ${f2(rm[1])} / ${f2(rm[2])} | ${r.s.anyml.toFixed(3)} | ${r.s.ll1.toFixed(3)} | ${r.s.ll3.toFixed(3)} | ${(r.s.anyml / r.s.ll3).toFixed(2)}`);
}
const rawSets = rows.filter((r) => !r.a.refused && r.readme);
const mean = (k) => rawSets.reduce((s, r) => s + k(r), 0) / rawSets.length;
console.log(`mean over the raw sets (${rawSets.map((r) => r.name).join(', ')}): anyml ${f2(mean((r) => r.a.acc))}, LIBLINEAR -s 1 ${f2(mean((r) => r.l1.acc))}, -s 3 ${f2(mean((r) => r.l3.acc))}`);
