// SPDX-License-Identifier: MIT
// Security checks of `anyml host` (a local inference server on 127.0.0.1): bind address, Host and Origin headers,
// the hello deadline, log redaction and size limits; the per-user token file is ./token.ts.
import { AnymlError } from 'anyml';

/** Why the host refused something; the server maps these to its wire error codes. */
export type RefusalCode =
  | 'FORBIDDEN_BIND'
  | 'FORBIDDEN_HOST'
  | 'FORBIDDEN_ORIGIN'
  | 'UNAUTHORIZED'
  | 'TOO_LARGE'
  | 'BAD_REQUEST'
  | 'UNSAFE_TOKEN_FILE';

/** An error of the host's security layer. The message says what was wrong and how to fix it; never the token. */
export class HostSecurityError extends AnymlError {
  declare readonly code: RefusalCode;
  constructor(code: RefusalCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'HostSecurityError';
  }
}

/** The result of a check that a server answers with a refusal rather than an exception. */
export type CheckResult = { ok: true } | { ok: false; code: RefusalCode; reason: string };

const refuse = (code: RefusalCode, reason: string): CheckResult => ({ ok: false, code, reason });

/** The names `checkBind` accepts without `allowRemote`: the loopback interfaces only. */
export const LOOPBACK_BIND = ['127.0.0.1', '::1', 'localhost'] as const;

/**
 * Checks the address the server listens on. Loopback is the default because any other address exposes the host to
 * the network (Jupyter Server binds localhost by default for this reason; its security docs:
 * https://jupyter-server.readthedocs.io/en/latest/operators/security.html). `localhost` is accepted because
 * RFC 6761 §6.3 reserves it for loopback.
 *
 * @returns `undefined` for loopback, a warning to print when `allowRemote` admits another address.
 * @throws HostSecurityError (`FORBIDDEN_BIND`) for a non-loopback address without `allowRemote`.
 * @example
 * const warning = checkBind(opts.host, opts.allowRemote); if (warning) console.warn(warning);
 */
export function checkBind(host: string, allowRemote: boolean): string | undefined {
  const h = host.trim().toLowerCase();
  if (h === '') throw new HostSecurityError('FORBIDDEN_BIND', 'anyml host: empty bind address; use 127.0.0.1');
  if ((LOOPBACK_BIND as readonly string[]).includes(h)) return undefined;
  if (!allowRemote) {
    throw new HostSecurityError(
      'FORBIDDEN_BIND',
      `anyml host: refusing to listen on ${JSON.stringify(host)}: only loopback (${LOOPBACK_BIND.join(', ')}) is allowed, ` +
        'because any other address lets other machines reach the host; pass --allow-remote to override',
    );
  }
  return (
    `anyml host: listening on ${host}, reachable beyond this machine (--allow-remote): ` +
    'anyone who can reach this port and has the token can run inference; prefer 127.0.0.1 behind an SSH tunnel'
  );
}

/**
 * Checks the HTTP `Host` header against the loopback names with the server's port: the defence against DNS
 * rebinding, where a page on `evil.example` re-points its name at 127.0.0.1 and its requests then carry
 * `Host: evil.example:P` (ollama and Jupyter apply the same check). A missing or empty Host is refused too: HTTP/1.1
 * requires it (RFC 9110 §7.2) and an empty one was an actual bypass elsewhere.
 *
 * @example
 * const r = checkHostHeader(req.headers.host, 47113); if (!r.ok) return reply(403, r.reason);
 */
export function checkHostHeader(host: string | undefined, port: number): CheckResult {
  if (host === undefined || host.trim() === '') return refuse('FORBIDDEN_HOST', 'missing or empty Host header');
  // Host names are case-insensitive (RFC 9110 §4.2.3); the port must be the one we listen on, written plainly.
  const h = host.trim().toLowerCase();
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  if (allowed.includes(h)) return { ok: true };
  return refuse('FORBIDDEN_HOST', `Host ${clip(host)} is not one of ${allowed.join(', ')}`);
}

