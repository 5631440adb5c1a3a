// SPDX-License-Identifier: MIT
// `anyml host` as a user runs it: the real process with its token file (under a temporary XDG_CONFIG_HOME), the cpu
// provider in its supervised child, a Node client through connectHost and denoise({ backend: 'host' }) — equal to a
// local denoise — then SIGTERM (clean exit); and the same host started for native messaging (--stdio), driven with
// Chrome's framing. The fallback when the host is gone: test/unit/host/client.test.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHost } from '../../src/host/client.js';
import { attachNativePayload, encodeNativeMessage, NativeMessageReader, NativeResultAssembler } from '../../src/host/framing.js';
import type { HostMessage, InferMessage } from '../../src/host/protocol.js';
import { denoise } from '../../src/tomogan/denoise.js';
import { loadDefaultWeights } from '../../src/tomogan/default_weights.js';
import { loadDefaultEdgeModel } from '../../src/tomogan/edge/model_file.js';
import type { Generator } from '../../src/tomogan/model.js';
import { randomImage } from '../helpers/tomogan.js';
import { shmBase } from '../../native-host/shm.js';
import { stopGracefully } from '../helpers/process.js';
import { anyml, BIN } from './run_cli.js';

const env = { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'anyml-host-cfg-')) };
let host: ChildProcess;
let url: string;
let model: Generator;

beforeAll(async () => {
  model = await loadDefaultWeights();
  host = spawn(process.execPath, [BIN, 'host', '--port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    host.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()).url));
    host.once('exit', (code) => reject(new Error(`anyml host exited with ${code}`)));
  });
}, 60_000);
afterAll(() => stopGracefully(host), 20_000);

describe('anyml host (the process)', () => {
  it('pairs, serves denoise on its cpu provider equal to a local run, and exits cleanly on SIGTERM', { timeout: 120_000 }, async () => {
    const pair = anyml(['host', 'pair', '--json'], { env }).json as { url: string; token: string };
    expect(pair.url).toMatch(/^ws:\/\/127\.0\.0\.1:47113$/);
    const h = await connectHost({ url, token: pair.token, timeoutMs: 2000 });
    expect(h.providers.find((p) => p.name === 'cpu')).toMatchObject({ kind: 'cpu', available: true });
    // 320 × 256 (320 KiB): large enough to pass between the host and its children through the shared folder.
    const img = randomImage(320, 256, 1, 12);
    const remote = await denoise(img, { model, backend: 'host', host: h });
    const local = await denoise(img, { model });
    expect(remote.backend).toBe('host:cpu');
    expect(remote.image.data).toEqual(local.image.data);
    // The tflite provider (the TFLite C library here): the shipped int8 edge model, within 1 LSB of anyml's reference.
    expect(h.providers.find((p) => p.name === 'tflite')).toMatchObject({ available: true });
    const t = await denoise(img, { model, backend: 'host', host: h, hostProvider: 'tflite' });
    expect(t.backend).toBe('host:tflite');
    expect(t.stages).toMatchObject({ stitch: expect.any(Number), finetune: expect.any(Number) });
    const edge = await loadDefaultEdgeModel();
    const ref = await denoise(img, { model: edge, runtime: 'reference' });
    const lsb = edge.finetune!.quantized.params[edge.finetune!.quantized.graph.output].scale * ((t.range?.hi ?? 255) - (t.range?.lo ?? 0)) / 255;
    let within = 0;
    for (let i = 0; i < ref.image.data.length; i++) if (Math.abs(t.image.data[i] - ref.image.data[i]) <= lsb * 1.001) within++;
    expect(within / ref.image.data.length).toBeGreaterThanOrEqual(0.999);
    h.close();
    const folders = () => readdirSync(shmBase()).filter((n) => n.startsWith(`anyml-host-${host.pid}-`));
    expect(folders()).toHaveLength(2); // cpu and tflite
    const exited = new Promise<number | null>((resolve) => host.once('exit', (code) => resolve(code)));
    host.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(folders()).toEqual([]);
  });

  it('serves a browser over native messaging (--stdio) with Chrome framing', { timeout: 120_000 }, async () => {
    const p = spawn(process.execPath, [BIN, 'host', '--stdio', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const reader = new NativeMessageReader();
    const got: HostMessage[] = [];
    let wake = () => {};
    p.stdout!.on('data', (c: Buffer) => (got.push(...(reader.push(new Uint8Array(c)) as HostMessage[])), wake()));
    const next = async () => {
      while (!got.length) await new Promise<void>((r) => (wake = r));
      return got.shift()!;
    };
    p.stdin!.write(encodeNativeMessage({ type: 'hello', protocol: 1, client: 'extension', token: '' }));
    expect(await next()).toMatchObject({ type: 'welcome' });
    const img = randomImage(64, 64, 1, 13);
    const req = attachNativePayload({ type: 'infer', id: 1, width: 64, height: 64, depth: 1, dtype: 'float32', payloadBytes: img.data.byteLength } as InferMessage, img.data);
    p.stdin!.write(encodeNativeMessage(req, 64 << 20));
    const asm = new NativeResultAssembler();
    let out: ReturnType<NativeResultAssembler['push']>;
    do out = asm.push((await next()) as Parameters<NativeResultAssembler['push']>[0]);
    while (!out);
    const local = await denoise(img, { model, scale: 'none' });
    expect(new Float32Array(out.payload.slice().buffer)).toEqual(local.image.data);
    const exited = new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
    p.stdin!.end(); // the browser closed the port
    expect(await exited).toBe(0);
  });
});

