// SPDX-License-Identifier: MIT
// parseLibsvmWasm against parseLibsvm (the reference): equal results and identical errors on every case of
// libsvm.test.ts, at every chunk boundary, on gzip input, on the seeded mutations of fuzz.test.ts and on real files.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseLibsvm, type LibsvmOptions, type LibsvmResult } from '../../../src/io/libsvm.js';
import { ERROR_SLOT, PARSE_ERROR, parseLibsvmWasm } from '../../../src/io/libsvm_wasm.js';
import { nodeGunzip } from '../../../src/io/node.js';
import { hasSimd, loadCore } from '../../../src/backends/wasm/loader.js';
import { describeWithSharedData, SHARED_DATA } from '../../helpers/shared_data.js';
import { chunked, enc, FUZZ_LIBSVM, mutate, prng, randomCuts } from './helpers.js';

type Source = Parameters<typeof parseLibsvm>[0];
type Outcome = { result: LibsvmResult } | { error: unknown };

async function outcome(p: Promise<LibsvmResult>): Promise<Outcome> {
  try {
    return { result: await p };
  } catch (error) {
    return { error };
  }
}

/** Typed arrays as [type, bytes], so -0, NaN and the element type all count. */
function canon(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return [v.constructor.name, Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')];
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : v;
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canon(x)]));
  return v;
}

/** Option and source errors name the function called; data errors (name:line:column) must match exactly. */
function errorView(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const fix = (s: unknown) => (typeof s === 'string' ? s.replaceAll('parseLibsvmWasm', 'parseLibsvm') : s);
  const { where, got, expected, code } = e as Error & Record<string, unknown>;
  return { type: e.constructor.name, message: fix(e.message), where: fix(where), got, expected, code };
}

function view(o: Outcome): unknown {
  return 'result' in o ? { result: canon(o.result) } : { error: errorView(o.error) };
}

/** Parses a fresh source from `make` with both readers and expects the same outcome; returns it. */
async function same(make: () => Source, opts: LibsvmOptions = {}, wasmMake = make): Promise<Outcome> {
  const js = await outcome(parseLibsvm(make(), opts));
  const wasm = await outcome(parseLibsvmWasm(wasmMake(), opts));
  expect(view(wasm)).toEqual(view(js));
  return js;
}

const sameText = (text: string, opts: LibsvmOptions = {}) => same(() => text, { name: 'f', ...opts });

// The inputs of libsvm.test.ts (its expectations come from parseLibsvm here).
const ACCEPTED = [
  '+1 1:0.5 3:-2\n-1 2:1.25\n',
  '-1 1:1\n+1 1:1\n', '1 1:1\n-1 1:1\n', '-1.0 1:1\n1.0 1:1\n', '1 1:1\n0 1:1\n', '2 1:1\n1 1:1\n', '4 1:1\n2 1:1\n',
  '-0 1:1\n0 1:1\n1 1:1\n', '1 1:1\n1 2:1\n', '-1 1:1\n', '0 1:1\n', '2 1:1\n', '1e0 1:1\n-1E0 1:1\n', '-0 1:1\n',
  '1 2:1 5:0\n-1 3:0.0 4:-0\n', '1 2:1 5:0\n-1 3:0.0\n', '1 1:1 2:2 \t\r\n\t-1\t3:3  \r\n  1 1:4',
  '\n# header comment\n1 1:1\n\n   \n-1\n1 \n\r\n-1 # empty row with a comment\n\n\n', '1 1:2 # note 3:4\n-1 2:5#x 4:4\n',
  '\uFEFF1 1:1\n', '1#c 1:1\n-1 1:2#\n', '1 2147483647:1\n', '+1 1:0.5\n-1 1:1 33554432:1\n', '1 1:-0 2:+0\n',
];
const VALUES = [
  '.5', '5.', '+2', '-2.5', '1e-3', '1E+02', '00012', '0.017407699999999998', '123456789012345678901234567890',
  '9.86899159742946E-02', '3.4028234663852886e38', '1e-50', '3.4028235677973366e38', '3.4028235677973362e38',
  '0e99999999', '-0e-99999999', '1e-400', '2.2250738585072011e-308', '4.9e-324', '0.1e23', '1e22', '1e23',
  '9007199254740993', '9007199254740993e-5', '123456789012345.6', '1234567890123456', '.0000000000000000000001',
];
const REJECTED = [
  '1 1:1\nabc 1:1\n', 'nan 1:1\n', 'inf 1:1\n', '1e999 1:1\n', '1:0.5 2:1\n', '1 1:1 5\n', '1 abc\n', '1 0:1\n',
  '1 -3:1\n', '1 1.5:2\n', '1 :2\n', '1 2147483648:1\n', '1 3:1 2:1\n', '1 3:1 3:2\n', '1 1:abc\n', '-1 1:nan\n',
  '1 1:inf\n', '1 1:Infinity\n', '1 1:1e400\n', '1 1:1e39\n', '1 1: 2:1\n', '1 1:1.5x\n', '1 1:2:3\n', '1 1:1e\n',
  '1\t\t4:x\n', '1 1:1 é:2\n', '1 1:1\r\n1 1:1\r\n-1 2:1 1:1\r\n', '1 1:1\n-1 1:1\n\n2 1:1\n', '3 qid:1 1:1\n',
  '', '\n\r\n  \n', '# a\n# b\n', `1 1:${'x'.repeat(500)}\n`, `1 ${'9'.repeat(70)}:1\n`, 'é 1:1\n', '1 é 1:1\n',
  '+1 1:0.5\n-1 1:1 33554433:1\n', '1 1:1\n-1 1:1\n3 1:1', '0.1 1:1\n1e21 1:1\n5 1:1\n', '1 1:1 2:-1e39\n',
  '1 1:1\u00ff 2:1\n', '1 1:1e+\n', '1 1:-\n', '1 1:.\n', '1 1:+.e5\n', '- 1:1\n', '1e5x 1:1\n', '1 99999999999999999999:1\n',
  '1 1:1\n\n-1 1:1 1:1', '1 1:1 ' + '2:2 '.repeat(3) + '\n',
];

