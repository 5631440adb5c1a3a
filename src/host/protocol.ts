// SPDX-License-Identifier: MIT
// Protocol v1 of `anyml host`, defined once for the host and its clients (pages, extensions, Node programs): the
// message types, the error codes with their default retry/fallback flags, and `parseMessage`, the strict check of
// every message that crosses the wire. Browser-safe: no node:* imports. Framing lives in framing.ts.
import { isInt, nearest, show } from '../check.js';
import { InvalidInputError } from '../errors.js';

/** The protocol version spoken in `hello`/`welcome` and in the binary frame's magic (framing.ts). */
export const PROTOCOL_VERSION = 1;
/** The host's default TCP port, on 127.0.0.1 only (configurable; below the dynamic range 49152–65535). */
export const DEFAULT_PORT = 47113;

export type ProviderKind = 'cpu' | 'tflite' | 'edgetpu' | 'tensorrt';
export const PROVIDER_KINDS: readonly ProviderKind[] = ['cpu', 'tflite', 'edgetpu', 'tensorrt'];
export type ModelKind = 'tomogan' | 'tomogan-edge';
export const MODEL_KINDS: readonly ModelKind[] = ['tomogan', 'tomogan-edge'];

export interface ProviderInfo {
  name: string;
  kind: ProviderKind;
  /** Which device, in the provider's words (`usb:0`, `pci`, `cuda:0`). */
  device?: string;
  available: boolean;
  /** Why the provider cannot run, when `available` is false. */
  reason?: string;
}
export interface ModelSpec {
  kind: ModelKind;
  /** A model the host knows by name; absent: the host's default for `kind`. */
  name?: string;
}
export interface InferOptions {
  finetune?: boolean;
  scale?: number;
}
/** Milliseconds spent in each stage of one request, as measured by the host. */
export interface Stages {
  transfer?: number;
  queue: number;
  model: number;
  stitch?: number;
  finetune?: number;
  total: number;
}

export interface HelloMessage { type: 'hello'; protocol: 1; client: string; token: string }
export interface WelcomeMessage { type: 'welcome'; protocol: 1; hostVersion: string; providers: ProviderInfo[] }
export interface LoadMessage { type: 'load'; id: number; provider: string; model: ModelSpec }
export interface LoadedMessage { type: 'loaded'; id: number; provider: string; model: ModelSpec }
/**
 * One image of `depth` float32 channels (height × width × depth, channels innermost), `payloadBytes` =
 * width·height·depth·4. The payload follows the header in a binary frame; over native messaging it is `data`
 * (base64), because extension messaging carries JSON only.
 */
export interface InferMessage {
  type: 'infer';
  id: number;
  provider?: string;
  width: number;
  height: number;
  depth: number;
  dtype: 'float32';
  options?: InferOptions;
  payloadBytes: number;
  data?: string;
}
export interface ProgressMessage { type: 'progress'; id: number; done: number; total: number }
/** One float32 channel, height × width: `payloadBytes` = width·height·4. Over native messaging the payload follows as `result_chunk`s. */
export interface ResultMessage {
  type: 'result';
  id: number;
  provider: string;
  width: number;
  height: number;
  stages: Stages;
  payloadBytes: number;
}
/** Part `index` of `count` of a result's payload, base64: a host→browser native message must stay under 1 MB. */
export interface ResultChunkMessage { type: 'result_chunk'; id: number; index: number; count: number; data: string }
export interface CancelMessage { type: 'cancel'; id: number }
export interface PingMessage { type: 'ping'; t: number }
export interface PongMessage { type: 'pong'; t: number }
/** `id` absent: the error concerns the connection, not one request. */
export interface HostErrorMessage { type: 'error'; id?: number; code: ErrorCode; message: string; retryable: boolean; fallback: boolean }

export type HostMessage =
  | HelloMessage | WelcomeMessage | LoadMessage | LoadedMessage | InferMessage | ProgressMessage | ResultMessage
  | ResultChunkMessage | CancelMessage | PingMessage | PongMessage | HostErrorMessage;
export type MessageType = HostMessage['type'];

/** Who sends what: a host refuses a `welcome` from a client, a client a `load` from a host. */
export const CLIENT_MESSAGES: readonly MessageType[] = ['hello', 'load', 'infer', 'cancel', 'ping', 'pong'];
export const HOST_MESSAGES: readonly MessageType[] = ['welcome', 'loaded', 'progress', 'result', 'result_chunk', 'ping', 'pong', 'error'];

