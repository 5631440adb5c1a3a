// SPDX-License-Identifier: MIT
// Framing of `anyml host` (src/host/framing.ts): binary WebSocket frames with an 8-aligned payload (a zero-copy
// Float32Array), native-messaging streams cut at any byte, and results chunked under the 1 MB host→browser limit.
import { describe, expect, it } from 'vitest';
import {
  attachNativePayload, chunkNativeResult, decodeBase64, decodeFrame, detachNativePayload, encodeBase64, encodeFrame, encodeFrameParts,
  encodeNativeMessage, NATIVE_CHUNK_BYTES, NativeMessageReader, NativeResultAssembler, payloadAsFloat32,
} from '../../../src/host/framing.js';
import { parseMessage, TooLargeError } from '../../../src/host/protocol.js';
import type { HostMessage, InferMessage, ResultChunkMessage, ResultMessage } from '../../../src/host/protocol.js';
import { invalid } from '../../helpers/errors.js';

const CONTROL: HostMessage[] = [
  { type: 'hello', protocol: 1, client: 'node', token: 't' },
  { type: 'welcome', protocol: 1, hostVersion: '0.1.0', providers: [{ name: 'cpu', kind: 'cpu', available: true }] },
  { type: 'load', id: 1, provider: 'cpu', model: { kind: 'tomogan' } },
  { type: 'loaded', id: 1, provider: 'cpu', model: { kind: 'tomogan' } },
  { type: 'progress', id: 2, done: 1, total: 4 },
  { type: 'result_chunk', id: 2, index: 0, count: 1, data: 'AAAA' },
  { type: 'cancel', id: 2 },
  { type: 'ping', t: 1 },
  { type: 'pong', t: 1 },
  { type: 'error', id: 2, code: 'TIMEOUT', message: 'took 30 s', retryable: true, fallback: true },
];
const inferOf = (w: number, h: number, d: number, provider?: string): InferMessage =>
  ({ type: 'infer', id: 9, ...(provider ? { provider } : {}), width: w, height: h, depth: d, dtype: 'float32', payloadBytes: w * h * d * 4 });
const resultOf = (w: number, h: number): ResultMessage =>
  ({ type: 'result', id: 9, provider: 'cpu', width: w, height: h, stages: { queue: 0, model: 1, total: 1 }, payloadBytes: w * h * 4 });
/** Seeded float32 bit patterns, NaNs and denormals included: the round trips must be bit-exact. */
function randomBits(n: number, seed = 1): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0, s = seed; i < n; i++) out[i] = s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  return out;
}
const thrown = invalid;
const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
};

describe('base64', () => {
  it('matches RFC 4648 for every tail length and round-trips', () => {
    for (let n = 0; n < 20; n++) {
      const b = new Uint8Array(randomBits(n).buffer, 0, n);
      expect(encodeBase64(b)).toBe(Buffer.from(b).toString('base64'));
      expect(decodeBase64(encodeBase64(b))).toEqual(b);
    }
  });

  it('refuses what is not canonical base64', () => {
    expect(thrown(() => decodeBase64('abc', 'x')).expected).toMatch(/multiple of 4/);
    expect(thrown(() => decodeBase64('ab$d', 'x')).got).toBe('"$" at character 2');
    expect(thrown(() => decodeBase64('a=bc', 'x')).got).toBe('"=" at character 1');
    expect(thrown(() => decodeBase64('ab\u00e9d', 'x')).got).toBe('"é" at character 2');
  });
});

