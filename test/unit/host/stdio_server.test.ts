// SPDX-License-Identifier: MIT
// The host's native-messaging front end driven with Chrome's exact framing (4-byte little-endian length + UTF-8
// JSON) by the test: hello / welcome, an infer whose 1.4 MB result comes back in chunks under 1 MB, input split into
// 1-byte reads, and the refusals (no hello first, a caller outside the allow-list, a bad length) with nothing processed.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { attachNativePayload, NativeMessageReader, NativeResultAssembler } from '../../../src/host/framing.js';
import type { HostMessage, InferMessage } from '../../../src/host/protocol.js';
import { serveNativeMessaging } from '../../../native-host/stdio_server.js';
import type { Dispatcher } from '../../../native-host/ws_server.js';

function chromeFrame(obj: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(obj), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(body.length);
  return Buffer.concat([len, body]);
}

function session(opts: Parameters<typeof serveNativeMessaging>[3] = {}) {
  let calls = 0;
  const d: Dispatcher = {
    providers: () => [{ name: 'cpu', kind: 'cpu', available: true }],
    infer: async (_req, data) => (calls++, { provider: 'cpu', data: data.map((v) => v + 1), stages: { queue: 0, model: 1, total: 1 } }),
  };
  const input = new PassThrough();
  const output = new PassThrough();
  const reader = new NativeMessageReader();
  const sizes: number[] = [];
  const got: HostMessage[] = [];
  let wake = () => {};
  output.on('data', (c: Buffer) => {
    sizes.push(c.length);
    got.push(...(reader.push(new Uint8Array(c)) as HostMessage[]));
    wake();
  });
  const done = serveNativeMessaging(d, input, output, { log: () => {}, ...opts });
  const next = async () => {
    while (!got.length) await new Promise<void>((r) => (wake = r));
    return got.shift()!;
  };
  return { input, next, sizes, done, calls: () => calls };
}

const HELLO = { type: 'hello', protocol: 1, client: 'extension', token: '' };

describe('anyml host over native messaging', () => {
  it('welcomes, answers an infer in < 1 MB chunks, and reads input split into 1-byte chunks', async () => {
    const s = session();
    for (const b of chromeFrame(HELLO)) s.input.write(Buffer.of(b));
    expect(await s.next()).toMatchObject({ type: 'welcome', providers: [{ name: 'cpu' }] });
    const x = Float32Array.from({ length: 600 * 600 }, (_, i) => i % 1000);
    const req = attachNativePayload({ type: 'infer', id: 4, width: 600, height: 600, depth: 1, dtype: 'float32', payloadBytes: x.byteLength } as InferMessage, x);
    s.input.write(chromeFrame(req));
    const asm = new NativeResultAssembler();
    let out: ReturnType<NativeResultAssembler['push']>;
    do out = asm.push((await s.next()) as Parameters<NativeResultAssembler['push']>[0]);
    while (!out);
    const y = new Float32Array(out.payload.slice().buffer);
    expect(y[999]).toBe(1000);
    expect(y.length).toBe(x.length);
    expect(Math.max(...s.sizes)).toBeLessThan(1024 * 1024);
    expect(s.calls()).toBe(1);
    s.input.end();
    await s.done;
  });

  it('refuses a first message that is not hello and a caller outside the allow-list; nothing is processed', async () => {
    const a = session();
    a.input.write(chromeFrame({ type: 'infer', id: 1, width: 1, height: 1, depth: 1, dtype: 'float32', payloadBytes: 4, data: 'AAAAAA==' }));
    expect(await a.next()).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    expect(a.calls()).toBe(0);
    const b = session({ caller: 'chrome-extension://abc/', allowCallers: ['chrome-extension://xyz/'] });
    b.input.write(chromeFrame(HELLO));
    expect(await b.next()).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    const c = session();
    const bad = Buffer.alloc(4);
    bad.writeUInt32LE(0x7fffffff); // 2 GiB: not a browser's message
    c.input.write(bad);
    await expect(c.done).rejects.toThrow(/NativeMessageReader/);
    expect(c.calls()).toBe(0);
  });
});
