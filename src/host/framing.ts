// SPDX-License-Identifier: MIT
// How protocol v1 messages travel: binary WebSocket frames (RFC 6455 §5.6, one binary message per protocol message)
// with a JSON header and a raw tensor payload, and browser native messaging (Chrome "Native messaging" and MDN
// "Native messaging": stdio, a 32-bit length in native byte order, then UTF-8 JSON), where binary payloads travel
// as base64 and results are split into chunks under the 1 MB host→browser limit. Browser-safe: no node:* imports.
import { show } from '../check.js';
import { InvalidInputError } from '../errors.js';
import { parseMessage, PROTOCOL_VERSION, TooLargeError } from './protocol.js';
import type { HostMessage, InferMessage, ResultChunkMessage, ResultMessage } from './protocol.js';

/** Frame magic: ASCII "AMH" and the protocol version, so a v2 frame is refused by name rather than misread. */
export const FRAME_MAGIC: readonly number[] = [0x41, 0x4d, 0x48, PROTOCOL_VERSION];
/** Default largest frame: a 1024² float32 image with 3 channels is 12 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Largest JSON header: headers are a few hundred bytes; this bounds the JSON parse of a hostile frame. */
export const MAX_HEADER_BYTES = 64 * 1024;
/** Browser→host native message limit (Chrome "Native messaging": 64 MiB). */
export const NATIVE_MAX_TO_HOST_BYTES = 64 * 1024 * 1024;
/** Host→browser native message limit (Chrome and MDN "Native messaging": 1 MB). */
export const NATIVE_MAX_TO_BROWSER_BYTES = 1024 * 1024;
/** Encoded size each result chunk stays under, prefix included: below 1 MB in either reading of "MB". */
export const NATIVE_CHUNK_BYTES = 1_000_000;

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const ascii = new TextDecoder();
/** Native messaging uses the machine's byte order; tensor payloads are little-endian on the wire. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const align8 = (n: number) => (n + 7) & ~7;
const bytesOf = (v: ArrayBufferView) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

function parseJson(where: string, body: Uint8Array): unknown {
  try {
    return JSON.parse(utf8Strict.decode(body));
  } catch (e) {
    throw new InvalidInputError(where, `${body.byteLength} bytes that are not UTF-8 JSON (${(e as Error).message})`, 'a UTF-8 JSON message');
  }
}

// ---- base64 (RFC 4648 §4), strict: native messaging is JSON only, so payloads travel as base64 strings ----------

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CODES = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) CODES[ALPHABET.charCodeAt(i)] = i;
const ASCII = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

export function encodeBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  const whole = bytes.length - (bytes.length % 3);
  let o = 0;
  for (let i = 0; i < whole; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = ASCII[n >> 18];
    out[o++] = ASCII[(n >> 12) & 63];
    out[o++] = ASCII[(n >> 6) & 63];
    out[o++] = ASCII[n & 63];
  }
  if (whole < bytes.length) {
    const two = whole + 1 < bytes.length;
    const n = (bytes[whole] << 16) | (two ? bytes[whole + 1] << 8 : 0);
    out.set([ASCII[n >> 18], ASCII[(n >> 12) & 63], two ? ASCII[(n >> 6) & 63] : 61, 61], o); // 61: '='
  }
  return ascii.decode(out); // the bytes are ASCII, so UTF-8 decoding is exact (and native speed)
}

/** Decodes canonical base64 (padding required, no whitespace); throws naming `where` and the first bad position. */
export function decodeBase64(s: string, where = 'decodeBase64'): Uint8Array {
  if (s.length % 4 !== 0) throw new InvalidInputError(where, `a string of ${s.length} characters`, 'base64 (a multiple of 4 characters)');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const c = s.charCodeAt(i + k);
      const v = c < 128 ? CODES[c] : 255;
      const padded = v === 255 && c === 61 && i + k >= s.length - pad;
      if (v === 255 && !padded) throw new InvalidInputError(where, `${show(s[i + k])} at character ${i + k}`, 'a base64 character (A–Z a–z 0–9 + /)');
      n = (n << 6) | (padded ? 0 : v);
    }
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

