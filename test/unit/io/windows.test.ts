// SPDX-License-Identifier: MIT
// libsvmWindows and trainSvmStream: windows of whole rows at any chunk boundary, gzip, global line numbers in errors.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { parseLibsvm } from '../../../src/io/libsvm.js';
import { libsvmWindows } from '../../../src/io/windows.js';
import { trainSvmStream } from '../../../src/svm/stream.js';
import { seedState, nextU32 } from '../../../src/rng.js';

/** 2,500 rows of a seeded separable-ish problem, with a comment and a blank line, no final newline. */
function makeText(rows = 2500): string {
  const s = seedState(9);
  const u = () => nextU32(s) / 4294967296;
  const lines: string[] = ['# a comment line', ''];
  for (let i = 0; i < rows; i++) {
    const f: string[] = [];
    let score = 0;
    for (let j = 1; j <= 12; j++) {
      if (u() < 0.5) continue;
      const v = Math.round((u() * 2 - 1) * 1000) / 1000;
      score += (j % 3 === 0 ? -1 : 1) * v;
      f.push(`${j}:${v}`);
    }
    lines.push(`${score > 0.2 ? '+1' : '-1'} ${f.join(' ')}`);
  }
  return lines.join('\n');
}
const text = makeText();
const bytes = new TextEncoder().encode(text);

async function* chunks<T extends string | Uint8Array>(data: T, size: number): AsyncGenerator<T> {
  for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size) as T;
}
async function collect(src: Parameters<typeof libsvmWindows>[0], window = 1000) {
  const out = [];
  for await (const w of libsvmWindows(src, { window })) out.push(w);
  return out;
}

describe('libsvmWindows', () => {
  it('cuts windows of `window` rows (last shorter) that together are the whole file', async () => {
    const ws = await collect(chunks(bytes, 4096));
    expect(ws.map((w) => w.x.rows)).toEqual([1000, 1000, 500]);
    const whole = (await parseLibsvm(bytes)).dataset;
    const y = ws.flatMap((w) => Array.from(w.y));
    expect(y).toEqual(Array.from(whole.y));
    const values = ws.flatMap((w) => Array.from(w.x.values));
    expect(values).toEqual(Array.from(whole.x.values));
    for (const w of ws) expect(w.labels).toEqual(whole.labels);
  });

  it('gives the same windows and the same model at any chunk boundary, for bytes, strings, streams and gzip', async () => {
    const ref = await trainSvmStream(chunks(bytes, 1 << 16), { window: 700, seed: 2 });
    const sources = [
      () => chunks(bytes, 1),
      () => chunks(bytes, 7),
      () => chunks(bytes, 333),
      () => chunks(text, 5),
      () => chunks(gzipSync(bytes), 100),
      () => new Blob([bytes]).stream() as ReadableStream<Uint8Array>,
    ];
    for (const src of sources) {
      const m = await trainSvmStream(src(), { window: 700, seed: 2 });
      expect(Array.from(m.weights)).toEqual(Array.from(ref.weights));
      expect(m.bias).toBe(ref.bias);
    }
    expect(ref.trainedWith).toMatchObject({ seen: 2500, batches: 4 });
  });

  it('reports a bad token at its line in the whole stream, not in its window', async () => {
    const lines = text.split('\n');
    lines[2344] = lines[2344].replace(/^(\S+) /, '$1 7:oops ');
    const bad = new TextEncoder().encode(lines.join('\n'));
    for (const size of [1, 4096]) {
      const err = await collect(chunks(bad, size), 1000).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      const col = lines[2344].indexOf('7:oops') + 1;
      expect(err.where).toBe(`<input>:2345:${col}`);
      expect(err.message.startsWith(`<input>:2345:${col}: `)).toBe(true);
      expect(err.message).toContain('"7:oops"');
    }
    // With a name, through trainSvmStream too.
    const err = await trainSvmStream(chunks(bad, 999), { name: 'data.txt' }).catch((e) => e);
    expect(err.where).toMatch(/^data\.txt:2345:\d+$/);
  });

  it('fixes the labels from the first window that has both, and refuses a third value at its global line', async () => {
    const lines = text.split('\n');
    lines[1500] = lines[1500].replace(/^\S+/, '3');
    const err = await collect(chunks(lines.join('\n'), 1000), 1000).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.where).toBe('<input>:1501:1');
  });

  it('refuses three label values in the first window (streams are binary), at the window\'s first line', async () => {
    const lines = text.split('\n');
    lines[10] = lines[10].replace(/^\S+/, '3');
    const err = await collect(chunks(lines.join('\n'), 1000), 1000).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(/<input>:1:1: got label values -1, 1, 3 in one window, expected two label values \(streams train binary models\)/);
  });

  it('checks the window option', async () => {
    await expect(collect(chunks(bytes, 10), 0)).rejects.toThrow(/options\.window/);
  });
});
