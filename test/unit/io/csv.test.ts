// SPDX-License-Identifier: MIT
// parseCsv: header detection, label/ignored columns by index or name, delimiters, quoting, and located errors.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { parseCsv } from '../../../src/io/csv.js';
import { enc, expectInvalid, rejection } from './helpers.js';

const parse = (text: string | Uint8Array, opts = {}) => parseCsv(text, { name: 'c.csv', ...opts });
const dense = async (text: string, opts = {}) => {
  const r = await parse(text, opts);
  return { ...r, data: [...r.dataset.x.data], y: [...r.dataset.y] };
};

describe('parseCsv: accepted input', () => {
  it('detects a header, takes column 0 as the label and the rest as features', async () => {
    const r = await dense('y,a,b\n1,0.5,2\n0,-1,3\n');
    expect(r.rows).toBe(2);
    expect(r.features).toBe(2);
    expect(r.data).toEqual([0.5, 2, -1, 3]);
    expect(r.y).toEqual([1, -1]);
    expect(r.dataset.labels).toEqual([0, 1]);
    expect(r.labelsSeen).toEqual([0, 1]);
    expect(r.featureNames).toEqual(['a', 'b']);
    expect(r.nnz).toBe(4);
    expect(r.dataset.x).toMatchObject({ kind: 'dense', rows: 2, cols: 2 });
    expect(r.dataset.x.data).toBeInstanceOf(Float32Array);
  });

  it('labelColumn and ignoreColumns by name (header `id,y,x1..`)', async () => {
    const r = await dense('id,y,x1,x2\n7,0,1,2\n8,1,3,4\n', { labelColumn: 'y', ignoreColumns: ['id'] });
    expect(r.data).toEqual([1, 2, 3, 4]);
    expect(r.y).toEqual([-1, 1]);
    expect(r.featureNames).toEqual(['x1', 'x2']);
  });

  it('labelColumn and ignoreColumns by index; the label may be the last column', async () => {
    const r = await dense('1,2,9,-1\n3,4,9,1\n', { labelColumn: 3, ignoreColumns: [2] });
    expect(r.data).toEqual([1, 2, 3, 4]);
    expect(r.y).toEqual([-1, 1]);
    expect(r.featureNames).toBeUndefined();
  });

  it("header 'auto' sees an all-numeric first row as data; header: true forces a header, false forbids it", async () => {
    expect((await parse('1,2\n0,3\n')).rows).toBe(2);
    expect((await parse('1,2\n0,3\n', { header: true })).rows).toBe(1);
    await expectInvalid(parse('y,a\n1,2\n', { header: false }), 'c.csv:1:1', '"y"', /numeric label/);
  });

  it("header 'auto' ignores columns skipped by index (non-numeric ids)", async () => {
    const r = await parse('a17,1,2\nb18,0,3\n', { labelColumn: 1, ignoreColumns: [0] });
    expect(r.rows).toBe(2);
  });

});

