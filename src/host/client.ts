// SPDX-License-Identifier: MIT
// The client of `anyml host` (docs/host.md), for pages and Node alike: connect with the token in the first message,
// then one infer per image over binary frames. Errors carry the host's code and its fallback flag, which `denoise`
// reads to run locally instead.
import { platform } from '#platform';
import { AnymlError, InvalidInputError } from '../errors.js';
import type { WebSocketLike } from '../platform/types.js';
import type { Image } from '../types.js';
import { decodeFrame, encodeFrame, type Frame, payloadAsFloat32 } from './framing.js';
import { DEFAULT_PORT, ERROR_CODES, type ErrorCode, type HostMessage, PROTOCOL_VERSION, type ProviderInfo, type Stages } from './protocol.js';

/** A failure the host reported (or the connection's): `fallback` says the caller may run the work locally. */
export class HostError extends AnymlError {
  declare readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly fallback: boolean;
  constructor(code: ErrorCode, message: string, flags?: { retryable?: boolean; fallback?: boolean; cause?: unknown }) {
    super(code, message, flags?.cause !== undefined ? { cause: flags.cause } : undefined);
    this.name = 'HostError';
    this.retryable = flags?.retryable ?? ERROR_CODES[code].retryable;
    this.fallback = flags?.fallback ?? ERROR_CODES[code].fallback;
  }
}

export interface ConnectHostOptions {
  /** Default ws://127.0.0.1:47113. */
  url?: string;
  token: string;
  /** Connect + hello + welcome deadline, ms (default 300: a missing host must not delay local work). */
  timeoutMs?: number;
  client?: string;
}

export interface HostResult {
  /** One slice, width × height. */
  data: Float32Array;
  provider: string;
  stages: Stages & { transfer: number };
}

export interface HostHandle {
  readonly url: string;
  readonly providers: readonly ProviderInfo[];
  /** Runs `image` (on the 0…255 scale) on the host; rejects with HostError. */
  infer(image: Image, opts?: { provider?: string; signal?: AbortSignal }): Promise<HostResult>;
  close(): void;
}

type Waiter = { resolve: (f: Frame) => void; reject: (e: Error) => void };

/** Parses `anyml host pair --json` output as well as an options object. */
function options(o: ConnectHostOptions | string): ConnectHostOptions {
  const opts = typeof o === 'string' ? (JSON.parse(o) as ConnectHostOptions) : o;
  if (!opts || typeof opts.token !== 'string' || !opts.token) throw new InvalidInputError('connectHost: token', String(opts?.token), 'the token that `anyml host pair` prints');
  return opts;
}

class Connection implements HostHandle {
  providers: ProviderInfo[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  private hello?: Waiter;
  private closedWith?: HostError;

  constructor(readonly url: string, private readonly ws: WebSocketLike) {
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', (ev) => this.onFrame(decodeFrame(new Uint8Array(ev.data as ArrayBuffer))));
    ws.addEventListener('close', (ev) => this.fail(new HostError('DEVICE_LOST', `anyml host: connection closed (code ${ev.code})`, { fallback: true })));
    ws.addEventListener('error', () => this.fail(new HostError('PROVIDER_UNAVAILABLE', `anyml host: cannot reach ${url}`)));
  }

  private fail(e: HostError): void {
    this.closedWith ??= e;
    this.hello?.reject(e);
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  private onFrame(f: Frame): void {
    const m = f.header;
    if (m.type === 'welcome' || (m.type === 'error' && m.id === undefined)) return void this.hello?.resolve(f);
    const id = (m as { id?: number }).id;
    if (id === undefined || m.type === 'progress') return;
    this.waiting.get(id)?.resolve(f);
    this.waiting.delete(id);
  }

  greet(token: string, client: string): Promise<Frame> {
    return new Promise<Frame>((resolve, reject) => {
      this.hello = { resolve, reject };
      this.ws.addEventListener('open', () => this.ws.send(encodeFrame({ type: 'hello', protocol: PROTOCOL_VERSION, client, token })));
    });
  }

  async infer(image: Image, opts: { provider?: string; signal?: AbortSignal } = {}): Promise<HostResult> {
    if (this.closedWith) throw this.closedWith;
    const id = this.nextId++;
    const t0 = performance.now();
    const header = { type: 'infer', id, width: image.width, height: image.height, depth: image.depth, dtype: 'float32', ...(opts.provider ? { provider: opts.provider } : {}) } as HostMessage;
    const reply = new Promise<Frame>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    opts.signal?.addEventListener('abort', () => this.ws.send(encodeFrame({ type: 'cancel', id })), { once: true });
    this.ws.send(encodeFrame(header, image.data));
    const f = await reply;
    const m = f.header;
    if (m.type === 'error') throw new HostError(m.code, `anyml host: ${m.message}`, m);
    if (m.type !== 'result' || !f.payload) throw new HostError('INTERNAL', `anyml host: unexpected '${m.type}' for request ${id}`);
    // A view of the received message, which is this connection's alone: no copy.
    const data = payloadAsFloat32(f);
    const host = m.stages.total;
    return { data, provider: m.provider, stages: { ...m.stages, transfer: Math.max(0, performance.now() - t0 - host) } };
  }

  close(): void {
    this.ws.close(1000, 'client done');
  }
}

/**
 * Connects to a running `anyml host` (its url and token, or the JSON line `anyml host pair --json` prints). Rejects
 * with HostError PROVIDER_UNAVAILABLE (fallback: true) when no host answers within `timeoutMs`.
 */
export async function connectHost(o: ConnectHostOptions | string): Promise<HostHandle> {
  const opts = options(o);
  const url = opts.url ?? `ws://127.0.0.1:${DEFAULT_PORT}`;
  const WS = await platform.webSocket();
  const c = new Connection(url, new WS(url));
  const ms = opts.timeoutMs ?? 300;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new HostError('PROVIDER_UNAVAILABLE', `anyml host: no answer from ${url} within ${ms} ms`)), ms)));
  try {
    const f = await Promise.race([c.greet(opts.token, opts.client ?? 'anyml'), timeout]);
    if (f.header.type === 'error') throw new HostError(f.header.code, `anyml host: ${f.header.message}`, f.header);
    if (f.header.type !== 'welcome') throw new HostError('INTERNAL', `anyml host: expected welcome, got '${f.header.type}'`);
    c.providers = f.header.providers;
    return c;
  } catch (e) {
    c.close();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
