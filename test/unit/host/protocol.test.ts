// SPDX-License-Identifier: MIT
// Protocol v1 of `anyml host` (src/host/protocol.ts): every message type survives JSON, and every malformed field
// is refused with an InvalidInputError that names the field, the value and what was expected.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import {
  CLIENT_MESSAGES, DEFAULT_PORT, ERROR_CODE_NAMES, ERROR_CODES, HOST_MESSAGES, hostError, MESSAGE_TYPES, parseMessage,
  PROTOCOL_VERSION, TooLargeError, toHostError,
} from '../../../src/host/protocol.js';
import type { HostMessage } from '../../../src/host/protocol.js';

const stages = { transfer: 1.5, queue: 0, model: 12.25, stitch: 0.5, finetune: 3, total: 17.25 };
/** One message of each type, optional fields both present and absent (framing.test.ts has its own short list). */
const SAMPLES: HostMessage[] = [
  { type: 'hello', protocol: 1, client: 'anyml/0.1.0 (browser)', token: 'a'.repeat(64) },
  { type: 'welcome', protocol: 1, hostVersion: '0.1.0', providers: [
    { name: 'cpu', kind: 'cpu', available: true },
    { name: 'edgetpu', kind: 'edgetpu', device: 'usb:0', available: false, reason: 'libedgetpu.so.1 not found' },
  ] },
  { type: 'welcome', protocol: 1, hostVersion: '0.1.0', providers: [] },
  { type: 'load', id: 1, provider: 'edgetpu', model: { kind: 'tomogan-edge', name: 'tomogan-sim-v1-edge' } },
  { type: 'loaded', id: 1, provider: 'cpu', model: { kind: 'tomogan' } },
  { type: 'infer', id: 2, width: 64, height: 32, depth: 3, dtype: 'float32', payloadBytes: 64 * 32 * 3 * 4 },
  { type: 'infer', id: 3, provider: 'cpu', width: 1, height: 1, depth: 1, dtype: 'float32', options: { finetune: true, scale: 0.5 }, payloadBytes: 4, data: 'AAAAAA==' },
  { type: 'progress', id: 2, done: 3, total: 16 },
  { type: 'result', id: 2, provider: 'cpu', width: 64, height: 32, stages, payloadBytes: 64 * 32 * 4 },
  { type: 'result', id: 4, provider: 'cpu', width: 2, height: 2, stages: { queue: 0, model: 1, total: 1 }, payloadBytes: 16 },
  { type: 'result_chunk', id: 2, index: 0, count: 2, data: 'AAAA' },
  { type: 'cancel', id: 2 },
  { type: 'ping', t: 1234.5 },
  { type: 'pong', t: 1234.5 },
  { type: 'error', id: 2, code: 'BUSY', message: 'queue full (8)', retryable: true, fallback: true },
  { type: 'error', code: 'UNAUTHORIZED', message: 'bad token', retryable: false, fallback: false },
];

