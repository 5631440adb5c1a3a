// SPDX-License-Identifier: MIT
// `anyml host`: the token, the providers in supervised children behind one scheduler, and a front end — the
// WebSocket on loopback, or native messaging over stdio when a browser starts the host (--stdio). SIGINT / SIGTERM
// finish the jobs in flight, stop the children and close the sockets; nothing the user owns is removed.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_PORT, InvalidInputError } from 'anyml';
import { findTfliteLibrary } from 'anyml/node';
import { discoverDevices, realFs } from './discovery.js';
import { hostDispatcher } from './dispatch.js';
import { checkProviderFlags, type PlannedProvider, planProviders, type ProviderFlags, providerInfos } from './plan.js';
import { Scheduler } from './scheduler.js';
import { ensureToken, tokenPath } from './token.js';
import { serveNativeMessaging } from './stdio_server.js';
import { ProviderProcess } from './supervisor.js';
import { startWsServer } from './ws_server.js';

export interface HostFlags extends ProviderFlags {
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

/** The absolute path of a file the children will read, or a clear error now rather than three failed starts later. */
async function readableFile(what: string, path: string): Promise<string> {
  const abs = resolve(path);
  try {
    await access(abs, constants.R_OK);
  } catch (e) {
    throw new InvalidInputError(what, path, `a readable file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return abs;
}

/** What discovery found and the flags allow, checked before anything starts (native-host/plan.ts). */
async function plan(f: HostFlags): Promise<PlannedProvider[]> {
  checkProviderFlags(f);
  if (f.edgetpuModel) f = { ...f, edgetpuModel: await readableFile('anyml host: --edgetpu-model', f.edgetpuModel) };
  const found = await discoverDevices(realFs('/'), { ldLibraryPath: process.env.LD_LIBRARY_PATH, tfliteLibrary: findTfliteLibrary() ?? null });
  // ANYML_HOST_TEST_PROVIDER=1: the `test` provider, which tests crash inside the real host process.
  return planProviders(found, { ...f, testProvider: process.env.ANYML_HOST_TEST_PROVIDER === '1' });
}

/** Runs the host until SIGINT / SIGTERM (or, with --stdio, until the browser closes the port). */
export async function runHost(f: HostFlags): Promise<void> {
  if (!f.stdio && f.caller?.length) throw new InvalidInputError('anyml host: arguments', JSON.stringify(f.caller), 'none without --stdio (browsers pass the caller when they start the host)');
  const providers = await plan(f);
  const { token } = await ensureToken(tokenPath());
  const procs = providers.flatMap((p) => (p.available && p.worker ? [new ProviderProcess({ name: p.name, worker: new URL(p.worker, import.meta.url), env: p.env })] : []));
  const scheduler = new Scheduler(procs);
  const d = hostDispatcher(scheduler, providerInfos(providers));
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
