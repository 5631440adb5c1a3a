// SPDX-License-Identifier: MIT
// parseLibsvm: accepted quirks, every rejection with its location, options, every source type, gzip, abort, progress.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AbortError, InvalidInputError } from '../../../src/errors.js';
import { parseLibsvm } from '../../../src/io/libsvm.js';
import { nodeGunzip } from '../../../src/io/node.js';
import { chunked, enc, expectInvalid, rejection } from './helpers.js';

const parse = (text: string | Uint8Array, opts = {}) => parseLibsvm(text, { name: 'f', ...opts });
const csr = async (text: string, opts = {}) => {
  const r = await parse(text, opts);
  const x = r.dataset.x;
  return { ...r, indptr: [...x.indptr], indices: [...x.indices], values: [...x.values], y: [...r.dataset.y] };
};

const LABEL_CASES: Array<[string, string, number[], number[]]> = [
  ['-1 / +1', '-1 1:1\n+1 1:1\n', [-1, 1], [-1, 1]],
  ['1 / -1', '1 1:1\n-1 1:1\n', [-1, 1], [1, -1]],
  ['-1.0 / 1.0', '-1.0 1:1\n1.0 1:1\n', [-1, 1], [-1, 1]],
  ['0 / 1', '1 1:1\n0 1:1\n', [0, 1], [1, -1]],
  ['1 / 2', '2 1:1\n1 1:1\n', [1, 2], [1, -1]],
  ['2 / 4 (lower is negative)', '4 1:1\n2 1:1\n', [2, 4], [1, -1]],
  ['-0 and 0 are one value', '-0 1:1\n0 1:1\n1 1:1\n', [0, 1], [-1, -1, 1]],
  ['one value 1', '1 1:1\n1 2:1\n', [-1, 1], [1, 1]],
  ['one value -1', '-1 1:1\n', [-1, 1], [-1]],
  ['one value 0', '0 1:1\n', [0, 1], [-1]],
  ['one value 2', '2 1:1\n', [-1, 2], [1]],
  ['exponent label', '1e0 1:1\n-1E0 1:1\n', [-1, 1], [1, -1]],
];

describe('parseLibsvm: accepted input', () => {
  it('parses a plain file into 0-based CSR with ±1 labels', async () => {
    const r = await csr('+1 1:0.5 3:-2\n-1 2:1.25\n');
    expect(r.rows).toBe(2);
    expect(r.features).toBe(3);
    expect(r.nnz).toBe(3);
    expect(r.indptr).toEqual([0, 2, 3]);
    expect(r.indices).toEqual([0, 2, 1]);
    expect(r.values).toEqual([0.5, -2, 1.25]);
    expect(r.y).toEqual([1, -1]);
    expect(r.dataset.labels).toEqual([-1, 1]);
    expect(r.labelsSeen).toEqual([-1, 1]);
    expect(r.dataset.x.kind).toBe('csr');
    expect(r.dataset.x.cols).toBe(3);
    expect(r.dataset.x.indptr).toBeInstanceOf(Int32Array);
    expect(r.dataset.x.indices).toBeInstanceOf(Int32Array);
    expect(r.dataset.x.values).toBeInstanceOf(Float32Array);
    expect(r.dataset.y).toBeInstanceOf(Float32Array);
  });

  it.each(LABEL_CASES)('labels %s', async (_, text, labels, y) => {
    const r = await csr(text);
    expect(r.dataset.labels).toEqual(labels);
    expect(r.y).toEqual(y);
  });

});