const ok = (m: Record<string, unknown>) => parseMessage(JSON.parse(JSON.stringify(m)));
const infer = { type: 'infer', id: 7, width: 4, height: 2, depth: 1, dtype: 'float32', payloadBytes: 32 };
const refuses = (m: unknown, where: string, got: string, expected: string | RegExp) => {
  let e: unknown;
  try {
    parseMessage(m);
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(InvalidInputError);
  const err = e as InvalidInputError;
  expect([err.where, err.got]).toEqual([`parseMessage: ${where}`, got]);
  if (typeof expected === 'string') expect(err.expected).toBe(expected);
  else expect(err.expected).toMatch(expected);
};

describe('protocol v1 constants', () => {
  it('names the version, the port and the message types', () => {
    expect([PROTOCOL_VERSION, DEFAULT_PORT]).toEqual([1, 47113]);
    expect(new Set(SAMPLES.map((m) => m.type))).toEqual(new Set(MESSAGE_TYPES));
    expect(new Set([...CLIENT_MESSAGES, ...HOST_MESSAGES])).toEqual(new Set(MESSAGE_TYPES));
  });

  it('gives each error code its default flags', () => {
    expect(ERROR_CODE_NAMES).toHaveLength(9);
    const flags = Object.fromEntries(ERROR_CODE_NAMES.map((c) => [c, [ERROR_CODES[c].retryable, ERROR_CODES[c].fallback]]));
    expect(flags).toEqual({
      BAD_REQUEST: [false, false], UNAUTHORIZED: [false, false], BUSY: [true, true], TIMEOUT: [true, true],
      PROVIDER_UNAVAILABLE: [false, true], DEVICE_LOST: [false, true], TOO_LARGE: [false, true], CANCELLED: [false, false],
      INTERNAL: [false, true],
    });
    expect(hostError('DEVICE_LOST', 'worker exited (SIGSEGV)', 5)).toEqual({ type: 'error', id: 5, code: 'DEVICE_LOST', message: 'worker exited (SIGSEGV)', retryable: false, fallback: true });
    expect(hostError('BUSY', 'full', undefined, { fallback: false })).toEqual({ type: 'error', code: 'BUSY', message: 'full', retryable: true, fallback: false });
  });

  it('maps thrown errors to codes', () => {
    expect(toHostError(new TooLargeError('decodeFrame: frame', 20, 10, 'maxFrameBytes'), 1).code).toBe('TOO_LARGE');
    expect(toHostError(new InvalidInputError('x', 'y', 'z')).code).toBe('BAD_REQUEST');
    expect(toHostError(new Error('boom'), 3)).toMatchObject({ id: 3, code: 'INTERNAL', message: 'boom' });
  });
});

describe('parseMessage', () => {
  it('round-trips every message type through JSON', () => {
    for (const m of SAMPLES) expect(ok(m as unknown as Record<string, unknown>)).toEqual(m);
  });

  it('returns a fresh object without undefined fields', () => {
    const m = { ...infer, provider: undefined } as Record<string, unknown>;
    const p = parseMessage(m);
    expect(p).not.toBe(m);
    expect(Object.keys(p)).not.toContain('provider');
  });

  it('refuses what is not a message, or a message of an unknown type', () => {
    refuses([1, 2], 'message', '[1,2]', 'a JSON object');
    refuses(null, 'message', 'null', 'a JSON object');
    refuses({ id: 1 }, 'type', 'nothing (the field is missing)', /^one of hello, welcome, /);
    refuses({ type: 'infr' }, 'type', '"infr"', /\(did you mean 'infer'\?\)$/);
    refuses({ type: 7 }, 'type', '7', /^one of hello/);
    refuses({ type: 'toString' }, 'type', '"toString"', /^one of hello/);
  });

  it('refuses unknown fields, naming the nearest one', () => {
    refuses({ ...infer, widht: 4 }, 'infer.widht', 'an unknown field', "a field of protocol v1 (did you mean 'width'?)");
    refuses({ type: 'cancel', id: 1, zzzzzz: 1 }, 'cancel.zzzzzz', 'an unknown field', 'one of type, id');
    refuses({ ...infer, options: { scael: 2 } }, 'infer.options.scael', 'an unknown field', /did you mean 'scale'/);
  });

  it('refuses a missing or bad id', () => {
    refuses({ type: 'cancel' }, 'cancel.id', 'nothing (the field is missing)', 'an integer ≥ 0');
    refuses({ ...infer, id: 1.5 }, 'infer.id', '1.5', 'an integer ≥ 0');
    refuses({ ...infer, id: -1 }, 'infer.id', '-1', 'an integer ≥ 0');
    refuses({ ...infer, id: '7' }, 'infer.id', '"7"', 'an integer ≥ 0');
    refuses({ type: 'error', id: null, code: 'BUSY', message: '', retryable: true, fallback: true }, 'error.id', 'null', 'an integer ≥ 0');
  });

  it('refuses sizes that are not positive integers', () => {
    refuses({ ...infer, width: 2.5 }, 'infer.width', '2.5', 'an integer in [1, 2147483647]');
    refuses({ ...infer, height: -2 }, 'infer.height', '-2', 'an integer in [1, 2147483647]');
    refuses({ ...infer, depth: 0 }, 'infer.depth', '0', 'an integer in [1, 2147483647]');
    refuses({ ...infer, width: NaN }, 'infer.width', 'NaN', 'an integer in [1, 2147483647]');
    refuses({ ...infer, width: 2 ** 31 }, 'infer.width', '2147483648', 'an integer in [1, 2147483647]');
    refuses({ ...infer, depth: undefined }, 'infer.depth', 'nothing (the field is missing)', 'an integer in [1, 2147483647]');
    const r = SAMPLES[8] as unknown as Record<string, unknown>;
    refuses({ ...r, width: '64' }, 'result.width', '"64"', 'an integer in [1, 2147483647]');
  });

  it('refuses a payloadBytes that does not match the sizes', () => {
    refuses({ ...infer, payloadBytes: 31 }, 'infer.payloadBytes', '31', '32 (width·height·depth·4)');
    refuses({ ...infer, payloadBytes: undefined }, 'infer.payloadBytes', 'nothing (the field is missing)', 'an integer ≥ 0');
    refuses({ ...(SAMPLES[8] as object), payloadBytes: 64 * 32 * 3 * 4 }, 'result.payloadBytes', String(64 * 32 * 3 * 4), `${64 * 32 * 4} (width·height·4)`);
  });

  it('refuses other protocol versions, and empty names', () => {
    refuses({ type: 'hello', protocol: 2, client: 'x', token: 't' }, 'hello.protocol', '2', '1 (this build speaks protocol v1 only)');
    refuses({ type: 'hello', protocol: '1', client: 'x', token: 't' }, 'hello.protocol', '"1"', /^1 /);
    refuses({ type: 'welcome', hostVersion: '1', providers: [] }, 'welcome.protocol', 'nothing (the field is missing)', /^1 /);
    refuses({ type: 'hello', protocol: 1, client: '', token: 't' }, 'hello.client', '""', 'a non-empty string');
    refuses({ type: 'hello', protocol: 1, client: 'x' }, 'hello.token', 'nothing (the field is missing)', 'a string');
  });

  it('refuses bad enums, flags and nested objects', () => {
    refuses({ ...infer, dtype: 'uint16' }, 'infer.dtype', '"uint16"', 'one of "float32"');
    refuses({ ...infer, options: { finetune: 1 } }, 'infer.options.finetune', '1', 'true or false');
    refuses({ ...infer, options: { scale: 0 } }, 'infer.options.scale', '0', 'a finite number > 0');
    refuses({ ...infer, options: [] }, 'infer.options', '[]', 'a JSON object');
    refuses({ type: 'load', id: 1, provider: 'cpu', model: { kind: 'unet' } }, 'load.model.kind', '"unet"', 'one of "tomogan", "tomogan-edge"');
    refuses({ type: 'load', id: 1, provider: 'cpu' }, 'load.model', 'nothing (the field is missing)', 'a JSON object');
    const welcome = { type: 'welcome', protocol: 1, hostVersion: '0.1.0' };
    refuses(welcome, 'welcome.providers', 'nothing (the field is missing)', 'an array of providers');
    refuses({ ...welcome, providers: [{ name: 'x', kind: 'cuda', available: true }] }, 'welcome.providers[0].kind', '"cuda"', 'one of "cpu", "tflite", "edgetpu", "tensorrt"');
    refuses({ ...welcome, providers: [{ name: 'x', kind: 'cpu', available: 'yes' }] }, 'welcome.providers[0].available', '"yes"', 'true or false');
    refuses({ type: 'error', code: 'OOPS', message: 'm', retryable: true, fallback: true }, 'error.code', '"OOPS"', /^one of "BAD_REQUEST", /);
    refuses({ type: 'error', code: 'BUSY', message: 'm', retryable: true }, 'error.fallback', 'nothing (the field is missing)', 'true or false');
  });

  it('refuses bad stage times, progress and chunk indices', () => {
    const r = SAMPLES[8] as unknown as Record<string, unknown>;
    refuses({ ...r, stages: { ...stages, model: -1 } }, 'result.stages.model', '-1', 'a finite number ≥ 0');
    refuses({ ...r, stages: { queue: 0, model: 1 } }, 'result.stages.total', 'nothing (the field is missing)', 'a finite number ≥ 0');
    refuses({ type: 'progress', id: 1, done: 5, total: 4 }, 'progress.done', '5', 'an integer in [0, 4]');
    refuses({ type: 'result_chunk', id: 1, index: 2, count: 2, data: '' }, 'result_chunk.index', '2', 'an integer in [0, 1]');
    refuses({ type: 'result_chunk', id: 1, index: 0, count: 0, data: '' }, 'result_chunk.count', '0', 'an integer ≥ 1');
    refuses({ type: 'ping', t: -1 }, 'ping.t', '-1', 'a finite number ≥ 0');
  });

  it('refuses a type the sender never sends', () => {
    expect(() => parseMessage(SAMPLES[1], 'client')).toThrow('parseMessage: type: got "welcome", expected a message a client sends: hello, load, infer, cancel, ping, pong');
    expect(() => parseMessage({ type: 'cancel', id: 1 }, 'host')).toThrow(/expected a message a host sends/);
    expect(parseMessage({ type: 'cancel', id: 1 }, 'client')).toEqual({ type: 'cancel', id: 1 });
  });
});
