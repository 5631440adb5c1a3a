// SPDX-License-Identifier: MIT
// A pool of P training workers (comlink over Node worker_threads or browser module Workers): start, call with
// failure/abort/timeout detection, and terminate every worker on every path. Generic over the worker script: the
// SVM's (./worker.ts) by default, or any other WorkerEntry (src/tomogan/train/parallel/pool.ts).
import * as Comlink from 'comlink';
import { platform } from '#platform';
import { AbortError, AnymlError } from '../../errors.js';
import type { WorkerHandle } from '../../platform/types.js';
import { CTL, type Transport } from './protocol.js';
import type { WorkerApi } from './worker.js';

let live = 0;
/** Workers started and not yet exited or terminated (internal: tests assert 0 after every run). */
export function liveWorkerCount(): number {
  return live;
}

/** 'auto' → 'shared' where SharedArrayBuffer is usable (Node, or a cross-origin-isolated page), else 'message'. */
export function resolveTransport(t: 'auto' | Transport): Transport {
  if (t !== 'auto') return t;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return typeof SharedArrayBuffer === 'function' && (platform.isNode || isolated) ? 'shared' : 'message';
}

/** How to start one worker of a pool's kind; `label` names the run in errors ('trainSvm: worker 1 crashed: …'). */
export interface WorkerEntry {
  label: string;
  /** Node: a worker_threads worker from #platform. */
  node(): WorkerHandle;
  /** Browsers: a module Worker, built where the `new URL('./worker.js', import.meta.url)` literal sits beside the script. */
  browser(): Worker;
}

/** The SVM training worker (./worker.ts), the default entry. */
export const svmWorkerEntry: WorkerEntry = {
  label: 'trainSvm',
  node: () => platform.spawnSvmWorker(),
  // The literal form bundlers recognise (they emit the worker chunk).
  browser: () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }),
};

interface Handle<Api> {
  api: Comlink.Remote<Api>;
  /** Rejects (named error) when the worker crashes or exits on its own. */
  failed: Promise<never>;
  terminate(): Promise<void>;
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
/** `p` is an index, or a string already spaced (" 3", "s 1, 2") naming several workers. */
const workerErrorOf = (label: string, p: number | string, what: string, cause?: unknown) =>
  new AnymlError('WORKER', `${label}: worker${typeof p === 'number' ? ` ${p}` : p} ${what}`, cause === undefined ? undefined : { cause });

/** Node: a worker_threads worker from #platform (its 'exit' event also follows a crash or a terminate()). */
function spawnNode<Api>(p: number, entry: WorkerEntry): Handle<Api> {
  const w = entry.node();
  const workerError = (...a: [number, string, unknown?]) => workerErrorOf(entry.label, ...a);
  live++;
  let closing = false, exited = false;
  const failed = new Promise<never>((_, reject) => {
    w.onError((e) => reject(workerError(p, `crashed: ${errText(e)}`, e)));
    w.onExit((code) => {
      exited = true;
      live--;
      if (!closing) reject(workerError(p, `exited unexpectedly (exit code ${code})`));
    });
  });
  failed.catch(() => {});
  const api = Comlink.wrap<Api>(w.endpoint);
  return {
    api, failed,
    async terminate() {
      closing = true;
      api[Comlink.releaseProxy]();
      if (!exited) await w.terminate();
    },
  };
}

/** Browsers: a module Worker from the entry. */
function spawnBrowser<Api>(p: number, entry: WorkerEntry): Handle<Api> {
  const w = entry.browser();
  const workerError = (...a: [number, string, unknown?]) => workerErrorOf(entry.label, ...a);
  live++;
  const failed = new Promise<never>((_, reject) => {
    w.addEventListener('error', (e) => reject(workerError(p, `crashed: ${(e as ErrorEvent).message ?? 'error event'}`)));
    w.addEventListener('messageerror', () => reject(workerError(p, 'sent a message that could not be read')));
  });
  failed.catch(() => {});
  const api = Comlink.wrap<Api>(w);
  let done = false;
  return {
    api, failed,
    async terminate() {
      api[Comlink.releaseProxy]();
      w.terminate();
      if (!done) live--;
      done = true;
    },
  };
}

export interface PoolOptions {
  workers: number;
  transport: Transport;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The worker script (default: the SVM's). */
  entry?: WorkerEntry;
}

export class WorkerPool<Api = WorkerApi> {
  /** The shared transport's control words, raised on failure so workers blocked in a barrier return. */
  control: Int32Array | undefined;
  private readonly aborted: Promise<never>;
  private readonly unlisten: () => void;

