// SPDX-License-Identifier: MIT
// The browser (and web worker) side of `#platform`: bytes through fetch; no Node module is reachable from here.
import type { Endpoint } from 'comlink';
import { fetchBytes } from './fetch.js';
import type { Platform, WebSocketClass } from './types.js';

export const platform: Platform = {
  isNode: false,
  readUrl: (url, fetchImpl) => fetchBytes(url, fetchImpl),
  spawnSvmWorker() {
    throw new Error('spawnSvmWorker: browsers start module Workers in svm/parallel/pool.ts');
  },
  spawnTomoganTrainWorker() {
    throw new Error('spawnTomoganTrainWorker: browsers start module Workers in tomogan/train/parallel/pool.ts');
  },
  workerEndpoint: () => globalThis as unknown as Endpoint,
  exitWorker: () => (globalThis as unknown as { close(): void }).close(),
  webSocket: async () => globalThis.WebSocket as unknown as WebSocketClass,
};