describe('parseLibsvm: accepted quirks', () => {
  it('drops explicit zeros by default but counts their column; keepZeros keeps them', async () => {
    const r = await csr('1 2:1 5:0\n-1 3:0.0 4:-0\n');
    expect(r.features).toBe(5);
    expect(r.nnz).toBe(1);
    expect(r.indices).toEqual([1]);
    const k = await csr('1 2:1 5:0\n-1 3:0.0\n', { keepZeros: true });
    expect(k.nnz).toBe(3);
    expect(k.indices).toEqual([1, 4, 2]);
    expect(k.values).toEqual([1, 0, 0]);
  });

  it('accepts trailing blanks, tabs, CRLF, leading blanks and a missing final newline', async () => {
    const r = await csr('1 1:1 2:2 \t\r\n\t-1\t3:3  \r\n  1 1:4');
    expect(r.rows).toBe(3);
    expect(r.indices).toEqual([0, 1, 2, 0]);
    expect(r.values).toEqual([1, 2, 3, 4]);
    expect(r.y).toEqual([1, -1, 1]);
  });

  it('skips blank lines (also at the end) and comment-only lines, keeps rows without features', async () => {
    const r = await csr('\n# header comment\n1 1:1\n\n   \n-1\n1 \n\r\n-1 # empty row with a comment\n\n\n');
    expect(r.rows).toBe(4);
    expect(r.indptr).toEqual([0, 1, 1, 1, 1]);
    expect(r.y).toEqual([1, -1, 1, -1]);
  });

  it('ignores a # comment tail, also glued to a value', async () => {
    const r = await csr('1 1:2 # note 3:4\n-1 2:5#x 4:4\n');
    expect(r.indices).toEqual([0, 1]);
    expect(r.values).toEqual([2, 5]);
    expect(r.features).toBe(2);
  });

  it('skips a UTF-8 byte-order mark', async () => {
    const r = await csr('\uFEFF1 1:1\n');
    expect(r.rows).toBe(1);
  });

});

describe('parseLibsvm: values and options', () => {
  it.each([
    ['.5', 0.5],
    ['5.', 5],
    ['+2', 2],
    ['-2.5', -2.5],
    ['1e-3', Math.fround(1e-3)],
    ['1E+02', 100],
    ['00012', 12],
    ['0.017407699999999998', Math.fround(0.017407699999999998)],
    ['123456789012345678901234567890', Math.fround(123456789012345678901234567890)],
    ['9.86899159742946E-02', Math.fround(9.86899159742946e-2)],
    ['3.4028234663852886e38', 3.4028234663852886e38],
    ['1e-50', 0],
  ])('value %s', async (tok, v) => {
    const r = await csr(`1 1:1 2:${tok}\n`, { keepZeros: true });
    expect(r.values[1]).toBe(v);
  });

  it('options.features widens the column count', async () => {
    const r = await parse('1 1:1\n-1 2:1\n', { features: 10 });
    expect(r.features).toBe(10);
    expect(r.dataset.x.cols).toBe(10);
  });

  it('options.labels forces the mapping (e.g. the training labels for a test file)', async () => {
    const train = await parse('0 1:1\n1 1:2\n');
    const test = await parse('1 1:1\n1 2:1\n', { labels: train.dataset.labels });
    expect(test.dataset.labels).toEqual([0, 1]);
    expect(test.labelsSeen).toEqual([1]);
    expect([...test.dataset.y]).toEqual([1, 1]);
    const flipped = await parse('0 1:1\n1 1:1\n', { labels: [1, 0] });
    expect([...flipped.dataset.y]).toEqual([1, -1]);
  });

  it('reads indices up to 2^31 - 1', async () => {
    const r = await parse('1 2147483647:1\n', { maxFeatures: 2147483647 });
    expect(r.features).toBe(2147483647);
    expect(r.dataset.x.indices[0]).toBe(2147483646);
  });
});