describe('binary frames', () => {
  it('round-trips every control message without a payload', () => {
    for (const m of CONTROL) {
      const f = encodeFrame(m);
      expect(f.length % 8).toBe(0);
      expect(decodeFrame(f)).toEqual({ header: m });
    }
  });

  it('puts the payload at a multiple of 8 for every header length, as a zero-copy Float32Array', () => {
    for (let k = 0; k < 16; k++) {
      const x = new Float32Array(randomBits(6 * 5 * 2, k).buffer);
      const frame = encodeFrame(inferOf(6, 5, 2, 'p'.repeat(k + 1)), x);
      const decoded = decodeFrame(frame);
      expect(decoded.header).toEqual(inferOf(6, 5, 2, 'p'.repeat(k + 1)));
      expect((frame.length - x.byteLength) % 8).toBe(0);
      expect(decoded.payload!.byteOffset % 8).toBe(0);
      const view = payloadAsFloat32(decoded);
      expect(view.buffer).toBe(frame.buffer);
      expect(new Uint32Array(view.buffer, view.byteOffset, view.length)).toEqual(new Uint32Array(x.buffer));
    }
  });

  it('encodeFrameParts is the same frame in two pieces, the body a view of the payload (no copy)', () => {
    for (const k of [0, 3, 7]) {
      const x = new Float32Array(randomBits(4 * 3, k).buffer);
      const { head, body } = encodeFrameParts(inferOf(4, 3, 1, 'q'.repeat(k + 1)), x);
      expect(body.buffer).toBe(x.buffer);
      expect(head.length % 8).toBe(0);
      const joined = new Uint8Array(head.length + body.length);
      joined.set(head);
      joined.set(body, head.length);
      expect(joined).toEqual(encodeFrame(inferOf(4, 3, 1, 'q'.repeat(k + 1)), x));
    }
  });

  it('copies the payload when the frame sits at an unaligned offset', () => {
    const x = new Float32Array([1, -2, 3.5, NaN]);
    const frame = encodeFrame(resultOf(2, 2), x);
    const shifted = new Uint8Array(frame.length + 1).subarray(1);
    shifted.set(frame);
    const y = payloadAsFloat32(decodeFrame(shifted));
    expect(y.buffer).not.toBe(shifted.buffer);
    expect(new Uint32Array(y.buffer)).toEqual(new Uint32Array(x.buffer));
  });

  it('writes payloadBytes from the payload and checks it against the sizes', () => {
    const h = { ...inferOf(2, 2, 1), payloadBytes: 0 };
    expect(decodeFrame(encodeFrame(h, new Float32Array(4))).header).toMatchObject({ payloadBytes: 16 });
    expect(thrown(() => encodeFrame(inferOf(2, 2, 1), new Float32Array(3))).where).toBe('parseMessage: infer.payloadBytes');
    expect(thrown(() => encodeFrame(CONTROL[7], new Uint8Array(4))).expected).toMatch(/only infer and result/);
    expect(thrown(() => encodeFrame({ ...inferOf(1, 1, 1), data: 'AAAAAA==' }, new Float32Array(1))).where).toBe('encodeFrame: infer.data');
  });

  it('refuses an oversize frame before looking inside it', () => {
    const junk = new Uint8Array(1025).fill(0xff); // not even the magic is right: the size is checked first
    const e = thrown(() => decodeFrame(junk, { maxFrameBytes: 1024 }));
    expect(e).toBeInstanceOf(TooLargeError);
    expect(e.message).toBe('decodeFrame: frame: got 1025 bytes, expected at most 1024 bytes (maxFrameBytes)');
    expect(thrown(() => encodeFrame(inferOf(16, 16, 1), new Float32Array(256), { maxFrameBytes: 1024 }))).toBeInstanceOf(TooLargeError);
    expect(decodeFrame(encodeFrame(inferOf(16, 16, 1), new Float32Array(256))).payload!.length).toBe(1024);
  });

  it('refuses bad magic, versions, lengths, headers, padding and payload sizes', () => {
    const good = encodeFrame(resultOf(1, 1), new Float32Array(1));
    const edit = (f: (b: Uint8Array, dv: DataView) => void) => {
      const b = good.slice();
      f(b, new DataView(b.buffer));
      return b;
    };
    expect(thrown(() => decodeFrame(good.subarray(0, 7))).expected).toMatch(/at least 8 bytes/);
    expect(thrown(() => decodeFrame(edit((b) => (b[0] = 0x7b)))).message).toMatch(/^decodeFrame: magic: got 7b 4d 48 01, expected 41 4d 48 01/);
    expect(thrown(() => decodeFrame(edit((b) => (b[3] = 2)))).where).toBe('decodeFrame: version');
    expect(thrown(() => decodeFrame(edit((_, dv) => dv.setUint32(4, 1 << 20, true))))).toBeInstanceOf(TooLargeError);
    expect(thrown(() => decodeFrame(edit((_, dv) => dv.setUint32(4, good.length, true)))).where).toBe('decodeFrame: header length');
    expect(thrown(() => decodeFrame(edit((b) => (b[8] = 0x5b)))).where).toBe('decodeFrame: header');
    expect(thrown(() => decodeFrame(concat([good, new Uint8Array(4)]))).message).toMatch(/payload: got 8 bytes after the header, expected 4/);
    const len = new DataView(good.buffer).getUint32(4, true);
    if ((8 + len) % 8) expect(thrown(() => decodeFrame(edit((b) => (b[8 + len] = 1)))).where).toBe('decodeFrame: padding');
    const hello = encodeFrame(CONTROL[0]);
    expect(thrown(() => decodeFrame(concat([hello, new Uint8Array(8)]))).expected).toBe('0 (payloadBytes)');
  });
});

