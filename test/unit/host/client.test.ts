// SPDX-License-Identifier: MIT
// connectHost and denoise({ backend: 'host' }) against the real WebSocket front end: the host's result equals a local
// denoise bit for bit, and every failure with the fallback flag (a provider error, a host that went away, no host at
// all) reruns locally with the reason in warnings; a wrong token is refused, not papered over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHost, HostError } from '../../../src/host/client.js';
import { denoise } from '../../../src/tomogan/denoise.js';
import { createGenerator } from '../../../src/tomogan/model.js';
import { type Dispatcher, startWsServer, type WsServer } from '../../../native-host/ws_server.js';
import { randomImage } from '../../helpers/tomogan.js';

const TOKEN = 'c'.repeat(64);
const model = createGenerator({ seed: 6 });
let fail = false;
const dispatcher: Dispatcher = {
  providers: () => [{ name: 'cpu', kind: 'cpu', available: true }],
  async infer(req, data) {
    if (fail) throw new Error('the provider crashed');
    const t = performance.now();
    const r = await denoise({ width: req.width, height: req.height, depth: req.depth, data }, { model, backend: 'wasm', scale: 'none' });
    const ms = performance.now() - t;
    return { provider: 'cpu', data: r.image.data, stages: { queue: 0, model: ms, total: ms } };
  },
};
let server: WsServer;
let url: string;

beforeAll(async () => {
  server = await startWsServer(dispatcher, { token: TOKEN, port: 0, log: () => {} });
  url = `ws://127.0.0.1:${server.port}`;
});
afterAll(() => server.close());

describe('connectHost + denoise on the host', () => {
  it("runs on the host and equals local denoise bit for bit; 'auto' stays local for a cpu-only host", async () => {
    // 160 × 128: an 80 KiB result, which the host sends as two fragments (header, then the payload uncopied).
    const img = randomImage(160, 128, 1, 3);
    const host = await connectHost({ url, token: TOKEN });
    expect(host.providers).toEqual([{ name: 'cpu', kind: 'cpu', available: true }]);
    const remote = await denoise(img, { model, backend: 'host', host });
    const local = await denoise(img, { model, backend: 'wasm' });
    expect(remote.backend).toBe('host:cpu');
    expect(remote.image.data).toEqual(local.image.data);
    expect(remote.stages).toMatchObject({ queue: 0 });
    expect((remote.stages as { transfer: number }).transfer).toBeGreaterThanOrEqual(0);
    expect((await denoise(img, { model, host })).backend).not.toMatch(/^host/);
    host.close();
  });

  it('falls back locally when the provider fails or the host goes away, with the reason', async () => {
    const img = randomImage(64, 64, 1, 4);
    const host = await connectHost(JSON.stringify({ url, token: TOKEN }));
    fail = true;
    const r = await denoise(img, { model, backend: 'host', host });
    fail = false;
    expect(r.backend).not.toMatch(/^host/);
    expect(r.warnings.join(' ')).toMatch(/the provider crashed \(INTERNAL\); ran locally instead/);
    host.close();
    await new Promise((res) => setTimeout(res, 50));
    const again = await denoise(img, { model, backend: 'host', host });
    expect(again.warnings.join(' ')).toMatch(/connection closed.*ran locally instead/);
  });

  it('no host: PROVIDER_UNAVAILABLE within the timeout; a wrong token: UNAUTHORIZED without fallback', async () => {
    const t = performance.now();
    const e = await connectHost({ url: 'ws://127.0.0.1:9', token: TOKEN, timeoutMs: 300 }).catch((x) => x);
    expect(e).toBeInstanceOf(HostError);
    expect(e).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', fallback: true });
    expect(performance.now() - t).toBeLessThan(1000);
    await expect(connectHost({ url, token: 'd'.repeat(64) })).rejects.toMatchObject({ code: 'UNAUTHORIZED', fallback: false });
    await expect(connectHost({ url, token: '' })).rejects.toThrow(/connectHost: token/);
  });
});