  readonly label: string;

  private constructor(readonly handles: Handle<Api>[], readonly opts: PoolOptions) {
    this.label = (opts.entry ?? svmWorkerEntry).label;
    const signal = opts.signal;
    let onAbort = () => {};
    this.aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        this.raise();
        reject(new AbortError(`${this.label}: aborted by options.signal`));
      };
    });
    this.aborted.catch(() => {});
    signal?.addEventListener('abort', onAbort, { once: true });
    this.unlisten = () => signal?.removeEventListener('abort', onAbort);
  }

  static async start<A = WorkerApi>(opts: PoolOptions): Promise<WorkerPool<A>> {
    const handles: Handle<A>[] = [];
    const pool = new WorkerPool<A>(handles, opts);
    const entry = opts.entry ?? svmWorkerEntry;
    try {
      for (let p = 0; p < opts.workers; p++) handles.push(platform.isNode ? spawnNode<A>(p, entry) : spawnBrowser<A>(p, entry));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  get size(): number {
    return this.handles.length;
  }

  /** Raises the abort word so workers waiting at a barrier leave it. */
  raise(): void {
    if (!this.control) return;
    Atomics.store(this.control, CTL.ABORT, 1);
    Atomics.notify(this.control, CTL.GEN);
  }

  /**
   * Calls every worker and waits for all. The first failure (a thrown error, a crash or exit, the signal, the
   * timeout) wins, raises the abort word and rejects. `watch`: shared epochs run many rounds in one call, so the
   * timeout then applies per round: it fires when no worker's progress counter moved for timeoutMs, and names the
   * workers that are behind.
   */
  async all<T>(what: string, fn: (api: Comlink.Remote<Api>, p: number) => Promise<T>, watch?: Int32Array): Promise<T[]> {
    if (this.opts.signal?.aborted) throw new AbortError(`${this.label}: aborted by options.signal`);
    const timers: ReturnType<typeof setTimeout>[] = [];
    // setup includes starting the worker and loading its engine (slow on a busy machine): at least 30 s.
    const ms = what === 'setup' ? Math.max(this.opts.timeoutMs, 30000) : this.opts.timeoutMs;
    const calls = this.handles.map((h, p) => {
      const call = fn(h.api, p).catch((e: unknown) => {
        throw workerErrorOf(this.label, p, `failed in ${what}: ${errText(e)}`, e);
      });
      const racers: Promise<T>[] = [call, h.failed, this.aborted];
      if (!watch) racers.push(new Promise<never>((_, reject) => timers.push(setTimeout(() => reject(workerErrorOf(this.label, p, `did not answer ${what} within ${ms} ms`)), ms))));
      return Promise.race(racers);
    });
    try {
      const joined = Promise.all(calls);
      return await (watch ? Promise.race([joined, this.watchdog(what, watch, timers)]) : joined);
    } catch (e) {
      this.raise();
      throw e;
    } finally {
      for (const t of timers) clearTimeout(t);
    }
  }

  /** Resolves never while progress moves; rejects naming the laggards after timeoutMs without progress. */
  private watchdog(what: string, ctl: Int32Array, timers: ReturnType<typeof setTimeout>[]): Promise<never> {
    const P = this.size, ms = this.opts.timeoutMs, tick = Math.max(5, Math.min(250, ms / 4));
    const snap = () => Array.from({ length: P }, (_, p) => Atomics.load(ctl, CTL.PROGRESS + p));
    return new Promise<never>((_, reject) => {
      let last = snap().join(), since = Date.now();
      const check = () => {
        const cur = snap();
        if (cur.join() !== last) [last, since] = [cur.join(), Date.now()];
        if (Date.now() - since < ms) {
          timers.push(setTimeout(check, tick));
          return;
        }
        const behind = cur.flatMap((c, p) => (c === Math.min(...cur) ? [p] : []));
        reject(workerErrorOf(this.label, behind.length > 1 ? `s ${behind.join(', ')}` : ` ${behind[0]}`, `made no progress in ${what} for ${ms} ms`));
      };
      timers.push(setTimeout(check, tick));
    });
  }

  /** Terminates every worker (idempotent); run in a finally on every path. */
  async close(): Promise<void> {
    this.unlisten();
    this.raise();
    await Promise.allSettled(this.handles.map((h) => h.terminate()));
  }
}
