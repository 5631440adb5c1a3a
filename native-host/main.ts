// SPDX-License-Identifier: MIT
// `anyml host`: the token, the providers in supervised children behind one scheduler, and a front end — the
// WebSocket on loopback, or native messaging over stdio when a browser starts the host (--stdio). SIGINT / SIGTERM
// finish the jobs in flight, stop the children and close the sockets; nothing the user owns is removed.
import { DEFAULT_PORT, InvalidInputError, type ProviderInfo, type Stages } from 'anyml';
import { findTfliteLibrary } from 'anyml/node';
import { discoverDevices, realFs } from './discovery.js';
import { Scheduler } from './scheduler.js';
import { ensureToken, tokenPath } from './token.js';
import { serveNativeMessaging } from './stdio_server.js';
import { ProviderProcess } from './supervisor.js';
import type { Dispatcher } from './ws_server.js';
import { startWsServer } from './ws_server.js';

export interface HostFlags {
  host: string;
  port: number;
  allowRemote?: boolean;
  allowOrigin: string[];
  stdio?: boolean;
  json?: boolean;
  /** What the browser passed when it started the host (Chrome: `chrome-extension://<id>/`). */
  caller?: string[];
}

const VERSION = '1';

/** Providers this host version runs, by name: the worker module of each. */
const RUNNABLE: Record<string, string> = { cpu: './providers/cpu_worker.js', tflite: './providers/tflite_worker.js' };

/**
 * ANYML_HOST_TEST_PROVIDER=1 adds the `test` provider (providers/test_worker.ts: echo ×2, or a crash chosen by
 * ANYML_TEST_WORKER_MODE), so tests can crash a provider inside the real host process. Never on by default.
 */
function testProviders(): ProviderInfo[] {
  return process.env.ANYML_HOST_TEST_PROVIDER === '1' ? [{ name: 'test', kind: 'cpu', available: true }] : [];
}
const TEST_WORKER = './providers/test_worker.js';

/** What discovery found, as the welcome's provider list: runnable ones as found, the others with the reason. */
async function providerInfos(): Promise<ProviderInfo[]> {
  const found = await discoverDevices(realFs('/'), { ldLibraryPath: process.env.LD_LIBRARY_PATH, tfliteLibrary: findTfliteLibrary() ?? null });
  const infos = found.providers.map((p): ProviderInfo => {
    if (!p.available) return { name: p.name, kind: p.name, available: false, reason: p.reason };
    if (RUNNABLE[p.name]) return { name: p.name, kind: p.name, available: true };
    return { name: p.name, kind: p.name, available: false, reason: 'found, but this host version does not run this provider yet' };
  });
  return [...infos, ...testProviders()];
}

function dispatcher(s: Scheduler, infos: ProviderInfo[]): Dispatcher {
  let id = 0;
  return {
    providers: () => infos,
    async infer(req, data, signal) {
      const provider = req.provider ?? 'cpu';
      // The client sends the image already on TomoGAN's 0…255 scale (it scales and unscales itself).
      const r = await s.submit(provider, { id: ++id, width: req.width, height: req.height, depth: req.depth, data, options: { scale: 'none' } }, { signal });
      const stages = { ...r.stages, queue: r.stages.queue ?? 0, model: r.stages.model ?? 0, total: r.stages.total ?? 0 } as Stages;
      return { provider: r.provider, data: r.data, stages };
    },
  };
}

/** Runs the host until SIGINT / SIGTERM (or, with --stdio, until the browser closes the port). */
export async function runHost(f: HostFlags): Promise<void> {
  if (!f.stdio && f.caller?.length) throw new InvalidInputError('anyml host: arguments', JSON.stringify(f.caller), 'none without --stdio (browsers pass the caller when they start the host)');
  const { token } = await ensureToken(tokenPath());
  const infos = await providerInfos();
  const procs = infos.filter((p) => p.available).map((p) => new ProviderProcess({ name: p.name, worker: new URL(RUNNABLE[p.name] ?? TEST_WORKER, import.meta.url) }));
  const scheduler = new Scheduler(procs);
  const d = dispatcher(scheduler, infos);
  const log = (line: string) => process.stderr.write(line + '\n');
  if (f.stdio) {
    await serveNativeMessaging(d, process.stdin, process.stdout, { caller: f.caller?.find((a) => /^chrome-extension:\/\/|@|^\{/.test(a)), allowCallers: f.allowOrigin, hostVersion: VERSION, log });
    await scheduler.shutdown({ mode: 'cancel' });
    return;
  }
  const server = await startWsServer(d, { token, host: f.host, port: f.port, allowRemote: f.allowRemote, allowOrigins: f.allowOrigin, hostVersion: VERSION, log });
  const url = `ws://${f.host.includes(':') ? `[${f.host}]` : f.host}:${server.port}`;
  process.stdout.write(f.json ? JSON.stringify({ url, port: server.port }) + '\n' : `anyml host: listening on ${url} (anyml host pair prints how to connect)\n`);
  await new Promise<void>((resolve) => {
    const stop = async (sig: string) => {
      log(`anyml host: ${sig}: finishing the jobs in flight`);
      await scheduler.shutdown({ mode: 'finish' });
      await server.close();
      resolve();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}

/** `anyml host pair`: the url and the token a page or program connects with (the token file is created if absent). */
export async function runPair(f: { port: number; json?: boolean }): Promise<void> {
  const { token, path } = await ensureToken(tokenPath());
  const url = `ws://127.0.0.1:${f.port}`;
  if (f.json) return void process.stdout.write(JSON.stringify({ url, token }) + '\n');
  process.stdout.write(`url:   ${url}\ntoken: ${token}\n(from ${path}; connectHost({ url, token }) or paste the --json line into the demo)\n`);
}

export { DEFAULT_PORT };
