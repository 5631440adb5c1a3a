// SPDX-License-Identifier: MIT
// The Node side of `#platform`: files through node:fs, SVM and TomoGAN training workers as worker_threads (comlink's node adapter).
import type { Endpoint } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';
import { fetchBytes } from './fetch.js';
import type { WebSocketClass, Platform, WorkerHandle } from './types.js';

/** From the .ts sources (vitest, tsx) the worker needs tsx registered inside it first: ./tsx_worker_boot.mjs does that. */
/** `script`: the worker's path from src/ (or dist/), without the extension. */
function startWorker(script: string): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const entry = new URL(`../${script}.ts`, import.meta.url).href;
    return new Worker(new URL('./tsx_worker_boot.mjs', import.meta.url), { workerData: { entry } });
  }
  return new Worker(new URL(`../${script}.js`, import.meta.url));
}

function spawnWorker(script: string): WorkerHandle {
  const w = startWorker(script);
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
  spawnSvmWorker: () => spawnWorker('svm/parallel/worker'),
  spawnTomoganTrainWorker: () => spawnWorker('tomogan/train/parallel/worker'),
  workerEndpoint(): Endpoint {
    if (!parentPort) throw new Error('workerEndpoint: not inside a worker thread');
    return nodeEndpoint(parentPort);
  },
  exitWorker: (code) => process.exit(code),
  // Node 22 has a global WebSocket; Node 20 does not, so the `ws` package (a dependency) stands in.
  webSocket: async () => (globalThis.WebSocket as unknown as WebSocketClass) ?? ((await import('ws')).WebSocket as unknown as WebSocketClass),
};