export type ErrorCode =
  | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'BUSY' | 'TIMEOUT' | 'PROVIDER_UNAVAILABLE' | 'DEVICE_LOST' | 'TOO_LARGE'
  | 'CANCELLED' | 'INTERNAL';

/**
 * Each code's default flags. `retryable`: the same request may succeed if sent again later. `fallback`: the client
 * should run the request itself (tfjs) rather than report a failure, because nothing is wrong with the request.
 */
export const ERROR_CODES: Readonly<Record<ErrorCode, { retryable: boolean; fallback: boolean; meaning: string }>> = Object.freeze({
  BAD_REQUEST: { retryable: false, fallback: false, meaning: 'the message broke protocol v1' },
  UNAUTHORIZED: { retryable: false, fallback: false, meaning: 'no hello, or a wrong token' },
  BUSY: { retryable: true, fallback: true, meaning: 'the queue is full' },
  TIMEOUT: { retryable: true, fallback: true, meaning: 'the request took longer than the host allows' },
  PROVIDER_UNAVAILABLE: { retryable: false, fallback: true, meaning: 'the provider is absent or cannot run' },
  DEVICE_LOST: { retryable: false, fallback: true, meaning: "the provider's worker process died" },
  TOO_LARGE: { retryable: false, fallback: true, meaning: "the image or frame exceeds the host's limits" },
  CANCELLED: { retryable: false, fallback: false, meaning: 'the client cancelled the request' },
  INTERNAL: { retryable: false, fallback: true, meaning: 'the host failed; the request itself was valid' },
});
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as ErrorCode[];

/** An `error` message with the code's default flags (`flags` overrides them). */
export function hostError(code: ErrorCode, message: string, id?: number, flags?: Partial<Pick<HostErrorMessage, 'retryable' | 'fallback'>>): HostErrorMessage {
  const { retryable, fallback } = { ...ERROR_CODES[code], ...flags };
  return id === undefined ? { type: 'error', code, message, retryable, fallback } : { type: 'error', id, code, message, retryable, fallback };
}

/** A limit was exceeded (frame, message or payload size): the host answers TOO_LARGE rather than BAD_REQUEST. */
export class TooLargeError extends InvalidInputError {
  readonly limit: number;
  constructor(where: string, bytes: number, limit: number, what: string) {
    super(where, `${bytes} bytes`, `at most ${limit} bytes (${what})`);
    this.name = 'TooLargeError';
    this.limit = limit;
  }
}

/** The `error` message for something thrown while handling request `id`. */
export function toHostError(e: unknown, id?: number): HostErrorMessage {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof TooLargeError) return hostError('TOO_LARGE', message, id);
  // An error that already names a protocol code (a provider's DEVICE_LOST, the scheduler's BUSY) keeps it and its flags.
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && code in ERROR_CODES) {
    const { retryable, fallback } = e as { retryable?: unknown; fallback?: unknown };
    return hostError(code as ErrorCode, message, id, {
      ...(typeof retryable === 'boolean' ? { retryable } : {}),
      ...(typeof fallback === 'boolean' ? { fallback } : {}),
    });
  }
  return hostError(e instanceof InvalidInputError ? 'BAD_REQUEST' : 'INTERNAL', message, id);
}

// ---- parseMessage ------------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const MISSING = 'nothing (the field is missing)';
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Throws for a key of `o` not in `known`: v1 is fixed, so an unknown key is a typo or a newer client (→ a new version). */
function checkFields(where: string, o: Obj, known: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const near = nearest(k, known);
    throw new InvalidInputError(`${where}.${k}`, 'an unknown field', near ? `a field of protocol v1 (did you mean '${near}'?)` : `one of ${known.join(', ')}`);
  }
}