describe('parseLibsvmWasm: the ABI mirrors', () => {
  it('error kinds and record slots match cpp/include/anyml/libsvm_parse.h', () => {
    const h = readFileSync(new URL('../../../cpp/include/anyml/libsvm_parse.h', import.meta.url), 'utf8').replace(/\/\/.*$/gm, '');
    const e = new Map([...h.matchAll(/\b(LIBSVM_PARSE_[A-Z_]+)\s*=\s*(\d+)/g)].map((m) => [m[1], Number(m[2])]));
    expect(Object.fromEntries([...e].filter(([k]) => !k.startsWith('LIBSVM_PARSE_E_') && k !== 'LIBSVM_PARSE_ERROR_SLOTS'))).toEqual(PARSE_ERROR);
    expect(Object.fromEntries([...e].filter(([k]) => k.startsWith('LIBSVM_PARSE_E_') || k === 'LIBSVM_PARSE_ERROR_SLOTS'))).toEqual(ERROR_SLOT);
  });
});

describe('parseLibsvmWasm: same results and errors as parseLibsvm', () => {
  it.each(ACCEPTED)('accepted %j', async (text) => {
    expect('result' in (await sameText(text, { maxFeatures: 2147483647 }))).toBe(true);
    await sameText(text, { keepZeros: true });
  });

  it.each(VALUES)('value %s', async (tok) => {
    await sameText(`1 1:1 2:${tok}\n`, { keepZeros: true });
    await sameText(`${tok} 1:1\n`);
  });

  it.each(REJECTED)('rejected %j', async (text) => {
    const o = await sameText(text);
    if (text.startsWith('1 1:1 2:2')) expect('error' in o).toBe(true);
  });

  it('options: features, maxFeatures, labels, keepZeros, default name', async () => {
    const text = '0 1:1 3:0\n1 1:2\n';
    for (const opts of [
      { features: 10 }, { features: 2 }, { maxFeatures: 2 }, { maxFeatures: 8, features: 9 }, { labels: [0, 1] },
      { labels: [1, 0] }, { labels: [-1, 1] }, { labels: [1, 5] }, { labels: [0, 7] }, { keepZeros: true },
      { features: 3, labels: [0, 1], keepZeros: true },
    ] as LibsvmOptions[]) {
      await sameText(text, opts);
    }
    await sameText('1 1:1\n1 2:1\n', { labels: [0, 1] });
    // Multiclass: classes met (ascending), forced lists in their order, and a value outside a forced list.
    const three = '2 1:1\n0 2:1\n\n1 1:3\n2 3:1\n';
    for (const labels of [undefined, [0, 1, 2], [2, 0, 1], [0, 1, 2, 3], [0, 2, 5], [1, 2, 3], [0, 2]]) await sameText(three, labels ? { labels } : {});
    await sameText('+1 9:1\n', { maxFeatures: 8 });
    await sameText('1 1:1 30:1\n', { features: 22 });
    await same(() => 'x\n');
  });

  it.each([
    [{ features: 0 }], [{ features: 1.5 }], [{ maxFeatures: -1 }], [{ labels: [1, 1] }], [{ labels: [0, Number.NaN] }],
    [{ labels: [0] }], [{ bogus: 1 }],
  ])('bad option %j (the message names parseLibsvmWasm)', async (opts) => {
    const o = await sameText('1 1:1\n', opts as object);
    expect('error' in o).toBe(true);
    const e = await outcome(parseLibsvmWasm('1 1:1\n', opts as object));
    expect(String((e as { error: Error }).error.message)).toMatch(/^parseLibsvmWasm: options/);
  });

  it('an unsupported source type', async () => {
    expect('error' in (await same(() => 42 as never))).toBe(true);
  });
});

