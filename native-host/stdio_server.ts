// SPDX-License-Identifier: MIT
// The host's native-messaging front end (Chrome "Native messaging", MDN "Native messaging"): the browser starts the
// host with the calling extension's origin as an argument and talks over stdin / stdout, 4-byte length + JSON.
// The browser has already vetted the caller against the manifest's allowed_origins / allowed_extensions, so no token
// is asked for; the host still checks the caller against its own allow-list when one is given, and applies the same
// message and image limits. Results go back as `result` + `result_chunk`s under 1 MB each.
import type { Readable, Writable } from 'node:stream';
import {
  chunkNativeResult, detachNativePayload, encodeNativeMessage, type HostMessage, hostError, type InferMessage, NATIVE_MAX_TO_HOST_BYTES, NativeMessageReader, parseMessage,
  PROTOCOL_VERSION, toHostError,
} from 'anyml';
import { checkImageSize, DEFAULT_LIMITS, type HostLimits, HostSecurityError } from './security.js';
import type { Dispatcher } from './ws_server.js';

export interface StdioServerOptions {
  /** The caller the browser named (argv: `chrome-extension://<id>/`, or Firefox's add-on id). */
  caller?: string;
  /** Callers allowed (exact); empty: whoever the browser's manifest admitted. */
  allowCallers?: readonly string[];
  limits?: Partial<HostLimits>;
  hostVersion?: string;
  log?: (line: string) => void;
}

/** One browser connection: hello first, then infer / cancel / ping. */
class Session {
  private readonly jobs = new Map<number, AbortController>();
  private greeted = false;

  constructor(private readonly d: Dispatcher, private readonly write: (m: HostMessage) => void, private readonly o: StdioServerOptions, private readonly limits: HostLimits, private readonly log: (line: string) => void) {}

  onMessage(json: unknown): void {
    let m: HostMessage;
    try {
      m = parseMessage(json, 'client');
    } catch (e) {
      return this.write(toHostError(e));
    }
    if (!this.greeted) return this.onHello(m);
    if (m.type === 'ping') return this.write({ type: 'pong', t: m.t });
    if (m.type === 'cancel') return void this.jobs.get(m.id)?.abort();
    if (m.type === 'infer') return void this.infer(m);
    this.write(hostError('BAD_REQUEST', `message type '${m.type}' is not served here`));
  }

  private onHello(m: HostMessage): void {
    if (m.type !== 'hello') return this.write(hostError('UNAUTHORIZED', `first message was '${m.type}', expected 'hello'`));
    const allow = this.o.allowCallers ?? [];
    if (allow.length && !(this.o.caller !== undefined && allow.includes(this.o.caller))) {
      this.log(`anyml host: refused native-messaging caller ${this.o.caller ?? '(none)'}: not in the allow-list`);
      return this.write(hostError('UNAUTHORIZED', 'caller not allowed'));
    }
    this.greeted = true;
    this.write({ type: 'welcome', protocol: PROTOCOL_VERSION, hostVersion: this.o.hostVersion ?? '0', providers: this.d.providers() });
  }

  private async infer(m: InferMessage): Promise<void> {
    let header: InferMessage;
    let payload: Uint8Array;
    try {
      checkImageSize(m.width, m.height, m.depth, this.limits);
      ({ header, payload } = detachNativePayload(m));
    } catch (e) {
      const code = e instanceof HostSecurityError && e.code === 'TOO_LARGE' ? 'TOO_LARGE' : 'BAD_REQUEST';
      return this.write(hostError(code, (e as Error).message, m.id));
    }
    if (this.jobs.size >= this.limits.queueDepth) return this.write(hostError('BUSY', `${this.jobs.size} requests in flight`, m.id));
    const ac = new AbortController();
    this.jobs.set(m.id, ac);
    try {
      const r = await this.d.infer(header, new Float32Array(payload.slice().buffer), ac.signal);
      const res = { type: 'result', id: m.id, provider: r.provider, width: m.width, height: m.height, stages: r.stages, payloadBytes: r.data.byteLength } as const;
      for (const msg of chunkNativeResult(res as Parameters<typeof chunkNativeResult>[0], r.data)) this.write(msg);
    } catch (e) {
      this.write(ac.signal.aborted ? hostError('CANCELLED', `request ${m.id} cancelled`, m.id) : toHostError(e, m.id));
    } finally {
      this.jobs.delete(m.id);
    }
  }

  end(): void {
    for (const c of this.jobs.values()) c.abort();
  }
}

/** Serves one browser connection until stdin ends; resolves then (the browser closed the port). */
export function serveNativeMessaging(d: Dispatcher, input: Readable, output: Writable, o: StdioServerOptions = {}): Promise<void> {
  const limits: HostLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  // A payload travels as base64 here (4/3 of its bytes), within the browser's own 64 MiB limit.
  const reader = new NativeMessageReader({ maxMessageBytes: Math.min(NATIVE_MAX_TO_HOST_BYTES, Math.ceil((limits.maxMessageBytes * 4) / 3) + 65536) });
  const session = new Session(d, (m) => output.write(encodeNativeMessage(m)), o, limits, log);
  return new Promise((resolve, reject) => {
    input.on('data', (chunk: Buffer) => {
      try {
        for (const json of reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) session.onMessage(json);
      } catch (e) {
        log(`anyml host: native messaging stream refused: ${(e as Error).message}`);
        input.destroy();
        reject(e);
      }
    });
    input.on('end', () => (session.end(), resolve()));
  });
}