/** Throws naming the field, the value as sent (or that it is missing) and what was expected. */
function bad(where: string, v: unknown, expected: string): never {
  throw new InvalidInputError(where, v === undefined ? MISSING : show(v), expected);
}
function obj(where: string, v: unknown, known: readonly string[]): Obj {
  if (!isObj(v)) bad(where, v, 'a JSON object');
  checkFields(where, v, known);
  return v;
}
function str(where: string, v: unknown, nonEmpty = false): string {
  if (typeof v !== 'string' || (nonEmpty && v === '')) bad(where, v, nonEmpty ? 'a non-empty string' : 'a string');
  return v;
}
function bool(where: string, v: unknown): boolean {
  if (typeof v !== 'boolean') bad(where, v, 'true or false');
  return v;
}
function int(where: string, v: unknown, lo: number, hi?: number): number {
  if (!isInt(v, lo, hi ?? Number.MAX_SAFE_INTEGER)) bad(where, v, hi === undefined ? `an integer ≥ ${lo}` : `an integer in [${lo}, ${hi}]`);
  return v;
}
/** A finite number ≥ 0 (milliseconds, timestamps). */
function ms(where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(where, v, 'a finite number ≥ 0');
  return v;
}
function oneOf<T>(where: string, v: unknown, values: readonly T[]): T {
  if (!values.includes(v as T)) bad(where, v, `one of ${values.map(show).join(', ')}`);
  return v as T;
}
const opt = <T>(v: unknown, f: (v: unknown) => T): T | undefined => (v === undefined ? undefined : f(v));
/** `o` without its undefined values, so that a parsed message has only the fields that were sent. */
const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Sides up to 2^31 − 1: the protocol's bound; the host's own limits (TOO_LARGE) are far lower. */
const MAX_SIDE = 0x7fffffff;
const ID = (w: string, o: Obj) => int(`${w}.id`, o.id, 0);
/** Image sides and channel counts: ≥ 1 (a zero-sized image is a client bug, not an empty result). */
const SIZE = (w: string, v: unknown) => int(w, v, 1, MAX_SIDE);

function protocolField(w: string, v: unknown): 1 {
  if (v !== PROTOCOL_VERSION) bad(`${w}.protocol`, v, `${PROTOCOL_VERSION} (this build speaks protocol v${PROTOCOL_VERSION} only)`);
  return PROTOCOL_VERSION;
}

function provider(w: string, v: unknown): ProviderInfo {
  const o = obj(w, v, ['name', 'kind', 'device', 'available', 'reason']);
  return clean({
    name: str(`${w}.name`, o.name, true), kind: oneOf(`${w}.kind`, o.kind, PROVIDER_KINDS),
    device: opt(o.device, (x) => str(`${w}.device`, x)), available: bool(`${w}.available`, o.available),
    reason: opt(o.reason, (x) => str(`${w}.reason`, x)),
  });
}

function model(w: string, v: unknown): ModelSpec {
  const o = obj(w, v, ['kind', 'name']);
  return clean({ kind: oneOf(`${w}.kind`, o.kind, MODEL_KINDS), name: opt(o.name, (x) => str(`${w}.name`, x, true)) });
}

function stages(w: string, v: unknown): Stages {
  const o = obj(w, v, ['transfer', 'queue', 'model', 'stitch', 'finetune', 'total']);
  const o2 = (k: string) => opt(o[k], (x) => ms(`${w}.${k}`, x));
  return clean({ transfer: o2('transfer'), queue: ms(`${w}.queue`, o.queue), model: ms(`${w}.model`, o.model), stitch: o2('stitch'), finetune: o2('finetune'), total: ms(`${w}.total`, o.total) });
}

/** payloadBytes must be what the sizes say: a short or long payload would be read as a different image. */
function payloadBytes(w: string, v: unknown, expected: number, formula: string): number {
  const n = int(`${w}.payloadBytes`, v, 0);
  if (n !== expected) throw new InvalidInputError(`${w}.payloadBytes`, String(n), `${expected} (${formula})`);
  return n;
}

function infer(w: string, o: Obj): InferMessage {
  const [width, height, depth] = [SIZE(`${w}.width`, o.width), SIZE(`${w}.height`, o.height), SIZE(`${w}.depth`, o.depth)];
  const options = opt(o.options, (x) => {
    const p = obj(`${w}.options`, x, ['finetune', 'scale']);
    const scale = opt(p.scale, (s) => (typeof s === 'number' && Number.isFinite(s) && s > 0 ? s : bad(`${w}.options.scale`, s, 'a finite number > 0')));
    return clean({ finetune: opt(p.finetune, (f) => bool(`${w}.options.finetune`, f)), scale });
  });
  return clean({
    type: 'infer', id: ID(w, o), provider: opt(o.provider, (x) => str(`${w}.provider`, x, true)), width, height, depth,
    dtype: oneOf(`${w}.dtype`, o.dtype, ['float32'] as const), options,
    payloadBytes: payloadBytes(w, o.payloadBytes, width * height * depth * 4, 'width·height·depth·4'),
    data: opt(o.data, (x) => str(`${w}.data`, x)),
  });
}

function result(w: string, o: Obj): ResultMessage {
  const [width, height] = [SIZE(`${w}.width`, o.width), SIZE(`${w}.height`, o.height)];
  return {
    type: 'result', id: ID(w, o), provider: str(`${w}.provider`, o.provider, true), width, height,
    stages: stages(`${w}.stages`, o.stages), payloadBytes: payloadBytes(w, o.payloadBytes, width * height * 4, 'width·height·4'),
  };
}

