// SPDX-License-Identifier: MIT
// A provider that segfaults mid-job inside the real `anyml host` process: the host's `test` provider
// (ANYML_HOST_TEST_PROVIDER=1) with ANYML_TEST_WORKER_MODE=segv kills itself with SIGSEGV on every job, as a TFLite
// delegate does when libedgetpu is missing. The client's denoise gets DEVICE_LOST, falls back and still returns the
// local image; another client on the cpu provider is served during and after the crashes; the host keeps running.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHost } from '../../src/host/client.js';
import { denoise } from '../../src/tomogan/denoise.js';
import { loadDefaultWeights } from '../../src/tomogan/default_weights.js';
import type { Generator } from '../../src/tomogan/model.js';
import { randomImage } from '../helpers/tomogan.js';
import { stopGracefully } from '../helpers/process.js';
import { anyml, BIN } from './run_cli.js';

const env = { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'anyml-host-crash-')), ANYML_HOST_TEST_PROVIDER: '1', ANYML_TEST_WORKER_MODE: 'segv' };
let host: ChildProcess;
let url: string;
let model: Generator;
let log = '';

beforeAll(async () => {
  model = await loadDefaultWeights();
  host = spawn(process.execPath, [BIN, 'host', '--port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  host.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  url = await new Promise<string>((resolve, reject) => {
    host.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()).url));
    host.once('exit', (code) => reject(new Error(`anyml host exited with ${code}: ${log}`)));
  });
}, 60_000);
afterAll(() => stopGracefully(host), 20_000);

describe('anyml host with a provider that segfaults', () => {
  it('DEVICE_LOST → the client falls back with the right image; the host keeps serving others', { timeout: 120_000 }, async () => {
    const { token } = anyml(['host', 'pair', '--json'], { env }).json as { token: string };
    const [a, b] = await Promise.all([connectHost({ url, token, timeoutMs: 2000 }), connectHost({ url, token, timeoutMs: 2000 })]);
    expect(a.providers.find((p) => p.name === 'test')).toMatchObject({ available: true });
    const img = randomImage(96, 80, 1, 21);
    const local = await denoise(img, { model });
    // Client a's job crashes the test provider while client b is served by cpu.
    const [crashed, served] = await Promise.all([
      denoise(img, { model, backend: 'host', host: a, hostProvider: 'test' }),
      denoise(img, { model, backend: 'host', host: b }),
    ]);
    expect(crashed.backend).not.toMatch(/^host:/);
    expect(crashed.warnings.join('\n')).toMatch(/SIGSEGV.*\(DEVICE_LOST\); ran locally instead/);
    expect(crashed.image.data).toEqual(local.image.data);
    expect(served.backend).toBe('host:cpu');
    expect(served.image.data).toEqual(local.image.data);
    // A second crash after the restart ends the same way; the same connection is still served by cpu afterwards.
    const again = await denoise(img, { model, backend: 'host', host: a, hostProvider: 'test' });
    expect(again.warnings.join('\n')).toMatch(/DEVICE_LOST/);
    const after = await denoise(img, { model, backend: 'host', host: a });
    expect(after.backend).toBe('host:cpu');
    expect(after.image.data).toEqual(local.image.data);
    expect(log).toMatch(/\[test\].*SIGSEGV; restarting in \d+ ms/);
    expect(host.exitCode).toBeNull();
    a.close();
    b.close();
  });
});
