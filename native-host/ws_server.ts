// SPDX-License-Identifier: MIT
// The host's WebSocket front end (the `ws` package) on loopback: every check of docs/host.md runs before a request
// reaches the dispatcher — bind address, Host header (DNS rebinding) and Origin at the upgrade, then the token in the
// first message within the hello deadline, then message and image size. Frames: src/host/framing.ts.
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { decodeFrame, encodeFrame, encodeFrameParts, type HostMessage, hostError, type InferMessage, payloadAsFloat32, PROTOCOL_VERSION, type ProviderInfo, type Stages, toHostError } from 'anyml';
import { WebSocket, WebSocketServer } from 'ws';
import { checkBind, checkHostHeader, checkImageSize, checkOrigin, createHelloTimer, DEFAULT_LIMITS, type HostLimits, HostSecurityError, RefusalLog } from './security.js';
import { tokensEqual } from './token.js';

/** What the front end hands requests to (the scheduler, or a test double). */
export interface Dispatcher {
  providers(): ProviderInfo[];
  infer(req: InferMessage, data: Float32Array, signal: AbortSignal): Promise<{ provider: string; data: Float32Array; stages: Stages }>;
}

export interface WsServerOptions {
  token: string;
  host?: string;
  /** 0: any free port (tests). Default 47113. */
  port?: number;
  allowRemote?: boolean;
  /** Exact origins a page may connect from. */
  allowOrigins?: readonly string[];
  /** Admit clients that send no Origin (Node programs; they still need the token). Default true. */
  allowMissingOrigin?: boolean;
  limits?: Partial<HostLimits>;
  hostVersion?: string;
  log?: (line: string) => void;
}

export interface WsServer {
  readonly port: number;
  readonly refusals: RefusalLog;
  close(): Promise<void>;
}

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/** Host and Origin of an upgrade request; the reason when either is refused. */
function upgradeRefusal(req: IncomingMessage, port: number, o: WsServerOptions): string | null {
  const h = checkHostHeader(req.headers.host, port);
  if (!h.ok) return h.reason;
  const origin = checkOrigin(req.headers.origin, o.allowOrigins ?? [], { allowMissing: o.allowMissingOrigin ?? true });
  return origin.ok ? null : origin.reason;
}

/** Frames above this go out as two fragments, so the payload is written from the provider's buffer, not copied. */
const FRAGMENT_FROM_BYTES = 64 * 1024;

function send(ws: WebSocket, header: HostMessage, payload?: Float32Array): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  if (!payload || payload.byteLength < FRAGMENT_FROM_BYTES) return ws.send(encodeFrame(header, payload));
  const { head, body } = encodeFrameParts(header, payload);
  ws.send(head, { binary: true, fin: false });
  ws.send(body, { binary: true, fin: true });
}

/** One connection: hello first (token, deadline), then infer / cancel / ping until it closes. */
class Connection {
  private authed = false;
  private readonly jobs = new Map<number, AbortController>();
  private readonly hello;

  constructor(private readonly ws: WebSocket, private readonly d: Dispatcher, private readonly o: WsServerOptions, private readonly limits: HostLimits, private readonly refusals: RefusalLog, private readonly remote: string) {
    this.hello = createHelloTimer(limits.helloMs, () => this.refuse('no hello with the token within the deadline'));
    ws.on('message', (data: Buffer, isBinary) => this.onMessage(data, isBinary));
    // ws closes the socket itself on protocol errors (an oversize message: 1009); the reason is logged.
    ws.on('error', (e) => this.refusals.record(this.remote, `connection error: ${e.message}`));
    ws.on('close', () => {
      this.hello.cancel();
      for (const c of this.jobs.values()) c.abort();
    });
  }

  private refuse(reason: string): void {
    this.refusals.record(this.remote, reason);
    send(this.ws, hostError('UNAUTHORIZED', reason));
    this.ws.close(4001, 'unauthorized');
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    let frame;
    try {
      if (!isBinary) throw new HostSecurityError('BAD_REQUEST', 'text message: expected a binary frame (docs/host.md)');
      frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), { maxFrameBytes: this.limits.maxMessageBytes });
    } catch (e) {
      if (!this.authed) return this.refuse(`bad first message: ${(e as Error).message}`);
      return send(this.ws, toHostError(e));
    }
    const m = frame.header;
    if (!this.authed) return this.onHello(m);
    if (m.type === 'hello') return send(this.ws, hostError('BAD_REQUEST', 'a second hello on one connection'));
    if (m.type === 'ping') return send(this.ws, { type: 'pong', t: m.t });
    if (m.type === 'cancel') return void this.jobs.get(m.id)?.abort();
    if (m.type === 'infer') return void this.onInfer(m, payloadAsFloat32(frame));
    send(this.ws, hostError('BAD_REQUEST', `message type '${m.type}' is not served here`, 'id' in m ? (m as { id: number }).id : undefined));
  }

  private onHello(m: HostMessage): void {
    if (m.type !== 'hello') return this.refuse(`first message was '${m.type}', expected 'hello'`);
    if (!this.hello.done()) return; // the deadline passed: already refused
    if (!tokensEqual(m.token, this.o.token)) return this.refuse('wrong token');
    this.authed = true;
    send(this.ws, { type: 'welcome', protocol: PROTOCOL_VERSION, hostVersion: this.o.hostVersion ?? '0', providers: this.d.providers() });
  }

  private async onInfer(m: InferMessage, data: Float32Array): Promise<void> {
    try {
      checkImageSize(m.width, m.height, m.depth, this.limits);
    } catch (e) {
      const code = e instanceof HostSecurityError && e.code === 'TOO_LARGE' ? 'TOO_LARGE' : 'BAD_REQUEST';
      return send(this.ws, hostError(code, (e as Error).message, m.id));
    }
    if (this.jobs.size >= this.limits.queueDepth) return send(this.ws, hostError('BUSY', `${this.jobs.size} requests of this connection in flight`, m.id));
    const ac = new AbortController();
    this.jobs.set(m.id, ac);
    try {
      const r = await this.d.infer(m, data, ac.signal);
      send(this.ws, { type: 'result', id: m.id, provider: r.provider, width: m.width, height: m.height, stages: r.stages, payloadBytes: r.data.byteLength } as HostMessage, r.data);
    } catch (e) {
      send(this.ws, ac.signal.aborted ? hostError('CANCELLED', `request ${m.id} cancelled`, m.id) : toHostError(e, m.id));
    } finally {
      this.jobs.delete(m.id);
    }
  }
}

/** Starts the WebSocket front end; resolves once it listens. */
export async function startWsServer(d: Dispatcher, o: WsServerOptions): Promise<WsServer> {
  const host = o.host ?? '127.0.0.1';
  const warning = checkBind(host, o.allowRemote ?? false);
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  if (warning) log(warning);
  const limits: HostLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const refusals = new RefusalLog(log, o.token);
  const http = createServer((_, res) => res.writeHead(426, { 'Content-Type': 'text/plain' }).end('anyml host: WebSocket only\n'));
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });
  let port = 0;
  http.on('upgrade', (req, socket, head) => {
    const reason = upgradeRefusal(req, port, o);
    if (reason) return refusals.record(req.socket.remoteAddress ?? '?', reason), refuseUpgrade(socket, '403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => new Connection(ws, d, o, limits, refusals, req.socket.remoteAddress ?? '?'));
  });
  await new Promise<void>((resolve, reject) => http.once('error', reject).listen(o.port ?? 47113, host, () => resolve()));
  port = (http.address() as { port: number }).port;
  return {
    port,
    refusals,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
}