// ---- WebSocket binary frames ------------------------------------------------------------------------------------
//
// offset 0   4 bytes  magic "AMH" + protocol version (0x41 0x4d 0x48 0x01)
// offset 4   uint32 LE  header length L (bytes of UTF-8)
// offset 8   L bytes  UTF-8 JSON header: one protocol v1 message; `infer`/`result` carry `payloadBytes`
// 8 + L      zero bytes up to the next multiple of 8
// align8(8+L)  payloadBytes bytes: the tensor, little-endian
//
// The payload offset is a multiple of 8 from the frame start, so when the frame itself starts 8-aligned (an
// ArrayBuffer from `binaryType = 'arraybuffer'`, or a frame from encodeFrame) a Float32Array (or Float64Array)
// over the payload is a view, not a copy. Node `ws` Buffers may sit at any offset of a pooled buffer: then
// payloadAsFloat32 copies.

export interface FrameOptions {
  /** Largest frame accepted or produced, in bytes (default 16 MiB). */
  maxFrameBytes?: number;
}
export interface Frame {
  header: HostMessage;
  payload?: Uint8Array;
}

const hasPayload = (m: HostMessage): m is InferMessage | ResultMessage => m.type === 'infer' || m.type === 'result';

/** One binary frame; `payloadBytes` in the header is set from `payload`, and the header is checked (parseMessage). */
export function encodeFrame(header: HostMessage, payload?: ArrayBufferView, options: FrameOptions = {}): Uint8Array {
  const { head, body } = encodeFrameParts(header, payload, options);
  const frame = new Uint8Array(head.length + body.length); // a fresh ArrayBuffer: byteOffset 0, so the payload is 8-aligned
  frame.set(head, 0);
  frame.set(body, head.length);
  return frame;
}

/**
 * A frame as two pieces, `head` (magic, header length, JSON, padding to 8) and `body` (a view of the payload, not a
 * copy), for senders that can write one message in two fragments (RFC 6455 §5.4) and so skip copying the payload.
 */
export function encodeFrameParts(header: HostMessage, payload?: ArrayBufferView, options: FrameOptions = {}): { head: Uint8Array; body: Uint8Array } {
  const body = payload ? bytesOf(payload) : new Uint8Array(0);
  if (!hasPayload(header) && body.length) throw new InvalidInputError(`encodeFrame: ${header.type}`, `a payload of ${body.length} bytes`, 'no payload (only infer and result carry one)');
  if (header.type === 'infer' && header.data !== undefined) throw new InvalidInputError('encodeFrame: infer.data', 'base64 data', 'no data field: a binary frame carries the payload raw');
  const h = parseMessage(hasPayload(header) ? { ...header, payloadBytes: body.length } : header);
  const json = utf8.encode(JSON.stringify(h));
  if (json.length > MAX_HEADER_BYTES) throw new TooLargeError('encodeFrame: header', json.length, MAX_HEADER_BYTES, 'MAX_HEADER_BYTES');
  const off = align8(8 + json.length);
  const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (off + body.length > max) throw new TooLargeError('encodeFrame: frame', off + body.length, max, 'maxFrameBytes');
  const head = new Uint8Array(off);
  head.set(FRAME_MAGIC, 0);
  new DataView(head.buffer).setUint32(4, json.length, true);
  head.set(json, 8);
  return { head, body };
}

