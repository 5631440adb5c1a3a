// SPDX-License-Identifier: MIT
// The validation layer (src/check.ts) and what it gives the public API and the CLI: values shown as given (NaN is
// NaN, not null), unknown option keys named with the nearest valid one, CLI flags checked as they are parsed.
import { describe, expect, it } from 'vitest';
import { checkInt, checkKeys, checkOneOf, nearest, show } from '../../src/check.js';
import { InvalidInputError } from '../../src/errors.js';
import { createSvmStream } from '../../src/svm/stream.js';
import { makeClassification } from '../../src/svm/synthetic.js';
import { trainSvm } from '../../src/svm/train.js';
import { anyml } from '../e2e/run_cli.js';

const data = makeClassification({ rows: 200, features: 10, seed: 1 });

describe('show', () => {
  it('prints numbers as written, strings quoted, the rest as JSON', () => {
    expect([show(NaN), show(Infinity), show(-0), show(1e-3), show('abc'), show([1, 2]), show(undefined), show(null)]).toEqual(['NaN', 'Infinity', '-0', '0.001', '"abc"', '[1,2]', 'undefined', 'null']);
  });
});

describe('checks', () => {
  it('checkInt and checkOneOf name the input, the value and what was expected', () => {
    expect(() => checkInt('f: options.n', 2.5, 1, 64)).toThrow(new InvalidInputError('f: options.n', '2.5', 'an integer in [1, 64]'));
    expect(() => checkInt('f: options.n', -1, 0)).toThrow('f: options.n: got -1, expected an integer ≥ 0');
    expect(() => checkOneOf('f: options.mode', 'fast', ['a', 'b'])).toThrow(`f: options.mode: got "fast", expected one of "a", "b"`);
  });

  it('nearest suggests a close spelling and nothing for an unrelated word', () => {
    expect(nearest('lamda', ['lambda', 'epochs'])).toBe('lambda');
    expect(nearest('Epoch', ['lambda', 'epochs'])).toBe('epochs');
    expect(nearest('xyzzy', ['lambda', 'epochs'])).toBeUndefined();
    expect(() => checkKeys('f: options', { lambda: 1, lamda: 2 }, ['lambda'])).toThrow("f: options.lamda: got an unknown option, expected one of the known options (did you mean 'lambda'?)");
  });
});

describe('the public API', () => {
  it("trainSvm: 'lamda' is an unknown option with a suggestion; lambda NaN says NaN", async () => {
    await expect(trainSvm(data, { lamda: 1e-3 } as never)).rejects.toThrow(/trainSvm: options\.lamda: got an unknown option, .*did you mean 'lambda'/);
    await expect(trainSvm(data, { lambda: NaN })).rejects.toThrow("trainSvm: options.lambda: got NaN, expected a finite number > 0 or 'auto'");
    await expect(trainSvm(data, { epochs: Infinity })).rejects.toThrow('trainSvm: options.epochs: got Infinity, expected an integer in [1, 1000000]');
  });

  it('trainSvm refuses worker options without workers (they would be ignored)', async () => {
    await expect(trainSvm(data, { syncEvery: 100 })).rejects.toThrow(/trainSvm: options\.syncEvery: got 100, expected no value unless options\.workers is set/);
  });

  it('createSvmStream checks its keys too', async () => {
    await expect(createSvmStream({ batchsize: 10 } as never)).rejects.toThrow(/createSvmStream: options\.batchsize: .*did you mean 'batchSize'/);
  });
});

describe('the CLI', () => {
  it('--tol abc is rejected as typed, before any work', () => {
    const r = anyml(['svm', 'train', '--tol', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--tol: got "abc", expected a number ≥ 0/);
  });

  it('--sync-every without --workers is refused, not ignored', () => {
    const r = anyml(['svm', 'train', '--sync-every', '100']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sync-every: got 100, expected no value unless --workers is given/);
  });
});

describe('unknown option keys everywhere in the public API', () => {
  it('parsers, readDataset, makeClassification and denoise name the key and the nearest valid one', async () => {
    const { parseLibsvm } = await import('../../src/io/libsvm.js');
    const { parseCsv } = await import('../../src/io/csv.js');
    const { readDataset } = await import('../../src/io/node.js');
    const { denoise } = await import('../../src/tomogan/denoise.js');
    const { createGenerator } = await import('../../src/tomogan/model.js');
    await expect(parseLibsvm('+1 1:1\n', { feature: 3 } as never)).rejects.toThrow(/parseLibsvm: options\.feature: .*did you mean 'features'/);
    await expect(parseCsv('1,2\n', { headers: true } as never)).rejects.toThrow(/parseCsv: options\.headers: .*did you mean 'header'/);
    await expect(readDataset('x.libsvm', { formats: 'csv' } as never)).rejects.toThrow(/readDataset: options\.formats: .*did you mean 'format'/);
    expect(() => makeClassification({ row: 10 } as never)).toThrow(/makeClassification: options\.row: .*did you mean 'rows'/);
    const image = { width: 8, height: 8, depth: 1, data: new Float32Array(64) };
    await expect(denoise(image, { model: createGenerator(), tiles: 64 } as never)).rejects.toThrow(/denoise: options\.tiles: .*did you mean 'tile'/);
    // An option set to undefined is the default, not an unknown key.
    expect((await parseLibsvm('+1 1:1\n-1 2:1\n', { features: undefined })).features).toBe(2);
  });
});