describe('native messaging', () => {
  const messages = [{ type: 'ping', t: 1 }, { type: 'hello', protocol: 1, client: 'ext', token: 'é—✓' }, { n: [1, 2, 3] }];
  const stream = concat(messages.map((m) => encodeNativeMessage(m)));

  it('encodes a native-order length prefix and UTF-8 JSON', () => {
    const b = encodeNativeMessage({ a: 'é' });
    expect(new DataView(b.buffer).getUint32(0, true)).toBe(b.length - 4);
    expect(new TextDecoder().decode(b.subarray(4))).toBe('{"a":"é"}');
    expect(thrown(() => encodeNativeMessage({ s: 'x'.repeat(1024 * 1024) }))).toBeInstanceOf(TooLargeError);
  });

  it('reads a stream fed one byte at a time', () => {
    const r = new NativeMessageReader();
    const out: unknown[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...r.push(stream.subarray(i, i + 1)));
    expect(out).toEqual(messages);
    expect(r.buffered).toBe(0);
    r.end();
  });

  it('reads several messages from one chunk, and messages split anywhere', () => {
    expect(new NativeMessageReader().push(stream)).toEqual(messages);
    for (let cut = 1; cut < stream.length; cut++) {
      const r = new NativeMessageReader();
      expect([...r.push(stream.subarray(0, cut)), ...r.push(stream.subarray(cut))]).toEqual(messages);
    }
  });

  it('refuses an oversize length from its prefix alone, before allocating, and stays failed', () => {
    const r = new NativeMessageReader({ maxMessageBytes: 1000 });
    const e = thrown(() => r.push(Uint8Array.of(0x68, 0x65, 0x6c, 0x6c))); // "hell": someone typing at the host
    expect(e).toBeInstanceOf(TooLargeError);
    expect(e.message).toBe('NativeMessageReader: message length: got 1819043176 bytes, expected at most 1000 bytes (maxMessageBytes; the prefix was 68 65 6c 6c: is stdin a browser?)');
    expect(() => r.push(stream)).toThrow(e.message);
    expect(thrown(() => new NativeMessageReader().push(Uint8Array.of(0xff, 0xff, 0xff, 0xff)))).toBeInstanceOf(TooLargeError);
    const ok = new NativeMessageReader({ maxMessageBytes: 1000 });
    expect(ok.push(Uint8Array.of(232, 3, 0, 0, 0x5b))).toEqual([]); // exactly the limit: accepted, waiting for the body
    expect(ok.buffered).toBe(1);
  });

  it('refuses a zero length, a body that is not JSON, and a stream cut inside a message', () => {
    expect(thrown(() => new NativeMessageReader().push(new Uint8Array(4))).expected).toMatch(/^at least 2 bytes of JSON/);
    expect(thrown(() => new NativeMessageReader().push(Uint8Array.of(2, 0, 0, 0, 0x7b, 0x7b))).where).toBe('NativeMessageReader: message');
    expect(thrown(() => new NativeMessageReader().push(Uint8Array.of(2, 0, 0, 0, 0x22, 0xff))).got).toMatch(/not UTF-8 JSON/);
    const r = new NativeMessageReader();
    r.push(stream.subarray(0, 6));
    expect(thrown(() => r.end()).got).toMatch(/^2 of \d+ bytes of a message$/);
    const p = new NativeMessageReader();
    p.push(stream.subarray(0, 3));
    expect(thrown(() => p.end()).got).toBe('3 bytes of a length prefix');
  });

  it('carries an infer payload inline as base64', () => {
    const x = new Float32Array(randomBits(12).buffer);
    const m = attachNativePayload(inferOf(2, 2, 3), x);
    const back = detachNativePayload(parseMessage(JSON.parse(JSON.stringify(m))) as InferMessage);
    expect(back.header).toEqual(inferOf(2, 2, 3));
    expect(back.payload).toEqual(new Uint8Array(x.buffer));
    expect(thrown(() => detachNativePayload(inferOf(1, 1, 1))).where).toBe('detachNativePayload: infer.data');
    expect(thrown(() => detachNativePayload({ ...inferOf(1, 1, 1), data: 'AAAA' })).got).toBe('3 bytes');
  });
});