// What an allow-list entry may look like: a serialised origin (scheme://host[:port], no path, no trailing slash,
// no wildcard), as browsers send it (https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin).
const ORIGIN_RE = new RegExp(
  '^(?:' +
    ['https?://(?:[a-z0-9-]+(?:\\.[a-z0-9-]+)*|\\[[0-9a-f:.]+\\])(?::\\d{1,5})?', // web page
     'chrome-extension://[a-p]{32}', // Chrome/Chromium extension (32 letters a–p)
     'moz-extension://[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', // Firefox's per-install UUID
    ].join('|') +
    ')$',
);

/**
 * Validates an Origin allow-list from the configuration, so that a typo (`http://localhost:5173/`, `*`,
 * `https://*.example.com`, `null`) fails at start-up instead of silently never matching or matching too much.
 * `null` is refused because every sandboxed frame and `file://` page sends it.
 */
export function checkAllowList(allowList: readonly string[]): void {
  for (const entry of allowList) {
    if (!ORIGIN_RE.test(entry)) {
      throw new HostSecurityError(
        'FORBIDDEN_ORIGIN',
        `anyml host: allowed origin ${JSON.stringify(entry)} is not a serialised origin: write scheme://host[:port] in ` +
          'lowercase with no path, trailing slash or wildcard (e.g. http://localhost:5173, chrome-extension://<32 letters a-p>)',
      );
    }
  }
}

/** Options of `checkOrigin`. */
export interface OriginOptions {
  /**
   * Admit a request without an `Origin` header. Browsers always send one on WebSocket upgrades (RFC 6455 §4.1, §10.2)
   * and on CORS requests, so only non-browser clients (Node programs) omit it — and such clients can also write any
   * Origin they like, so the Origin check protects against web pages only. Non-browser clients must still present
   * the token. Default false.
   */
  allowMissing?: boolean;
}

/**
 * Checks the `Origin` header by exact string equality with an allow-list entry. WebSockets are not covered by CORS,
 * so without this any page could open a socket to the host (cross-site WebSocket hijacking, RFC 6455 §10.2).
 * Exact equality, not prefixes or patterns: `http://127.0.0.1:8080.evil.com` starts with an allowed origin.
 *
 * @example
 * const r = checkOrigin(req.headers.origin, config.origins, { allowMissing: true });
 */
export function checkOrigin(origin: string | undefined, allowList: readonly string[], options: OriginOptions = {}): CheckResult {
  if (origin === undefined || origin === '') {
    if (options.allowMissing) return { ok: true };
    return refuse('FORBIDDEN_ORIGIN', 'missing Origin header (clients without one are not enabled)');
  }
  if (origin !== 'null' && allowList.includes(origin)) return { ok: true };
  return refuse('FORBIDDEN_ORIGIN', `Origin ${clip(origin)} is not in the allow-list`);
}

/** A client-supplied value, cut short and without control characters, fit for one log line. */
function clip(value: string, max = 120): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return JSON.stringify(clean.length > max ? clean.slice(0, max) + '…' : clean);
}

/** A deadline for the first message (the hello with the token). */
export interface HelloTimer {
  /** Call when a valid hello arrived: true if in time (the timer stops), false if the deadline had already passed. */
  done(): boolean;
  /** Stops the timer without a verdict (the connection closed first). */
  cancel(): void;
  readonly expired: boolean;
}

/**
 * Starts the "token in the first message within `ms`" deadline: a connection that neither authenticates nor closes
 * would otherwise hold one of the few connection slots forever (a slow-loris). `onTimeout` closes the connection.
 * The timer is unref'd so it never keeps the process alive.
 *
 * @example
 * const hello = createHelloTimer(limits.helloMs, () => ws.close(1008, 'no hello'));
 */
