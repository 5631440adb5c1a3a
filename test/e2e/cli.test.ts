// SPDX-License-Identifier: MIT
// The CLI end to end: --json contract, exit codes, models never half-written, predict and eval.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { anyml } from './run_cli.js';

let dir: string;
let trainFile: string;
let testFile: string;

// A small separable LIBSVM file written by the test (label = sign of feature 1 - feature 2, labels 0/1).
function writeData(path: string, rows: number, seed: number): void {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const a = rnd();
    const b = rnd();
    const c = rnd();
    lines.push(`${a - b > 0.05 ? 1 : 0} 1:${a.toFixed(4)} 2:${b.toFixed(4)} 3:${c.toFixed(4)}`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anyml-cli-'));
  trainFile = join(dir, 'train.libsvm');
  testFile = join(dir, 'test.libsvm');
  writeData(trainFile, 2000, 1);
  writeData(testFile, 500, 2);
});

describe('anyml svm train', () => {
  it('prints the --json contract as the last stdout line and writes a JSON model', () => {
    const model = join(dir, 'm.json');
    const r = anyml(['svm', 'train', trainFile, '--test', testFile, '--json', '--model', model, '--seed', '4']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = r.json!;
    for (const key of ['rows', 'features', 'parseSeconds', 'trainSeconds', 'epochs', 'lambda', 'testAccuracy', 'backend']) expect(j).toHaveProperty(key);
    expect(j.rows).toBe(2000);
    expect(j.features).toBe(3);
    expect(j.backend).toBe('wasm-simd');
    expect(j.testAccuracy as number).toBeGreaterThan(0.95);
    const doc = JSON.parse(readFileSync(model, 'utf8'));
    expect(doc).toMatchObject({ format: 'anyml-svm', version: 1, features: 3, labels: [0, 1] });
  });

  it('trains on built-in data when no file is given', () => {
    const r = anyml(['svm', 'train', '--json', '--epochs', '3']);
    expect(r.code).toBe(0);
    expect(r.json!.rows).toBe(20000);
    expect(r.json!.testAccuracy as number).toBeGreaterThan(0.85);
  });

  it('prints a readable summary without --json', () => {
    const r = anyml(['svm', 'train', trainFile, '--lambda', '0.001', '--epochs', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trained\s+λ=0\.001, scale \w+, on wasm-simd/);
  });

  it('exits 2 with file:line:column on a malformed data file', () => {
    const bad = join(dir, 'bad.libsvm');
    writeFileSync(bad, '1 1:0.5\n-1 2:abc\n');
    const r = anyml(['svm', 'train', bad, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.]/g, '\\.')}:2:\\d+`));
  });

  it('exits 2 on a missing file and on bad flags', () => {
    expect(anyml(['svm', 'train', join(dir, 'nope.libsvm')]).code).toBe(2);
    const r = anyml(['svm', 'train', trainFile, '--epochs', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--epochs: got "0", expected an integer ≥ 1/);
    expect(anyml(['svm', 'train', trainFile, '--lambda', 'big']).code).toBe(2);
    expect(anyml(['svm', 'frobnicate']).code).toBe(2);
  });

  it('never leaves a half-written or clobbered model when a run fails', () => {
    const model = join(dir, 'keep.json');
    writeFileSync(model, 'previous model');
    const bad = join(dir, 'bad-test.libsvm');
    writeFileSync(bad, '1 1:1\n5 1:2\n7 1:3\n');
    const r = anyml(['svm', 'train', trainFile, '--test', bad, '--model', model]);
    expect(r.code).toBe(2);
    expect(readFileSync(model, 'utf8')).toBe('previous model');
    const r2 = anyml(['svm', 'train', trainFile, '--lambda', '0.01', '--epochs', '1', '--model', join(dir, 'no-such-dir', 'm.json')]);
    expect(r2.code).not.toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('anyml entry', () => {
  it('runs as `npx anyml` in the repo and prints help and version', () => {
    const r = spawnSync('npx', ['--offline', 'anyml', '--help'], { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: anyml/);
    const v = anyml(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('anyml svm predict / eval', () => {
  it('predicts and evaluates with a saved LIBLINEAR-format model', () => {
    const model = join(dir, 'm.model');
    expect(anyml(['svm', 'train', trainFile, '--model', model, '--lambda', '0.0001']).code).toBe(0);
    expect(readFileSync(model, 'utf8')).toMatch(/^solver_type L2R_L1LOSS_SVC_DUAL\n/);
    const out = join(dir, 'preds.txt');
    const p = anyml(['svm', 'predict', model, testFile, '--output', out, '--json']);
    expect(p.code).toBe(0);
    const preds = readFileSync(out, 'utf8').trim().split('\n');
    expect(preds.length).toBe(500);
    expect(new Set(preds)).toEqual(new Set(['0', '1']));
    const e = anyml(['svm', 'eval', model, testFile, '--json']);
    expect(e.code).toBe(0);
    expect(e.json!.accuracy).toBe(p.json!.accuracy);
    expect(e.json!.accuracy as number).toBeGreaterThan(0.95);
    expect(existsSync(out)).toBe(true);
  });

  it('multiclass: train prints the classes and the confusion matrix; eval and predict use the saved nr_class 3 model', () => {
    // Label = which of three features is largest (classes 1, 2, 3).
    const write = (path: string, rows: number, seed: number) => {
      let s = seed;
      const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
      const lines: string[] = [];
      for (let i = 0; i < rows; i++) {
        const v = [rnd(), rnd(), rnd()];
        lines.push(`${v.indexOf(Math.max(...v)) + 1} ${v.map((x, j) => `${j + 1}:${x.toFixed(4)}`).join(' ')}`);
      }
      writeFileSync(path, lines.join('\n') + '\n');
    };
    const [tr, te, model] = [join(dir, 'mc.train'), join(dir, 'mc.test'), join(dir, 'mc.model')];
    write(tr, 1500, 3);
    write(te, 300, 4);
    const r = anyml(['svm', 'train', tr, '--test', te, '--model', model]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/classes {3}3 \(1, 2, 3\), one-vs-rest/);
    expect(r.stdout).toMatch(/confusion \(rows: true label, columns: predicted\)/);
    expect(readFileSync(model, 'utf8')).toMatch(/^solver_type L2R_L1LOSS_SVC_DUAL\nnr_class 3\nlabel 1 2 3\n/);
    const e = anyml(['svm', 'eval', model, te, '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.json!.accuracy as number).toBeGreaterThan(0.85);
    expect((e.json!.confusion as { labels: number[] }).labels).toEqual([1, 2, 3]);
    expect((e.json!.perClass as unknown[]).length).toBe(3);
    const p = anyml(['svm', 'predict', model, te, '--json', '--output', join(dir, 'mc.pred')]);
    expect(p.json!.accuracy).toBe(e.json!.accuracy);
    expect(new Set(readFileSync(join(dir, 'mc.pred'), 'utf8').trim().split('\n'))).toEqual(new Set(['1', '2', '3']));
  });

  it('exits 2 naming the model file when it is not a model', () => {
    const junk = join(dir, 'junk.model');
    writeFileSync(junk, 'hello\n');
    const r = anyml(['svm', 'eval', junk, testFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(junk);
  });
});
