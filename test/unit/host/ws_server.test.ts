// SPDX-License-Identifier: MIT
// The host's WebSocket front end against a dispatcher double that counts what reaches it: hello / welcome and an
// infer round trip with a zero-copy payload, and every security refusal — wrong or missing Origin, wrong or empty
// Host, wrong token, a late token, a message before hello, an oversize message, an oversize image, a second hello —
// with the assertion that nothing was processed.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { decodeFrame, encodeFrame, type Frame } from '../../../src/host/framing.js';
import type { HostMessage } from '../../../src/host/protocol.js';
import { type Dispatcher, startWsServer, type WsServer } from '../../../native-host/ws_server.js';

const TOKEN = 'a'.repeat(64);
const ORIGIN = 'http://127.0.0.1:5173';
let calls = 0;
const dispatcher: Dispatcher = {
  providers: () => [{ name: 'cpu', kind: 'cpu', available: true }],
  infer: async (req, data) => {
    calls++;
    return { provider: 'cpu', data: data.map((v) => 2 * v), stages: { queue: 0, model: 1, total: 1 } };
  },
};
let server: WsServer;
const lines: string[] = [];

beforeAll(async () => {
  server = await startWsServer(dispatcher, { token: TOKEN, port: 0, allowOrigins: [ORIGIN], limits: { helloMs: 300, maxMessageBytes: 1 << 20, maxImagePixels: 128 * 128 }, log: (l) => lines.push(l) });
});
afterAll(() => server.close());

/** Opens a client; resolves with its messages as they come, and how it closed. */
function client(headers: Record<string, string> = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}`, { headers });
  const frames: Frame[] = [];
  let wake: () => void = () => {};
  ws.on('message', (d: Buffer) => (frames.push(decodeFrame(new Uint8Array(d))), wake()));
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  const opened = new Promise<boolean>((resolve) => (ws.on('open', () => resolve(true)), ws.on('error', () => resolve(false))));
  const next = async (): Promise<Frame> => {
    while (!frames.length) await new Promise<void>((r) => (wake = r));
    return frames.shift()!;
  };
  const sendMsg = (m: HostMessage, payload?: Float32Array) => ws.send(encodeFrame(m, payload));
  return { ws, opened, closed, next, send: sendMsg };
}

/** A hand-written upgrade request with the given Host header value; the status line of the answer. */
function rawUpgrade(host: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(server.port, '127.0.0.1', () =>
      s.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`),
    );
    let text = '';
    s.on('data', (d) => (text += d.toString()));
    s.on('close', () => resolve(text));
  });
}

const hello = (token = TOKEN): HostMessage => ({ type: 'hello', protocol: 1, client: 'test', token });
const infer = (id: number, w: number, h: number): HostMessage => ({ type: 'infer', id, width: w, height: h, depth: 1, dtype: 'float32', payloadBytes: w * h * 4 } as HostMessage);

describe('anyml host WebSocket front end', () => {
  it('welcomes a client with the token and answers an infer with the payload', async () => {
    const c = client({ Origin: ORIGIN });
    expect(await c.opened).toBe(true);
    c.send(hello());
    expect((await c.next()).header).toMatchObject({ type: 'welcome', protocol: 1, providers: [{ name: 'cpu' }] });
    const x = Float32Array.from({ length: 64 * 48 }, (_, i) => i);
    const before = calls;
    c.send(infer(7, 64, 48), x);
    const r = await c.next();
    expect(r.header).toMatchObject({ type: 'result', id: 7, provider: 'cpu', width: 64, height: 48 });
    const y = new Float32Array(r.payload!.buffer, r.payload!.byteOffset, x.length);
    expect(y[100]).toBe(200);
    expect(calls).toBe(before + 1);
    c.send({ type: 'ping', t: 5 });
    expect((await c.next()).header).toEqual({ type: 'pong', t: 5 });
    c.ws.close();
  });

  it('refuses each attack before anything is processed', async () => {
    const before = calls;
    const refusedUpgrade = async (headers: Record<string, string>) => expect(await client(headers).opened).toBe(false);
    await refusedUpgrade({ Origin: 'http://evil.example' });
    await refusedUpgrade({ Origin: 'http://127.0.0.1:5173.evil.example' });
    await refusedUpgrade({ Origin: ORIGIN, Host: `evil.example:${server.port}` });
    await refusedUpgrade({ Origin: ORIGIN, Host: `127.0.0.1:${server.port + 1}` });
    expect(await rawUpgrade('')).toMatch(/^HTTP\/1.1 403/); // an empty Host header
    const unauthorized = async (first: (c: ReturnType<typeof client>) => void) => {
      const c = client({ Origin: ORIGIN });
      await c.opened;
      first(c);
      expect((await c.next()).header).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
      expect((await c.closed).code).toBe(4001);
    };
    await unauthorized((c) => c.send(hello('b'.repeat(64))));
    await unauthorized((c) => c.send(infer(1, 8, 8), new Float32Array(64)));
    await unauthorized(() => {}); // the hello deadline (300 ms here) passes
    const c = client({ Origin: ORIGIN });
    await c.opened;
    c.send(hello());
    await c.next();
    c.send(hello());
    expect((await c.next()).header).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    c.send(infer(2, 256, 256), new Float32Array(256 * 256)); // 256 KiB: under the message limit, over 128² pixels
    expect((await c.next()).header).toMatchObject({ type: 'error', id: 2, code: 'TOO_LARGE' });
    c.send(infer(3, 1024, 1024), new Float32Array(1024 * 1024)); // 4 MiB: over the 1 MiB message limit
    expect((await c.closed).code).toBe(1009);
    expect(calls).toBe(before);
    expect(server.refusals.entries().length).toBeGreaterThanOrEqual(7);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('refuses to bind beyond loopback unless asked', async () => {
    await expect(startWsServer(dispatcher, { token: TOKEN, host: '0.0.0.0', port: 0 })).rejects.toThrow(/--allow-remote/);
  });
});
