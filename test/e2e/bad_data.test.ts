// SPDX-License-Identifier: MIT
// Data files as they go wrong in real use, through the CLI: each is refused with exit 2 and a message naming the
// file, line and column (or row and column), before a model is written; an existing model stays intact.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyml } from './run_cli.js';

let dir: string;
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'anyml-bad-data-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Exit 2, the message matches, no stack trace. */
function refused(args: string[], message: RegExp): void {
  const r = anyml(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|    at /);
}

describe('anyml svm train on bad data', () => {
  it('without scaling, a value whose square overflows float32 is refused, and the existing model is not replaced', () => {
    const model = file('m.json', '{"kept": true}\n');
    const huge = file('huge.libsvm', '+1 1:3e38\n-1 2:1\n+1 1:1\n');
    refused(['svm', 'train', huge, '--scale', 'none', '--model', model], /trainSvm: data: got a feature value of 3\.0\d*e\+38 at row 1, column 1, expected .*scale the features/);
    expect(readFileSync(model, 'utf8')).toBe('{"kept": true}\n');
    // With the default scaling the column is divided by its max-abs, and training goes ahead.
    const r = anyml(['svm', 'train', huge, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ scale: 'maxabs', rows: 3 });
  });

  it('a stray huge feature index is an error at its file:line:column, naming the limit', () => {
    refused(['svm', 'train', file('stray.libsvm', '+1 1:0.5 3:1\n-1 1:0.5 300000000:1\n')], /stray\.libsvm:2:10: got "300000000:1", expected an index of at most 33554432 \(the feature limit, .*--max-features/);
    // Raised by the user, training uses memory for the columns the data has (compacted), not for the width.
    // The model file holds the non-zero weights only; predict and eval accept data as wide as the model.
    const model = join(dir, 'wide.json');
    const r = anyml(['svm', 'train', join(dir, 'stray.libsvm'), '--max-features', '400000000', '--model', model, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ features: 300000000, rows: 2 });
    expect(readFileSync(model, 'utf8').length).toBeLessThan(2000);
    const { indices } = JSON.parse(readFileSync(model, 'utf8')).weights;
    expect(indices).toContain(299999999); // only used columns (0, 2, 299999999) can be non-zero
    expect(indices.every((j: number) => [0, 2, 299999999].includes(j))).toBe(true);
    const e = anyml(['svm', 'eval', model, join(dir, 'stray.libsvm'), '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.json).toMatchObject({ rows: 2, accuracy: 1 });
  });

  it('a one-class training file is refused instead of inventing the other label', () => {
    refused(['svm', 'train', file('one.libsvm', '+1 1:1\n+1 2:1\n+1 1:0.5\n')], /trainSvm: data\.y: got only label 1 \(all 3 rows\), expected rows of both classes/);
  });

  it('CSV: a first row with a bad value is reported, not dropped as a header; --header / --no-header decide', () => {
    refused(['svm', 'train', file('mixed.csv', '1,abc,0.3\n0,0.1,0.2\n1,0.4,0.4\n')], /mixed\.csv:1:3: got "abc", expected a number/);
    refused(['svm', 'train', file('nan.csv', '1,0.5,NaN\n0,0.1,0.2\n1,0.4,0.4\n')], /nan\.csv:1:7: got "NaN", expected a number/);
    const named = file('named.csv', 'y,a,b\n1,0.5,0.3\n0,0.1,0.2\n1,0.4,0.4\n0,0.2,0.1\n');
    expect(anyml(['svm', 'train', named, '--json']).json).toMatchObject({ rows: 4, features: 2 });
    refused(['svm', 'train', named, '--no-header'], /named\.csv:1:1: got "y"/);
    const numeric = file('numeric.csv', '0,1,2\n1,0.5,0.3\n0,0.1,0.2\n1,0.4,0.4\n');
    expect(anyml(['svm', 'train', numeric, '--json']).json).toMatchObject({ rows: 4 });
    expect(anyml(['svm', 'train', numeric, '--header', '--json']).json).toMatchObject({ rows: 3 });
  });

  it('a test file with more features than the model: a warning with the count of ignored columns', () => {
    const train = file('t.libsvm', '+1 1:1 2:0.1\n-1 1:-1 2:0.2\n+1 1:0.8\n-1 1:-0.7 2:1\n');
    const test = file('wide.libsvm', '+1 1:1 5:1\n-1 1:-1\n');
    const r = anyml(['svm', 'train', train, '--test', test, '--json', '--model', join(dir, 'w.json')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*wide\.libsvm has 3 more feature columns \(5\) than the model \(2\); the model ignores them/);
    expect(r.json!.warnings).toHaveLength(1);
    const e = anyml(['svm', 'eval', join(dir, 'w.json'), test, '--json']);
    expect(e.stderr).toMatch(/3 more feature columns/);
  });
});
