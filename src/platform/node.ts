// SPDX-License-Identifier: MIT
// The Node side of `#platform`: files through node:fs, SVM workers as worker_threads (comlink's node adapter).
import type { Endpoint } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';
import { fetchBytes } from './fetch.js';
import type { WebSocketClass, Platform, WorkerHandle } from './types.js';

/** From the .ts sources (vitest, tsx) the worker needs tsx registered inside it first: ./tsx_worker_boot.mjs does that. */
function startWorker(): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const entry = new URL('../svm/parallel/worker.ts', import.meta.url).href;
    return new Worker(new URL('./tsx_worker_boot.mjs', import.meta.url), { workerData: { entry } });
  }
  return new Worker(new URL('../svm/parallel/worker.js', import.meta.url));
}

function spawnSvmWorker(): WorkerHandle {
  const w = startWorker();
  return {
    endpoint: nodeEndpoint(w),
    onError: (cb) => void w.on('error', cb),
    onExit: (cb) => void w.on('exit', cb),
    terminate: async () => void (await w.terminate()),
  };
}

export const platform: Platform = {
  isNode: true,
  async readUrl(url, fetchImpl) {
    if (url.protocol !== 'file:') return fetchBytes(url, fetchImpl);
    return new Uint8Array(await readFile(fileURLToPath(url)));
  },
  spawnSvmWorker,
  workerEndpoint(): Endpoint {
    if (!parentPort) throw new Error('workerEndpoint: not inside a worker thread');
    return nodeEndpoint(parentPort);
  },
  exitWorker: (code) => process.exit(code),
  // Node 22 has a global WebSocket; Node 20 does not, so the `ws` package (a dependency) stands in.
  webSocket: async () => (globalThis.WebSocket as unknown as WebSocketClass) ?? ((await import('ws')).WebSocket as unknown as WebSocketClass),
};