const REJECTIONS: Array<[string, string, string, string, RegExp]> = [
  ['bad label', '1 1:1\nabc 1:1\n', 'f:2:1', '"abc"', /numeric label/],
  ['nan label', 'nan 1:1\n', 'f:1:1', '"nan"', /numeric label/],
  ['inf label', 'inf 1:1\n', 'f:1:1', '"inf"', /numeric label/],
  ['huge label', '1e999 1:1\n', 'f:1:1', '"1e999"', /finite numeric label/],
  ['label glued to a feature', '1:0.5 2:1\n', 'f:1:1', '"1:0.5"', /numeric label/],
  ['missing colon', '1 1:1 5\n', 'f:1:7', '"5"', /index:value/],
  ['word without colon', '1 abc\n', 'f:1:3', '"abc"', /index:value/],
  ['zero index', '1 0:1\n', 'f:1:3', '"0:1"', /positive integer index/],
  ['negative index', '1 -3:1\n', 'f:1:3', '"-3:1"', /positive integer index/],
  ['fractional index', '1 1.5:2\n', 'f:1:3', '"1.5:2"', /positive integer index/],
  ['empty index', '1 :2\n', 'f:1:3', '":2"', /positive integer index/],
  ['index too large', '1 2147483648:1\n', 'f:1:3', '"2147483648:1"', /positive integer index/],
  ['descending indices', '1 3:1 2:1\n', 'f:1:7', '"2:1"', /an index above 3/],
  ['duplicate index', '1 3:1 3:2\n', 'f:1:7', '"3:2"', /an index above 3/],
  ['non-numeric value', '1 1:abc\n', 'f:1:3', '"1:abc"', /number after the colon/],
  ['nan value', '-1 1:nan\n', 'f:1:4', '"1:nan"', /number after the colon/],
  ['inf value', '1 1:inf\n', 'f:1:3', '"1:inf"', /number after the colon/],
  ['Infinity value', '1 1:Infinity\n', 'f:1:3', '"1:Infinity"', /number after the colon/],
  ['value out of double range', '1 1:1e400\n', 'f:1:3', '"1:1e400"', /finite value within float32 range/],
  ['value out of float32 range', '1 1:1e39\n', 'f:1:3', '"1:1e39"', /float32 range/],
  ['empty value', '1 1: 2:1\n', 'f:1:3', '"1:"', /number after the colon/],
  ['value with junk', '1 1:1.5x\n', 'f:1:3', '"1:1.5x"', /number after the colon/],
  ['two colons', '1 1:2:3\n', 'f:1:3', '"1:2:3"', /number after the colon/],
  ['dangling exponent', '1 1:1e\n', 'f:1:3', '"1:1e"', /number after the colon/],
  ['column after tabs', '1\t\t4:x\n', 'f:1:4', '"4:x"', /number after the colon/],
  ['column counts characters', '1 1:1 é:2\n', 'f:1:7', '"é:2"', /index:value|positive integer/],
  ['error on a later CRLF line', '1 1:1\r\n1 1:1\r\n-1 2:1 1:1\r\n', 'f:3:8', '"1:1"', /an index above 2/],
];

describe('parseLibsvm: rejections name file:line:column, the token and what was expected', () => {
  it.each(REJECTIONS)('%s', async (_, text, where, got, expected) => {
    await expectInvalid(parse(text), where, got, expected);
  });

});