describe('chunked native results', () => {
  const side = 1024; // 1024² float32: 4 MiB
  const bits = randomBits(side * side, 7);
  const messages = chunkNativeResult(resultOf(side, side), new Float32Array(bits.buffer));
  const chunks = messages.slice(1) as ResultChunkMessage[];

  it('splits a 4 MiB float32 result into messages under 1,000,000 bytes each', () => {
    expect(messages[0]).toEqual(resultOf(side, side));
    expect(chunks.length).toBeGreaterThanOrEqual(5);
    for (const m of messages) expect(encodeNativeMessage(m).length).toBeLessThan(NATIVE_CHUNK_BYTES);
    expect(chunks.map((c) => [c.index, c.count])).toEqual(chunks.map((_, i) => [i, chunks.length]));
  });

  it('reassembles it bit-exactly from a native-messaging stream read in odd chunks', () => {
    const wire = concat(messages.map((m) => encodeNativeMessage(m)));
    const reader = new NativeMessageReader();
    const asm = new NativeResultAssembler();
    let done: ReturnType<NativeResultAssembler['push']>;
    for (let i = 0; i < wire.length; i += 65_537) {
      for (const json of reader.push(wire.subarray(i, i + 65_537))) done ??= asm.push(parseMessage(json, 'host') as ResultMessage | ResultChunkMessage);
    }
    expect(done!.header).toEqual(resultOf(side, side));
    const got = new Uint32Array(done!.payload.buffer);
    expect([got.length, got.findIndex((b, i) => b !== bits[i])]).toEqual([bits.length, -1]); // -1: no bit differs
    expect(asm.pending).toEqual([]);
  });

  it('detects a missing, repeated or foreign chunk', () => {
    const run = (list: HostMessage[]) => {
      const asm = new NativeResultAssembler();
      for (const m of list) asm.push(m as ResultMessage | ResultChunkMessage);
      return asm;
    };
    const missing = thrown(() => run([messages[0], chunks[0], chunks[2]]));
    expect(missing.message).toBe('NativeResultAssembler: result_chunk 9.index: got 2 (chunk 1 missing), expected 1');
    expect(thrown(() => run([messages[0], chunks[0], chunks[3]])).got).toBe('3 (chunks 1–2 missing)');
    expect(thrown(() => run([messages[0], chunks[0], chunks[0]])).got).toBe('0 (a repeated chunk)');
    expect(thrown(() => run([chunks[0]])).expected).toBe('a result header first');
    expect(thrown(() => run([messages[0], { ...chunks[0], count: 99 }, chunks[1]])).where).toMatch(/\.count$/);
    expect(thrown(() => run([messages[0], messages[0]])).got).toBe('a second result header');
    expect(run([messages[0], ...chunks.slice(0, -1)]).pending).toEqual([9]); // a lost last chunk: still pending
  });

  it('detects a payload of the wrong length, and refuses one over the limit', () => {
    const head = resultOf(2, 2);
    const asm = new NativeResultAssembler();
    asm.push(head);
    expect(thrown(() => asm.push({ type: 'result_chunk', id: 9, index: 0, count: 1, data: 'AAAA' })).got).toBe('3 bytes in 1 chunks');
    expect(asm.pending).toEqual([]);
    asm.push(head);
    expect(thrown(() => asm.push({ type: 'result_chunk', id: 9, index: 0, count: 1, data: encodeBase64(new Uint8Array(20)) })).got).toBe('20 bytes so far');
    expect(thrown(() => new NativeResultAssembler({ maxPayloadBytes: 8 }).push(head))).toBeInstanceOf(TooLargeError);
    const small = chunkNativeResult(head, new Float32Array([1, 2, 3, 4]));
    expect(small).toHaveLength(2);
    const a2 = new NativeResultAssembler();
    expect(a2.push(small[0] as ResultMessage)).toBeUndefined();
    expect(new Float32Array(a2.push(small[1] as ResultChunkMessage)!.payload.buffer)).toEqual(new Float32Array([1, 2, 3, 4]));
  });
});