function resultChunk(w: string, o: Obj): ResultChunkMessage {
  const count = int(`${w}.count`, o.count, 1);
  const index = int(`${w}.index`, o.index, 0, count - 1);
  return { type: 'result_chunk', id: ID(w, o), index, count, data: str(`${w}.data`, o.data) };
}

function progress(w: string, o: Obj): ProgressMessage {
  const total = int(`${w}.total`, o.total, 0);
  return { type: 'progress', id: ID(w, o), done: int(`${w}.done`, o.done, 0, total), total };
}

function error(w: string, o: Obj): HostErrorMessage {
  const e = { code: oneOf(`${w}.code`, o.code, ERROR_CODE_NAMES), message: str(`${w}.message`, o.message), retryable: bool(`${w}.retryable`, o.retryable), fallback: bool(`${w}.fallback`, o.fallback) };
  return o.id === undefined ? { type: 'error', ...e } : { type: 'error', id: ID(w, o), ...e };
}

/** Per type: its fields (type included) and its parser. One table, so a new field cannot be parsed but not allowed. */
const PARSERS: { [K in MessageType]: [readonly string[], (w: string, o: Obj) => Extract<HostMessage, { type: K }>] } = {
  hello: [['protocol', 'client', 'token'], (w, o) => ({ type: 'hello', protocol: protocolField(w, o.protocol), client: str(`${w}.client`, o.client, true), token: str(`${w}.token`, o.token) })],
  welcome: [['protocol', 'hostVersion', 'providers'], (w, o) => {
    const list = o.providers;
    if (!Array.isArray(list)) bad(`${w}.providers`, list, 'an array of providers');
    return { type: 'welcome', protocol: protocolField(w, o.protocol), hostVersion: str(`${w}.hostVersion`, o.hostVersion, true), providers: list.map((p, i) => provider(`${w}.providers[${i}]`, p)) };
  }],
  load: [['id', 'provider', 'model'], (w, o) => ({ type: 'load', id: ID(w, o), provider: str(`${w}.provider`, o.provider, true), model: model(`${w}.model`, o.model) })],
  loaded: [['id', 'provider', 'model'], (w, o) => ({ type: 'loaded', id: ID(w, o), provider: str(`${w}.provider`, o.provider, true), model: model(`${w}.model`, o.model) })],
  infer: [['id', 'provider', 'width', 'height', 'depth', 'dtype', 'options', 'payloadBytes', 'data'], infer],
  progress: [['id', 'done', 'total'], progress],
  result: [['id', 'provider', 'width', 'height', 'stages', 'payloadBytes'], result],
  result_chunk: [['id', 'index', 'count', 'data'], resultChunk],
  cancel: [['id'], (w, o) => ({ type: 'cancel', id: ID(w, o) })],
  ping: [['t'], (w, o) => ({ type: 'ping', t: ms(`${w}.t`, o.t) })],
  pong: [['t'], (w, o) => ({ type: 'pong', t: ms(`${w}.t`, o.t) })],
  error: [['id', 'code', 'message', 'retryable', 'fallback'], error],
};
export const MESSAGE_TYPES = Object.keys(PARSERS) as MessageType[];

/**
 * Checks a decoded JSON value against protocol v1 and returns a fresh message holding only its fields. Throws
 * InvalidInputError (`parseMessage: infer.width: got 2.5, expected an integer in [1, 2^31 − 1]`). With `sender`,
 * a type that side never sends is refused too.
 */
export function parseMessage(json: unknown, sender?: 'client' | 'host'): HostMessage {
  if (!isObj(json)) bad('parseMessage: message', json, 'a JSON object');
  const type = json.type;
  if (typeof type !== 'string' || !Object.hasOwn(PARSERS, type)) {
    const near = typeof type === 'string' ? nearest(type, MESSAGE_TYPES) : undefined;
    bad('parseMessage: type', type, `one of ${MESSAGE_TYPES.join(', ')}${near ? ` (did you mean '${near}'?)` : ''}`);
  }
  const allowed = sender === 'client' ? CLIENT_MESSAGES : sender === 'host' ? HOST_MESSAGES : MESSAGE_TYPES;
  if (!allowed.includes(type as MessageType)) bad('parseMessage: type', type, `a message a ${sender} sends: ${allowed.join(', ')}`);
  const [fields, parse] = PARSERS[type as MessageType];
  const w = `parseMessage: ${type}`;
  checkFields(w, json, ['type', ...fields]);
  return parse(w, json);
}