export function createHelloTimer(ms = 2000, onTimeout: () => void = () => {}): HelloTimer {
  let expired = false;
  let settled = false;
  const timer = setTimeout(() => {
    if (settled) return;
    expired = true;
    settled = true;
    onTimeout();
  }, ms);
  timer.unref?.();
  return {
    done() {
      if (expired) return false;
      settled = true;
      clearTimeout(timer);
      return true;
    },
    cancel() {
      settled = true;
      clearTimeout(timer);
    },
    get expired() {
      return expired;
    },
  };
}

/**
 * Replaces every occurrence of the token (in any letter case: hex compared case-blind is still the secret) with
 * `[token]`. Only the exact token is removed: blanking every 64-hex string would also erase model sha256 sums.
 */
export function redact(text: string, token: string): string {
  if (token === '') return text;
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(escaped, 'gi'), '[token]');
}

/** One refused request or connection. */
export interface Refusal {
  time: Date;
  remote: string;
  reason: string;
}

/**
 * Keeps the last `capacity` refusals (bounded, so a flood cannot grow memory) and writes one line per refusal through
 * `logger`. The reason is redacted and clipped: it may quote client-supplied headers. Never pass the presented token
 * in a reason — a wrong token can be an old real one; say "bad token" instead.
 */
export class RefusalLog {
  readonly #entries: Refusal[] = [];
  constructor(
    private readonly logger: (line: string) => void,
    private readonly token: string,
    private readonly capacity = 100,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records and logs one refusal; returns the stored entry. */
  record(remote: string, reason: string): Refusal {
    const entry: Refusal = {
      time: this.now(),
      remote: redact(remote, this.token).replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 80),
      reason: redact(reason, this.token).replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 300),
    };
    this.#entries.push(entry);
    if (this.#entries.length > this.capacity) this.#entries.shift();
    this.logger(`${entry.time.toISOString()} anyml host: refused ${entry.remote}: ${entry.reason}`);
    return entry;
  }

  /** The kept refusals, oldest first. */
  entries(): readonly Refusal[] {
    return [...this.#entries];
  }
}

/** The host's limits. Sizes in bytes, times in milliseconds. */
export interface HostLimits {
  /** One WebSocket message (ws's default maxPayload is 100 MiB: far more than one request needs). */
  maxMessageBytes: number;
  /** width × height × depth of one request: bounds the float32 buffer (8192² → 256 MiB). */
  maxImagePixels: number;
  /** Requests waiting per connection before `BUSY`. */
  queueDepth: number;
  helloMs: number;
  loadMs: number;
  inferMs: number;
}

export const DEFAULT_LIMITS: Readonly<HostLimits> = Object.freeze({
  maxMessageBytes: 16 * 1024 * 1024,
  maxImagePixels: 8192 * 8192,
  queueDepth: 4,
  helloMs: 2_000,
  loadMs: 120_000,
  inferMs: 30_000,
});

/**
 * Checks an image's dimensions before any buffer is allocated: each a positive integer, and width × height × depth
 * within `maxImagePixels`. A request larger than one message arrives in several (the protocol's concern); this bounds
 * what the host holds for one request.
 *
 * @throws HostSecurityError `BAD_REQUEST` (not a positive integer) or `TOO_LARGE`.
 */
export function checkImageSize(width: number, height: number, depth: number, limits: Pick<HostLimits, 'maxImagePixels'> = DEFAULT_LIMITS): void {
  for (const [name, v] of [['width', width], ['height', height], ['depth', depth]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new HostSecurityError('BAD_REQUEST', `image ${name}: got ${String(v)}, expected a positive integer`);
    }
  }
  const pixels = width * height * depth;
  if (pixels > limits.maxImagePixels) {
    throw new HostSecurityError(
      'TOO_LARGE',
      `image ${width}×${height}×${depth} = ${pixels} pixels exceeds the host's limit of ${limits.maxImagePixels}; ` +
        'send fewer slices per request or a smaller image',
    );
  }
}