/** Checks the frame's limits, magic and lengths before parsing; the payload is a view into `bytes`. */
export function decodeFrame(bytes: Uint8Array, options: FrameOptions = {}): Frame {
  const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (bytes.byteLength > max) throw new TooLargeError('decodeFrame: frame', bytes.byteLength, max, 'maxFrameBytes');
  if (bytes.byteLength < 8) throw new InvalidInputError('decodeFrame: frame', `${bytes.byteLength} bytes`, 'at least 8 bytes (magic and header length)');
  const magic = bytes.subarray(0, 4);
  if (magic[0] !== 0x41 || magic[1] !== 0x4d || magic[2] !== 0x48) throw new InvalidInputError('decodeFrame: magic', hex(magic), `${hex(Uint8Array.from(FRAME_MAGIC))} ("AMH" + version)`);
  if (magic[3] !== PROTOCOL_VERSION) throw new InvalidInputError('decodeFrame: version', String(magic[3]), `${PROTOCOL_VERSION} (this build speaks protocol v${PROTOCOL_VERSION} only)`);
  const len = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
  if (len > MAX_HEADER_BYTES) throw new TooLargeError('decodeFrame: header length', len, MAX_HEADER_BYTES, 'MAX_HEADER_BYTES');
  if (8 + len > bytes.byteLength) throw new InvalidInputError('decodeFrame: header length', String(len), `at most ${bytes.byteLength - 8} (the frame has ${bytes.byteLength} bytes)`);
  const header = parseMessage(parseJson('decodeFrame: header', bytes.subarray(8, 8 + len)));
  if (header.type === 'infer' && header.data !== undefined) throw new InvalidInputError('decodeFrame: infer.data', 'base64 data', 'no data field: a binary frame carries the payload raw');
  const off = align8(8 + len);
  const want = hasPayload(header) ? header.payloadBytes : 0;
  if (bytes.byteLength !== off + want) throw new InvalidInputError('decodeFrame: payload', `${bytes.byteLength - off} bytes after the header`, `${want} (payloadBytes)`);
  if (bytes.subarray(8 + len, off).some((b) => b !== 0)) throw new InvalidInputError('decodeFrame: padding', hex(bytes.subarray(8 + len, off)), 'zero bytes');
  return want > 0 ? { header, payload: bytes.subarray(off) } : { header };
}

/** The payload as float32: a view when its offset is 4-aligned (and the machine little-endian), else a copy. */
export function payloadAsFloat32(frame: Frame): Float32Array {
  const p = frame.payload;
  if (!p || p.byteLength % 4) throw new InvalidInputError(`payloadAsFloat32: ${frame.header.type}`, p ? `a payload of ${p.byteLength} bytes` : 'no payload', 'a multiple of 4 bytes');
  if (LITTLE_ENDIAN && p.byteOffset % 4 === 0) return new Float32Array(p.buffer, p.byteOffset, p.byteLength / 4);
  if (LITTLE_ENDIAN) return new Float32Array(p.slice().buffer);
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  return Float32Array.from({ length: p.byteLength / 4 }, (_, i) => dv.getFloat32(4 * i, true));
}

// ---- native messaging ------------------------------------------------------------------------------------------

/** One native message: 4-byte length (native byte order) + UTF-8 JSON. Refused above `maxBytes` (default 1 MiB). */
export function encodeNativeMessage(message: unknown, maxBytes = NATIVE_MAX_TO_BROWSER_BYTES): Uint8Array {
  const json = utf8.encode(JSON.stringify(message));
  if (json.length > maxBytes) throw new TooLargeError('encodeNativeMessage', json.length, maxBytes, 'the host→browser native message limit');
  const out = new Uint8Array(4 + json.length);
  new DataView(out.buffer).setUint32(0, json.length, LITTLE_ENDIAN);
  out.set(json, 4);
  return out;
}

/**
 * Cuts a stdio byte stream into native messages, whatever the reads: a message split across chunks, several in one.
 * Returns decoded JSON values; protocol checks are the caller's (parseMessage), so that a bad message costs a
 * BAD_REQUEST reply, not the stream. A bad length or a body that is not JSON means the stream is not from a browser
 * (or has lost its place): the reader then fails for good.
 */
export class NativeMessageReader {
  readonly maxMessageBytes: number;
  readonly #prefix = new Uint8Array(4);
  #prefixFill = 0;
  #body: Uint8Array | undefined;
  #bodyFill = 0;
  #failed: unknown;

  constructor(options: { maxMessageBytes?: number } = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? NATIVE_MAX_TO_HOST_BYTES;
  }

