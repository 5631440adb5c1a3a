// SPDX-License-Identifier: MIT
// What anyml needs from its host (files, worker threads) and cannot write once for every runtime. Resolved through
// the package's `imports` map: `#platform` is ./node.ts under the `node` condition and ./browser.ts everywhere else,
// so a browser bundle never sees `node:*` modules (docs/design-notes.md, "Entry points and platforms").
import type { Endpoint } from 'comlink';

/** `fetch` as loadWeights and the wasm loader use it (a subset, so tests and users can pass their own). */
export type FetchLike = (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

/** A started worker as the SVM pool drives it. */
export interface WorkerHandle {
  /** The comlink endpoint of the worker. */
  endpoint: Endpoint;
  /** An uncaught error inside the worker (it then exits). */
  onError(cb: (error: unknown) => void): void;
  /** The worker stopped, for any reason (its own exit, a crash, or terminate()), with its exit code. */
  onExit(cb: (code: number) => void): void;
  /** Stops the worker; resolves once it has exited. */
  terminate(): Promise<void>;
}

export interface Platform {
  /** True under Node (and runtimes that take its `node` export condition: Bun, Deno). */
  readonly isNode: boolean;
  /** The bytes at `url`: `file:` from disk (Node only), anything else through `fetchImpl` (default: global fetch). */
  readUrl(url: URL, fetchImpl?: FetchLike): Promise<Uint8Array>;
  /** A Node worker thread running the SVM training worker (browsers start theirs in svm/parallel/pool.ts). */
  spawnSvmWorker(): WorkerHandle;
  /** A Node worker thread running the TomoGAN data-parallel training worker (browsers: tomogan/train/parallel/pool.ts). */
  spawnTomoganTrainWorker(): WorkerHandle;
  /** The endpoint a training worker (SVM or TomoGAN) exposes its API on: Node's parentPort, or the worker global. */
  workerEndpoint(): Endpoint;
  /** Ends this worker at once (a test fault: an exit the pool did not ask for). */
  exitWorker(code: number): void;
  /** The WebSocket class: the page's, or in Node 20 (which has none) the `ws` package's. */
  webSocket(): Promise<WebSocketClass>;
}

/** A WebSocket as the host client uses it (the WHATWG interface, which `ws` implements too). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', cb: (ev: { data?: unknown; code?: number }) => void): void;
}
export type WebSocketClass = new (url: string) => WebSocketLike;