describe('parseLibsvm: more rejections', () => {
  it('a third label value makes a multiclass dataset: classes ascending, y the class index', async () => {
    const r = await parse('1 1:1\n-1 1:1\n\n2 1:1\n1 1:3\n');
    expect(r.dataset.labels).toEqual([-1, 1, 2]);
    expect(Array.from(r.dataset.y)).toEqual([1, 0, 2, 1]);
    expect(r.labelsSeen).toEqual([-1, 1, 2]);
  });

  it('forced classes: their order, even when the file holds fewer; other values refused', async () => {
    const r = await parse('3 1:1\n1 1:1\n', { labels: [3, 2, 1] });
    expect(r.dataset.labels).toEqual([3, 2, 1]);
    expect(Array.from(r.dataset.y)).toEqual([0, 2]);
    expect(r.labelsSeen).toEqual([1, 3]);
    await expectInvalid(parse('3 1:1\n\n4 1:1\n', { labels: [3, 2, 1] }), 'f:3:1', '"4"', /one of 3, 2, 1/, /options.labels/);
  });

  it('an index above options.features', async () => {
    await expectInvalid(parse('1 1:1 30:1\n', { features: 22 }), 'f:1:7', '"30:1"', /at most 22 \(options.features\)/);
  });

  it('a label outside options.labels', async () => {
    await expectInvalid(parse('1 1:1\n-1 1:1\n', { labels: [0, 1] }), 'f:2:1', '"-1"', /one of 0 or 1/, /options.labels/);
  });

  it('qid: tokens (ranking files)', async () => {
    await expectInvalid(parse('3 qid:1 1:1\n'), 'f:1:3', '"qid:1"', /index:value/, /ranking files \(qid:\) are not supported/);
  });

  it.each([
    ['empty input', ''],
    ['blank lines only', '\n\r\n  \n'],
    ['comments only', '# a\n# b\n'],
  ])('no rows: %s', async (_, text) => {
    await expectInvalid(parse(text), 'f:1:1', 'no data rows', /at least one line/);
  });

  it('long tokens are shortened in the message', async () => {
    const e = await expectInvalid(parse(`1 1:${'x'.repeat(500)}\n`), 'f:1:3', /^"1:x+…"$/, /number/);
    expect(e.got.length).toBeLessThan(70);
  });

  it('uses <input> as the default name', async () => {
    await expectInvalid(parseLibsvm('x\n'), '<input>:1:1', '"x"', /numeric label/);
  });

  it.each([
    [{ features: 0 }, 'parseLibsvm: options.features'],
    [{ features: 1.5 }, 'parseLibsvm: options.features'],
    [{ labels: [1, 1] }, 'parseLibsvm: options.labels'],
    [{ labels: [0, Number.NaN] }, 'parseLibsvm: options.labels'],
    [{ labels: [0] }, 'parseLibsvm: options.labels'],
  ])('bad option %j', async (opts, where) => {
    const e = await rejection(parse('1 1:1\n', opts as object));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).where).toBe(where);
  });

  it('an unsupported source type', async () => {
    const e = await rejection(parseLibsvm(42 as never));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).where).toBe('parseLibsvm: source');
  });
});

describe('parseLibsvm: sources', () => {
  const text = '1 1:0.5 3:2\n-1 2:1\n';
  const bytes = enc.encode(text);
  const expected = { rows: 2, features: 3, nnz: 3 };
  const sources: Array<[string, () => unknown]> = [
    ['string', () => text],
    ['Uint8Array', () => bytes],
    ['Buffer', () => Buffer.from(text)],
    ['ArrayBuffer', () => bytes.slice().buffer],
    ['Blob', () => new Blob([bytes])],
    ['File', () => new File([bytes], 'x.svm')],
    ['ReadableStream', () => new Blob([bytes]).stream()],
    ['AsyncIterable', () => chunked(bytes, [3, 10])],
    ['AsyncIterable of strings', () => (async function* () { yield '1 1:0.5 3'; yield ':2\n-1 2:1\n'; })()],
    ['gzip Uint8Array', () => new Uint8Array(gzipSync(bytes))],
    ['gzip Blob', () => new Blob([gzipSync(bytes)])],
    ['gzip split in 1-byte chunks', () => chunked(gzipSync(bytes), Array.from({ length: 40 }, (_, i) => i + 1))],
  ];
  it.each(sources)('%s', async (_, make) => {
    const r = await parseLibsvm(make() as never);
    expect({ rows: r.rows, features: r.features, nnz: r.nnz }).toEqual(expected);
    expect([...r.dataset.x.values]).toEqual([0.5, 2, 1]);
  });

  it('gzip through a custom decoder (nodeGunzip)', async () => {
    const r = await parseLibsvm(gzipSync(bytes), { gunzip: nodeGunzip });
    expect(r.nnz).toBe(3);
  });

  it('a large string is encoded in slices without splitting surrogate pairs', async () => {
    const line = '1 1:1 # 😀😀😀\n';
    const big = line.repeat(Math.ceil((3 << 20) / line.length));
    const r = await parseLibsvm(big);
    expect(r.rows).toBe(Math.ceil((3 << 20) / line.length));
  });
});

