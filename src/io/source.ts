// SPDX-License-Identifier: MIT
// Turns any supported input (string, bytes, Blob, stream, async iterable) into plain-text byte chunks: gzip, BOM, abort.

import { AbortError, AnymlError, InvalidInputError } from '../errors.js';

/** Anything the readers accept as input. A `File` is a `Blob`. */
export type ByteSource =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

/**
 * A gzip decoder: compressed chunks in, decompressed chunks out. It must throw (from the returned iterable) on a
 * truncated or corrupt stream. The default uses the web-standard `DecompressionStream('gzip')`; under Node,
 * `nodeGunzip` from `anyml/node` is several times faster.
 */
export type Gunzip = (compressed: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>;

/** Options every reader shares. */
export interface SourceOptions {
  /** Name used in error locations (`name:line:column`). Default `'<input>'`. */
  name?: string;
  /** Called as input is consumed with the number of source bytes read so far (compressed bytes for gzip input). */
  onProgress?: (bytesRead: number) => void;
  /** Cancels the parse; checked between chunks. The promise then rejects with `AbortError`. */
  signal?: AbortSignal;
  /** Replaces the default gzip decoder (see {@link Gunzip}). */
  gunzip?: Gunzip;
}

/** Every SourceOptions key (the compiler keeps this list complete). */
export const SOURCE_OPTION_KEYS = Object.keys({ name: 1, onProgress: 1, signal: 1, gunzip: 1 } satisfies Record<keyof SourceOptions, 1>);

/** Slice size for in-memory inputs, so that progress and abort work on large buffers too. */
const SLICE = 1 << 20;

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return x != null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

async function* fromStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      yield r.value;
    }
    done = true;
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function* fromString(s: string): Generator<Uint8Array> {
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; ) {
    let j = Math.min(s.length, i + SLICE);
    const c = s.charCodeAt(j - 1);
    if (j < s.length && c >= 0xd800 && c <= 0xdbff) j--; // keep a surrogate pair together
    yield enc.encode(s.slice(i, j));
    i = j;
  }
}

function* fromBytes(b: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < b.length; i += SLICE) yield b.subarray(i, Math.min(b.length, i + SLICE));
}

/** Raw chunks of any source, unprocessed. Throws InvalidInputError for an unsupported source or chunk type. */
async function* rawChunks(source: ByteSource, where: string): AsyncGenerator<Uint8Array> {
  let it: AsyncIterable<unknown> | Iterable<unknown>;
  if (typeof source === 'string') it = fromString(source);
  else if (source instanceof Uint8Array) it = fromBytes(source);
  else if (source instanceof ArrayBuffer) it = fromBytes(new Uint8Array(source));
  else if (typeof Blob !== 'undefined' && source instanceof Blob) it = fromStream(source.stream());
  else if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) it = fromStream(source);
  else if (isAsyncIterable(source)) it = source;
  else {
    const got = source === null ? 'null' : typeof source === 'object' ? source.constructor?.name ?? 'object' : typeof source;
    throw new InvalidInputError(where, got, 'a string, Uint8Array, ArrayBuffer, Blob, ReadableStream or AsyncIterable');
  }
  const enc = new TextEncoder();
  for await (const chunk of it) {
    if (chunk instanceof Uint8Array) yield chunk;
    else if (typeof chunk === 'string') yield enc.encode(chunk);
    else if (ArrayBuffer.isView(chunk)) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else throw new InvalidInputError(where, `a chunk of type ${typeof chunk}`, 'Uint8Array chunks');
  }
}

/** Coalesces leading chunks until at least `n` bytes are available (or the input ends), so magic bytes can be read. */
async function* withHead(src: AsyncIterable<Uint8Array>, n: number): AsyncGenerator<Uint8Array> {
  let head: Uint8Array | null = new Uint8Array(0);
  for await (const chunk of src) {
    if (head === null) {
      yield chunk;
      continue;
    }
    if (chunk.length === 0) continue;
    if (head.length === 0 && chunk.length >= n) head = chunk;
    else {
      const h: Uint8Array = new Uint8Array(head.length + chunk.length);
      h.set(head);
      h.set(chunk, head.length);
      head = h;
    }
    if (head.length >= n) {
      yield head;
      head = null;
    }
  }
  if (head !== null && head.length > 0) yield head;
}

/**
 * The default gzip decoder: the web-standard `DecompressionStream('gzip')` (browsers, workers, Node ≥ 18).
 *
 * @example
 * ```ts
 * for await (const chunk of webGunzip(compressedChunks)) console.log(chunk.length);
 * ```
 */
export const webGunzip: Gunzip = (compressed) => {
  if (typeof DecompressionStream === 'undefined') {
    throw new AnymlError('INVALID_INPUT', 'gzip input needs DecompressionStream, which this runtime lacks');
  }
  const it = compressed[Symbol.asyncIterator]();
  const rs = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      const r = await it.next();
      if (r.done) ctrl.close();
      else ctrl.enqueue(r.value);
    },
    async cancel() {
      await it.return?.();
    },
  });
  return fromStream(rs.pipeThrough(new DecompressionStream('gzip') as ReadableWritablePair<Uint8Array, Uint8Array>));
};

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError('the parse was aborted');
}

async function* prepend(first: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield first;
    for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
  } finally {
    await rest.return?.();
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Records the first error the source itself threw, so that it can be told apart from a decoder error. */
interface SourceFailure {
  failed: boolean;
  error: unknown;
}

/** Runs `gunzip`, turning its failures into InvalidInputError; an error of the source itself is rethrown as is. */
async function* guardedGunzip(
  gunzip: Gunzip,
  compressed: AsyncIterable<Uint8Array>,
  name: string,
  source: SourceFailure,
): AsyncGenerator<Uint8Array> {
  try {
    yield* gunzip(compressed);
  } catch (e) {
    if (source.failed) throw source.error;
    if (e instanceof AnymlError) throw e;
    throw new InvalidInputError(name, 'a truncated or corrupt gzip stream', 'a complete gzip file', `cannot decompress (${message(e)})`);
  }
}

/**
 * The decompressed bytes of `source`, chunk by chunk, without a UTF-8 byte-order mark. Gzip input is recognised by
 * its magic bytes 1f 8b. `fn` names the calling function in errors about the source itself.
 */
export async function* textChunks(source: ByteSource, opts: SourceOptions, fn: string): AsyncGenerator<Uint8Array> {
  const { signal, onProgress } = opts;
  checkAbort(signal);
  let bytesRead = 0;
  const failure: SourceFailure = { failed: false, error: undefined };
  async function* counted(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of rawChunks(source, `${fn}: source`)) {
        checkAbort(signal);
        bytesRead += chunk.length;
        onProgress?.(bytesRead);
        yield chunk;
      }
    } catch (e) {
      if (!failure.failed) Object.assign(failure, { failed: true, error: e });
      throw e;
    }
  }
  const head = withHead(counted(), 3);
  const first = await head.next();
  if (first.done) return;
  let text: AsyncIterable<Uint8Array> = prepend(first.value, head);
  if (first.value[0] === 0x1f && first.value[1] === 0x8b) {
    text = withHead(guardedGunzip(opts.gunzip ?? webGunzip, text, opts.name ?? '<input>', failure), 3);
  }
  let atStart = true;
  for await (let chunk of text) {
    checkAbort(signal);
    // Plain Uint8Array views (not Buffer subclasses) keep the parsers' element loads monomorphic.
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (atStart) {
      atStart = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    yield chunk;
  }
}