describe('parseLibsvmWasm: the wasm heap', () => {
  it('is freed after a parse, a data error, a source error and an abort', async () => {
    const core = await loadCore((await hasSimd()) ? 'simd' : 'scalar');
    const probe = () => {
      const p = core._malloc(1 << 20);
      core._free(p);
      return p;
    };
    await parseLibsvmWasm('1 1:1\n'.repeat(50_000));
    const before = probe();
    const ac = new AbortController();
    ac.abort();
    const runs = [
      parseLibsvmWasm('1 1:1\n'.repeat(50_000)),
      parseLibsvmWasm('1 1:1\n'.repeat(50_000) + 'x\n'),
      parseLibsvmWasm((async function* () { yield enc.encode('1 1:1\n'.repeat(1000)); throw new Error('boom'); })()),
      parseLibsvmWasm('1 1:1\n', { signal: ac.signal }),
    ];
    for (const r of runs) await r.catch(() => undefined);
    expect(probe()).toBe(before);
  });
});

describe('parseLibsvmWasm: chunking and sources', () => {
  const fixture = readFileSync(new URL('../../fixtures/io/small.libsvm', import.meta.url));
  const bytes = new Uint8Array(fixture);

  it('the fixture cut at every byte, and in 1-byte chunks', async () => {
    const whole = await same(() => bytes, { name: 'small.libsvm' });
    expect('result' in whole).toBe(true);
    for (let c = 0; c <= bytes.length; c++) {
      await same(() => bytes, { name: 'small.libsvm' }, () => chunked(bytes, [c]));
    }
    const ones = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    await same(() => bytes, { name: 'small.libsvm' }, () => chunked(bytes, ones));
    await same(() => bytes, { name: 'small.libsvm', keepZeros: true }, () => chunked(bytes, ones));
  });

  it('an error line cut at every byte gives the same message', async () => {
    const bad = enc.encode('1 1:1\n# c\n-1 2:1 é:2 3:1\n');
    for (let c = 0; c <= bad.length; c++) await same(() => bad, { name: 'f' }, () => chunked(bad, [c, Math.min(bad.length, c + 3)]));
  });

  it('sources: string, bytes, Blob, streams, iterables, gzip (web and node decoders)', async () => {
    const text = '1 1:0.5 3:2\n-1 2:1\n';
    const b = enc.encode(text);
    const gz = new Uint8Array(gzipSync(b));
    const makers: Array<() => Source> = [
      () => text, () => b, () => Buffer.from(text), () => b.slice().buffer, () => new Blob([b]), () => new File([b], 'x.svm'),
      () => new Blob([b]).stream(), () => chunked(b, [3, 10]), () => (async function* () { yield '1 1:0.5 3'; yield ':2\n-1 2:1\n'; })() as never,
      () => gz, () => new Blob([gz]), () => chunked(gz, Array.from({ length: 40 }, (_, i) => i + 1)),
    ];
    for (const make of makers) expect('result' in (await same(make))).toBe(true);
    await same(() => gz, { gunzip: nodeGunzip });
    await same(() => new Uint8Array(gzipSync(fixture)), { keepZeros: true });
  });

  it('gzip failures name the input', async () => {
    const gz = gzipSync(enc.encode('1 1:0.5 3:2\n-1 2:1\n'.repeat(50)));
    const corrupt = Buffer.from(gz);
    corrupt[20] ^= 0xff;
    corrupt[21] ^= 0x55;
    for (const bad of [gz.subarray(0, gz.length >> 1), gz.subarray(0, gz.length - 4), gz.subarray(0, 10), gz.subarray(0, 2), corrupt]) {
      for (const gunzip of [undefined, nodeGunzip]) {
        expect('error' in (await same(() => new Uint8Array(bad), { name: 'data.gz', gunzip }))).toBe(true);
      }
    }
  });

  it('a large string in slices, and lines longer than 1 MiB', async () => {
    const line = '1 1:1 # 😀😀😀\n';
    await same(() => line.repeat(Math.ceil((3 << 20) / line.length)));
    const long = '1 ' + Array.from({ length: 200_000 }, (_, i) => `${i + 1}:${(i % 7) - 3}.5`).join(' ') + '\n-1 3:1\n';
    await same(() => enc.encode(long));
    await same(() => enc.encode(long + 'x'));
  });

  it('abort, source errors and closing the source', async () => {
    const ac = new AbortController();
    ac.abort();
    expect('error' in (await same(() => '1 1:1\n', { signal: ac.signal }))).toBe(true);
    const boom = new Error('disk on fire');
    const js = await same(() => (async function* () { yield enc.encode('1 1:1\n'); throw boom; })());
    expect((js as { error: unknown }).error).toBe(boom);
    let closed = 0;
    async function* source() {
      try {
        yield enc.encode('x 1:1\n');
        yield enc.encode('1 1:1\n');
      } finally {
        closed++;
      }
    }
    await same(source);
    expect(closed).toBe(2);
  });
});