describe('parseLibsvm: gzip failures', () => {
  const gz = gzipSync(enc.encode('1 1:0.5 3:2\n-1 2:1\n'.repeat(50)));
  it.each([
    ['cut in half', gz.subarray(0, gz.length >> 1)],
    ['missing trailer', gz.subarray(0, gz.length - 4)],
    ['header only', gz.subarray(0, 10)],
    ['magic bytes only', gz.subarray(0, 2)],
    ['corrupt body', (() => { const c = Buffer.from(gz); c[20] ^= 0xff; c[21] ^= 0x55; return c; })()],
    ['bad checksum', (() => { const c = Buffer.from(gz); c[c.length - 6] ^= 0xff; return c; })()],
  ])('%s → InvalidInputError naming the input', async (_, bytes) => {
    for (const gunzip of [undefined, nodeGunzip]) {
      await expectInvalid(parse(new Uint8Array(bytes), { name: 'data.gz', gunzip }), 'data.gz', /truncated or corrupt gzip/, /complete gzip/);
    }
  });
});

describe('parseLibsvm: progress and abort', () => {
  it('reports source bytes read, ending at the input size', async () => {
    const bytes = enc.encode('1 1:1\n'.repeat(1000));
    const seen: number[] = [];
    await parseLibsvm(chunked(bytes, [100, 2000, 5000]), { onProgress: (n) => seen.push(n) });
    expect(seen).toEqual([100, 2000, 5000, bytes.length]);
    const gz = gzipSync(bytes);
    const gzSeen: number[] = [];
    await parseLibsvm(gz, { onProgress: (n) => gzSeen.push(n) });
    expect(gzSeen.at(-1)).toBe(gz.length);
  });

  it('rejects with AbortError when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await rejection(parseLibsvm('1 1:1\n', { signal: ac.signal }))).toBeInstanceOf(AbortError);
  });

});

describe('parseLibsvm: cleanup and source errors', () => {
  it('stops between chunks when aborted, and closes the source', async () => {
    const ac = new AbortController();
    let closed = false;
    async function* source() {
      try {
        yield enc.encode('1 1:1\n');
        ac.abort();
        yield enc.encode('1 1:1\n');
        yield enc.encode('1 1:1\n');
      } finally {
        closed = true;
      }
    }
    expect(await rejection(parseLibsvm(source(), { signal: ac.signal }))).toBeInstanceOf(AbortError);
    expect(closed).toBe(true);
  });

  it('closes the source when the content is invalid', async () => {
    let closed = false;
    async function* source() {
      try {
        yield enc.encode('x 1:1\n');
        yield enc.encode('1 1:1\n');
      } finally {
        closed = true;
      }
    }
    expect(await rejection(parseLibsvm(source()))).toBeInstanceOf(InvalidInputError);
    expect(closed).toBe(true);
  });

  it('passes an error of the source through unchanged', async () => {
    const boom = new Error('disk on fire');
    async function* source() {
      yield enc.encode('1 1:1\n');
      throw boom;
    }
    expect(await rejection(parseLibsvm(source()))).toBe(boom);
    async function* gzSource() {
      yield gzipSync(enc.encode('1 1:1\n'.repeat(100))).subarray(0, 20);
      throw boom;
    }
    expect(await rejection(parseLibsvm(gzSource()))).toBe(boom);
  });
});

describe('parseLibsvm: the feature limit', () => {
  it('refuses an index above maxFeatures (default 2^25) at its file:line:column, naming the limit and the option', async () => {
    await expect(parse('+1 1:0.5\n-1 1:1 33554433:1\n')).rejects.toThrow(/^f:2:8: got "33554433:1", expected an index of at most 33554432 \(the feature limit, options\.maxFeatures/);
    expect((await parse('+1 1:0.5\n-1 1:1 33554432:1\n')).features).toBe(33554432);
    await expect(parse('+1 9:1\n', { maxFeatures: 8 })).rejects.toThrow(/f:1:4: got "9:1", expected an index of at most 8/);
    expect((await parse('+1 9:1\n', { maxFeatures: 8, features: 9 })).features).toBe(9); // an explicit width wins
  });
});