  /** Bytes held for a message not yet complete. */
  get buffered(): number {
    return this.#prefixFill + this.#bodyFill;
  }

  push(chunk: Uint8Array): unknown[] {
    if (this.#failed) throw this.#failed;
    try {
      return this.#read(chunk);
    } catch (e) {
      this.#failed = e;
      throw e;
    }
  }

  /** At end of stream: throws when a message was cut off. */
  end(): void {
    if (this.#failed) throw this.#failed;
    if (this.#body) throw new InvalidInputError('NativeMessageReader: end of stream', `${this.#bodyFill} of ${this.#body.length} bytes of a message`, 'the whole message');
    if (this.#prefixFill) throw new InvalidInputError('NativeMessageReader: end of stream', `${this.#prefixFill} bytes of a length prefix`, '4 bytes');
  }

  #read(chunk: Uint8Array): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < chunk.length; ) {
      if (!this.#body) {
        const n = Math.min(4 - this.#prefixFill, chunk.length - i);
        this.#prefix.set(chunk.subarray(i, i + n), this.#prefixFill);
        this.#prefixFill += n;
        i += n;
        if (this.#prefixFill < 4) break;
        this.#body = new Uint8Array(this.#length()); // checked against the limit before this allocation
        this.#prefixFill = 0;
        this.#bodyFill = 0;
      }
      const n = Math.min(this.#body.length - this.#bodyFill, chunk.length - i);
      this.#body.set(chunk.subarray(i, i + n), this.#bodyFill);
      this.#bodyFill += n;
      i += n;
      if (this.#bodyFill < this.#body.length) break;
      out.push(parseJson('NativeMessageReader: message', this.#body));
      this.#body = undefined;
      this.#bodyFill = 0;
    }
    return out;
  }

  #length(): number {
    const len = new DataView(this.#prefix.buffer).getUint32(0, LITTLE_ENDIAN);
    const seen = `the prefix was ${hex(this.#prefix)}`;
    if (len > this.maxMessageBytes) throw new TooLargeError('NativeMessageReader: message length', len, this.maxMessageBytes, `maxMessageBytes; ${seen}: is stdin a browser?`);
    if (len < 2) throw new InvalidInputError('NativeMessageReader: message length', String(len), `at least 2 bytes of JSON (${seen})`);
    return len;
  }
}

/** An `infer` for native messaging: the payload inline as base64 (`data`); browser→host fits one message. */
export function attachNativePayload(header: InferMessage, payload: ArrayBufferView): InferMessage {
  const bytes = bytesOf(payload);
  return parseMessage({ ...header, payloadBytes: bytes.length, data: encodeBase64(bytes) }) as InferMessage;
}

/** The header without `data`, and the decoded payload, checked against `payloadBytes`. */
export function detachNativePayload(message: InferMessage): { header: InferMessage; payload: Uint8Array } {
  const { data, ...header } = message;
  if (data === undefined) throw new InvalidInputError('detachNativePayload: infer.data', 'nothing (the field is missing)', 'the payload as base64');
  const payload = decodeBase64(data, 'detachNativePayload: infer.data');
  if (payload.length !== header.payloadBytes) throw new InvalidInputError('detachNativePayload: infer.data', `${payload.length} bytes`, `${header.payloadBytes} (payloadBytes)`);
  return { header, payload };
}

/**
 * A result as native messages: the `result` header, then `result_chunk`s whose encoded size (prefix included) is
 * under `maxMessageBytes` (default 1,000,000), because a host→browser message must stay under 1 MB.
 */
export function chunkNativeResult(header: ResultMessage, payload: ArrayBufferView, maxMessageBytes = NATIVE_CHUNK_BYTES): HostMessage[] {
  const bytes = bytesOf(payload);
  const head = parseMessage({ ...header, payloadBytes: bytes.length }) as ResultMessage;
  const big = Number.MAX_SAFE_INTEGER; // the widest index and count, so the overhead is an upper bound
  const overhead = 4 + utf8.encode(JSON.stringify({ type: 'result_chunk', id: head.id, index: big, count: big, data: '' })).length;
  const raw = Math.floor((maxMessageBytes - 1 - overhead) / 4) * 3; // 3 raw bytes → 4 base64 characters
  if (raw <= 0) throw new InvalidInputError('chunkNativeResult: maxMessageBytes', String(maxMessageBytes), `more than ${overhead + 4} bytes`);
  const count = Math.ceil(bytes.length / raw);
  const chunks: ResultChunkMessage[] = [];
  for (let index = 0; index < count; index++) {
    chunks.push({ type: 'result_chunk', id: head.id, index, count, data: encodeBase64(bytes.subarray(index * raw, (index + 1) * raw)) });
  }
  return [head, ...chunks];
}

/** Rebuilds results from native messages: chunks must come in order, all of them, with the header's byte count. */
export class NativeResultAssembler {
  readonly maxPayloadBytes: number;
  readonly #pending = new Map<number, { header: ResultMessage; payload: Uint8Array; next: number; count?: number; filled: number }>();

  constructor(options: { maxPayloadBytes?: number } = {}) {
    this.maxPayloadBytes = options.maxPayloadBytes ?? NATIVE_MAX_TO_HOST_BYTES;
  }

  /** Ids of results still waiting for chunks (a lost last chunk shows here, or by the caller's timeout). */
  get pending(): number[] {
    return [...this.#pending.keys()];
  }

  /** Forgets a result (an `error` or a cancel for its id). */
  drop(id: number): void {
    this.#pending.delete(id);
  }

  /** Takes a `result` or `result_chunk`; returns the complete result when its last chunk arrives. */
  push(message: ResultMessage | ResultChunkMessage): { header: ResultMessage; payload: Uint8Array } | undefined {
    const w = `NativeResultAssembler: ${message.type} ${message.id}`;
    if (message.type === 'result') {
      if (this.#pending.has(message.id)) throw new InvalidInputError(w, 'a second result header', 'the chunks of the first');
      if (message.payloadBytes > this.maxPayloadBytes) throw new TooLargeError(`${w}.payloadBytes`, message.payloadBytes, this.maxPayloadBytes, 'maxPayloadBytes');
      if (message.payloadBytes === 0) return { header: message, payload: new Uint8Array(0) };
      this.#pending.set(message.id, { header: message, payload: new Uint8Array(message.payloadBytes), next: 0, filled: 0 });
      return undefined;
    }
    const r = this.#pending.get(message.id);
    if (!r) throw new InvalidInputError(w, `chunk ${message.index}`, 'a result header first');
    try {
      return this.#add(w, r, message);
    } catch (e) {
      this.#pending.delete(message.id); // the result cannot be completed any more
      throw e;
    }
  }

  #add(w: string, r: { header: ResultMessage; payload: Uint8Array; next: number; count?: number; filled: number }, c: ResultChunkMessage) {
    r.count ??= c.count;
    if (c.count !== r.count) throw new InvalidInputError(`${w}.count`, String(c.count), `${r.count} (the count of chunk 0)`);
    if (c.index !== r.next) {
      const what = c.index > r.next ? `chunk${c.index - r.next > 1 ? 's' : ''} ${r.next}${c.index - r.next > 1 ? `–${c.index - 1}` : ''} missing` : 'a repeated chunk';
      throw new InvalidInputError(`${w}.index`, `${c.index} (${what})`, `${r.next}`);
    }
    const bytes = decodeBase64(c.data, `${w}.data`);
    if (r.filled + bytes.length > r.payload.length) throw new InvalidInputError(`${w}.data`, `${r.filled + bytes.length} bytes so far`, `${r.payload.length} (payloadBytes)`);
    r.payload.set(bytes, r.filled);
    r.filled += bytes.length;
    r.next++;
    if (r.next < r.count) return undefined;
    this.#pending.delete(c.id);
    if (r.filled !== r.payload.length) throw new InvalidInputError(`${w}.data`, `${r.filled} bytes in ${r.count} chunks`, `${r.payload.length} (payloadBytes)`);
    return { header: r.header, payload: r.payload };
  }
}