// fuzz.test.ts's mutation and base text (helpers.ts) and its seeds, so both readers see exactly its 2,000 + 300 inputs.
const LIBSVM = FUZZ_LIBSVM;

describe('parseLibsvmWasm: fuzz corpus agrees with parseLibsvm', () => {
  it('2,000 LIBSVM mutations (whole, and cut at random points): equal results or the same error', async () => {
    const rnd = prng(20240601);
    const cutRnd = prng(4242); // a separate stream, so the mutations stay those of fuzz.test.ts
    const counts = { ok: 0, invalid: 0 };
    for (let t = 0; t < 2000; t++) {
      const bytes = mutate(enc.encode(LIBSVM), rnd);
      const o = await same(() => bytes, { name: 'fuzz' });
      const cuts = bytes.length > 1 ? randomCuts(bytes.length, 1 + Math.floor(cutRnd() * 6), cutRnd) : [];
      await same(() => bytes, { name: 'fuzz', keepZeros: t % 2 === 1 }, () => chunked(bytes, cuts));
      counts['result' in o ? 'ok' : 'invalid']++;
    }
    expect(counts.ok).toBeGreaterThan(100);
    expect(counts.invalid).toBeGreaterThan(100);
  });

  it('300 gzip mutations of the compressed bytes', async () => {
    const base = new Uint8Array(gzipSync(enc.encode(LIBSVM.repeat(5))));
    const rnd = prng(99);
    for (let t = 0; t < 300; t++) {
      const bytes = mutate(base, rnd);
      await same(() => bytes, { name: 'fuzz.gz' });
    }
  });
});

// describeWithSharedData: skipped with the reason without ../shared/data, a failure when CI=true.
describeWithSharedData('parseLibsvmWasm: real data (shared/data/libsvm)', () => {
  for (const [file, opts] of [['a9a.t', { features: 123 }], ['ijcnn1.gz', {}], ['w8a.gz', {}], ['agaricus.txt.train', {}]] as const) {
    it(`real file ${file}: equal to parseLibsvm`, async () => {
      const bytes = new Uint8Array(readFileSync(join(SHARED_DATA, 'libsvm', file)));
      const o = await same(() => bytes, { name: file, ...opts, gunzip: nodeGunzip });
      expect('result' in o).toBe(true);
    }, 120_000);
  }
});