describe('parseCsv: formatting variants', () => {
  it('other delimiters: semicolon and tab', async () => {
    expect((await dense('y;a\n1;2,5\n'.replace('2,5', '2.5'), { delimiter: ';' })).data).toEqual([2.5]);
    expect((await dense('y\ta\tb\n1\t2\t3\n0\t 4 \t5\n', { delimiter: '\t' })).data).toEqual([2, 3, 4, 5]);
  });

  it('blanks around fields, CRLF, blank lines, a BOM, no final newline', async () => {
    const r = await dense('\uFEFFy , a\r\n\r\n 1 , 2 \r\n\n0,3');
    expect(r.rows).toBe(2);
    expect(r.data).toEqual([2, 3]);
    expect(r.featureNames).toEqual(['a']);
  });

  it('quoted header names, quoted numbers, quoted ignored text with delimiters and escaped quotes', async () => {
    const r = await dense('"id","y","a"\n"x, ""q""",1,"2.5"\nz,0,3\n', { labelColumn: 'y', ignoreColumns: ['id'] });
    expect(r.data).toEqual([2.5, 3]);
    expect(r.y).toEqual([1, -1]);
  });

  it('labels reuse and a features check', async () => {
    const r = await parse('y,a\n1,2\n1,3\n', { labels: [0, 1], features: 1 });
    expect(r.dataset.labels).toEqual([0, 1]);
    expect([...r.dataset.y]).toEqual([1, 1]);
  });

  it('a label-only file has zero features', async () => {
    const r = await parse('y\n1\n0\n');
    expect(r.features).toBe(0);
    expect(r.dataset.x.data.length).toBe(0);
  });

  it('gzip input', async () => {
    const r = await parseCsv(gzipSync(enc.encode('y,a\n1,2\n0,3\n')));
    expect(r.rows).toBe(2);
  });

  it('grows past the initial buffers', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i % 2},${i},${-i}`).join('\n');
    const r = await parse(rows);
    expect(r.rows).toBe(5000);
    expect(r.dataset.x.data[2 * 4999]).toBe(4999);
    expect(r.dataset.x.data[2 * 4999 + 1]).toBe(-4999);
  });
});

describe('parseCsv: rejections', () => {
  it.each([
    ['too many fields', 'y,a\n1,2\n0,3,4\n', 'c.csv:3:5', '3 fields', /2 fields, as on line 1/],
    ['too few fields', 'y,a,b\n1,2,3\n0,3\n', 'c.csv:3:4', '2 fields', /3 fields, as on line 1/],
    ['a bad number', 'y,a\n1,2\n0,abc\n', 'c.csv:3:3', '"abc"', /a number/],
    ['an empty field', 'y,a,b\n1,,2\n', 'c.csv:2:3', '""', /a number/],
    ['a non-finite number', 'y,a\n1,1e400\n', 'c.csv:2:3', '"1e400"', /float32 range/],
    ['nan', 'y,a\n1,nan\n', 'c.csv:2:3', '"nan"', /a number/],
    ['a bad label', 'y,a\n1,2\nx,3\n', 'c.csv:3:1', '"x"', /numeric label/],
    ['an unclosed quote', 'y,a\n1,"2\n', 'c.csv:2:3', '"\\"2"', /a number/],
    ['junk after a number', 'y,a\n1,2 3\n', 'c.csv:2:3', '"2 3"', /a number/],
  ])('%s', async (_, text, where, got, expected) => {
    await expectInvalid(parse(text), where, got, expected);
  });

  it('a label outside options.labels', async () => {
    await expectInvalid(parse('y,a\n-1,2\n', { labels: [0, 1] }), 'c.csv:2:1', '"-1"', /one of 0 or 1/);
  });

  it('three label values: a multiclass dataset, classes ascending', async () => {
    const r = await parse('y,a\n1,2\n0,3\n2,4\n');
    expect(r.dataset.labels).toEqual([0, 1, 2]);
    expect(Array.from(r.dataset.y)).toEqual([1, 0, 2]);
  });

  it('a feature count other than options.features', async () => {
    await expectInvalid(parse('y,a,b\n1,2,3\n', { features: 3 }), 'c.csv:1:1', '2 feature columns', /3 \(options.features\)/);
  });

  it('no data rows (header only, or empty)', async () => {
    await expectInvalid(parse('y,a\n'), 'c.csv:1:1', 'no data rows', /at least one row/);
    await expectInvalid(parse(''), 'c.csv:1:1', 'no data rows', /at least one row/);
  });

  it.each([
    [{ labelColumn: 'nope' }, 'y,a\n1,2\n', 'parseCsv: options.labelColumn', /header names "y", "a"/],
    [{ labelColumn: 'y' }, '1,2\n0,3\n', 'parseCsv: options.labelColumn', /column index/],
    [{ labelColumn: 5 }, 'y,a\n1,2\n', 'parseCsv: options.labelColumn', /0 to 1/],
    [{ labelColumn: -1 }, 'y,a\n1,2\n', 'parseCsv: options.labelColumn', /0 to 1/],
    [{ ignoreColumns: ['zz'] }, 'y,a\n1,2\n', 'parseCsv: options.ignoreColumns', /header names/],
    [{ ignoreColumns: [0] }, 'y,a\n1,2\n', 'parseCsv: options.labelColumn', /not ignored/],
    [{ delimiter: ';;' }, 'y,a\n1,2\n', 'parseCsv: options.delimiter', /one ASCII character/],
    [{ delimiter: '"' }, 'y,a\n1,2\n', 'parseCsv: options.delimiter', /one ASCII character/],
    [{ header: 'yes' }, 'y,a\n1,2\n', 'parseCsv: options.header', /'auto', true or false/],
    [{ features: -1 }, 'y,a\n1,2\n', 'parseCsv: options.features', /positive integer/],
  ])('bad option %j', async (opts, text, where, expected) => {
    const e = await rejection(parse(text, opts));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).where).toBe(where);
    expect((e as InvalidInputError).expected).toMatch(expected);
  });
});
