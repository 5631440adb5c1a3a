// SPDX-License-Identifier: MIT
// `ProviderProcess`: one provider of `anyml host` in a supervised child process. A provider's native code (a TFLite
// delegate without libedgetpu, a CUDA driver reset) can crash with a signal; in a child, that costs the running job
// (DEVICE_LOST) and a restart with back-off, never the host. Per-job timeouts and cancels end the same way when the
// child does not stop by itself.
//
// Transport: `child_process.fork` with `serialization: 'advanced'` (V8 structured clone over the IPC channel). A
// Float32Array crosses as one copy with no framing code to get wrong, and the child's stdout/stderr stay separate
// from the protocol: native libraries print diagnostics there, and the host's own stdout may carry native-messaging
// frames, so the child's output is piped and handed to `onLog` line by line instead of inherited. Tensors of 256 KiB
// or more take a private folder on tmpfs instead of the pipe (shm.ts).
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromChild, ProviderJob, ProviderResult, Wire } from './providers/messages.js';
import { SHM_ENV, SHM_MIN_BYTES, ShmSlot, sweepStale } from './shm.js';
import { DEFAULT_LIMITS } from './security.js';

export type { ProviderJob, ProviderResult } from './providers/messages.js';

/** A failure of one request: protocol v1's error codes and their retryable / fallback flags (docs/host.md). */
import { HostError } from 'anyml';

export { HostError };
export type { ErrorCode as HostErrorCode } from 'anyml';

export interface ProviderProcessOptions {
  /** The provider's name, in messages (`cpu`, `edgetpu:usb:0`). */
  name: string;
  /** The compiled worker module (dist/native-host/providers/*.js), a path or a file: URL. */
  worker: string | URL;
  /** Added to the host's environment for the child. */
  env?: Record<string, string>;
  /** Milliseconds for the child to load its model and say ready. Default DEFAULT_LIMITS.loadMs. */
  startMs?: number;
  /** Milliseconds one job may run before TIMEOUT (the child is then killed). Default DEFAULT_LIMITS.inferMs. */
  jobMs?: number;
  /** Milliseconds a cancelled job has to stop before the child is killed. Default 1000. */
  cancelGraceMs?: number;
  /** Milliseconds `stop()` waits for a clean exit before SIGKILL. Default 2000. */
  stopGraceMs?: number;
  /** Restart delays: `initialMs` doubling per crash up to `maxMs`, back to `initialMs` after `stableMs` alive. */
  backoff?: Partial<Backoff>;
  /** Consecutive failed starts before the provider is marked unavailable. Default 3. */
  maxStartFailures?: number;
  /** Large tensors through a private folder on tmpfs (shm.ts) rather than the IPC pipe. Default true. */
  sharedMemory?: boolean;
  /** Where restarts and the child's own output go. Default: stderr, prefixed with the provider's name. */
  onLog?: (line: string) => void;
}
interface Backoff { initialMs: number; maxMs: number; stableMs: number }
const DEFAULT_BACKOFF: Backoff = { initialMs: 100, maxMs: 5_000, stableMs: 10_000 };

export type ProviderState = 'idle' | 'starting' | 'ready' | 'busy' | 'unavailable' | 'stopped';

interface Running {
  id: number;
  resolve: (r: ProviderResult) => void;
  reject: (e: HostError) => void;
  cleanup: () => void;
  cancelRequested: boolean;
}
interface StartWait { resolve: () => void; reject: (e: Error) => void }

/** "was killed by SIGSEGV" / "exited with code 3": what a DEVICE_LOST message says happened. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/**
 * One provider in a child process, restarted when it dies. One job at a time (the scheduler queues).
 *
 * @example
 * const p = new ProviderProcess({ name: 'cpu', worker: new URL('./providers/cpu_worker.js', import.meta.url) });
 * await p.start(); const { data, stages } = await p.run({ id: 1, width, height, depth: 1, data: img }, signal);
 * await p.stop();
 */
export class ProviderProcess {
  readonly name: string;
  private readonly opts: Required<Omit<ProviderProcessOptions, 'env' | 'backoff'>> & { env: Record<string, string>; backoff: Backoff };
  private child: ChildProcess | undefined;
  private childReady = false;
  private readonly live = new Set<ChildProcess>();
  private startWait: StartWait | undefined;
  private starting: Promise<void> | undefined;
  private current: Running | undefined;
  private reserved = false;
  private attempt = 0;
  private readyAt = 0;
  private startFailures = 0;
  private stopped = false;
  private wake: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  /** Why the provider cannot run, once it failed to start `maxStartFailures` times in a row. */
  reason: string | undefined;
  private spawned = 0;
  /** The shared folder for large tensors: undefined before the first spawn, null when none could be made. */
  private shm: ShmSlot | null | undefined;

  constructor(options: ProviderProcessOptions) {
    this.name = options.name;
    this.opts = {
      sharedMemory: true, startMs: DEFAULT_LIMITS.loadMs, jobMs: DEFAULT_LIMITS.inferMs, cancelGraceMs: 1_000, stopGraceMs: 2_000, maxStartFailures: 3,
      onLog: (line) => process.stderr.write(`[${options.name}] ${line}\n`),
      ...options, env: options.env ?? {}, backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    };
  }

  /** The running child's pid (undefined between children). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The private folder large tensors pass through (shm.ts); undefined before the first start or without one. */
  get sharedFolder(): string | undefined {
    return this.shm?.dir;
  }

  /** Children started after the first (after crashes, timeouts, ignored cancels and failed starts). */
  get restarts(): number {
    return Math.max(0, this.spawned - 1);
  }

  get state(): ProviderState {
    if (this.stopped) return 'stopped';
    if (this.reason !== undefined) return 'unavailable';
    if (this.current) return 'busy';
    if (this.child && this.childReady) return 'ready';
    return this.starting ? 'starting' : 'idle';
  }

  /**
   * Starts the child and waits until its model is loaded. Idempotent; also what `run` waits on after a crash.
   *
   * @throws HostError PROVIDER_UNAVAILABLE after `maxStartFailures` failed starts in a row, or once stopped.
   */
  start(): Promise<void> {
    if (this.stopped) return Promise.reject(new HostError('PROVIDER_UNAVAILABLE', `provider ${this.name}: stopped`));
    if (this.reason !== undefined) return Promise.reject(new HostError('PROVIDER_UNAVAILABLE', `provider ${this.name}: ${this.reason}`));
    if (this.child && this.childReady) return Promise.resolve();
    this.starting ??= this.startLoop(0).finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Spawns until one child is ready, backing off between failures; gives up after `maxStartFailures`. */
  private async startLoop(firstDelayMs: number): Promise<void> {
    if (firstDelayMs > 0) await this.sleep(firstDelayMs);
    for (;;) {
      if (this.stopped) throw new HostError('PROVIDER_UNAVAILABLE', `provider ${this.name}: stopped`);
      try {
        await this.spawnOnce();
        this.startFailures = 0;
        return;
      } catch (e) {
        if (this.stopped) throw new HostError('PROVIDER_UNAVAILABLE', `provider ${this.name}: stopped`);
        const why = e instanceof Error ? e.message : String(e);
        if (++this.startFailures >= this.opts.maxStartFailures) {
          this.reason = `failed to start ${this.startFailures} times in a row; last: ${why}`;
          this.opts.onLog(`unavailable: ${this.reason}`);
          throw new HostError('PROVIDER_UNAVAILABLE', `provider ${this.name}: ${this.reason}`, { cause: e });
        }
        const ms = this.nextBackoff();
        this.opts.onLog(`start failed (${why}); retrying in ${ms} ms`);
        await this.sleep(ms);
      }
    }
  }

  private nextBackoff(): number {
    const { initialMs, maxMs } = this.opts.backoff;
    return Math.min(initialMs * 2 ** this.attempt++, maxMs);
  }

  /** A delay that `stop()` cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => (this.wake = { timer: setTimeout(resolve, ms), resolve }));
  }

  /** Forks one child and resolves when it says ready; rejects when it fails, dies or is too slow first. */
  private spawnOnce(): Promise<void> {
    const worker = typeof this.opts.worker === 'string' ? this.opts.worker : fileURLToPath(this.opts.worker);
    if (this.shm === undefined && !this.opts.sharedMemory) this.shm = null;
    if (this.shm === undefined) {
      sweepStale();
      this.shm = ShmSlot.create();
      if (!this.shm) this.opts.onLog('no private folder for shared tensors; large images go through the IPC pipe');
    }
    const child = fork(worker, [], {
      serialization: 'advanced',
      env: { ...process.env, ...this.opts.env, ...(this.shm ? { [SHM_ENV]: this.shm.dir } : {}) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.spawned++;
    this.child = child;
    this.childReady = false;
    this.live.add(child);
    for (const s of [child.stdout, child.stderr]) pipeLines(s, this.opts.onLog);
    child.on('message', (m: FromChild) => this.onMessage(child, m));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.startWait = undefined;
        this.kill(child);
        reject(new Error(`the worker was not ready within ${this.opts.startMs} ms`));
      }, this.opts.startMs);
      const done = (f: () => void) => () => (clearTimeout(timer), (this.startWait = undefined), f());
      this.startWait = { resolve: done(resolve), reject: (e) => done(() => reject(e))() };
      // fork reports a missing node binary or an unreadable module as 'error' rather than an exit.
      child.on('error', (e) => this.startWait?.reject(e));
    });
  }

  private onMessage(child: ChildProcess, m: FromChild): void {
    if (child !== this.child) return;
    if (m.type === 'ready') {
      this.childReady = true;
      this.readyAt = Date.now();
      this.startWait?.resolve();
      return;
    }
    if (m.type === 'start_failed') return this.startWait?.reject(new Error(m.message));
    const cur = this.current;
    if (!cur || m.id !== cur.id) return;
    if (m.type === 'result' && !cur.cancelRequested) return this.settle(cur, this.fromWire(m.result));
    if (m.type === 'error' && !cur.cancelRequested) {
      const code = m.name === 'InvalidInputError' ? 'BAD_REQUEST' : 'INTERNAL';
      return this.settle(cur, new HostError(code, `provider ${this.name}: ${m.message}`));
    }
    // A result or error that crossed the cancel on the wire still answers a cancelled request: CANCELLED.
    this.settle(cur, new HostError('CANCELLED', `provider ${this.name}: job ${cur.id} cancelled`));
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.live.delete(child);
    if (child !== this.child) return;
    const how = describeExit(code, signal);
    this.child = undefined;
    const wasReady = this.childReady;
    this.childReady = false;
    if (this.startWait) return this.startWait.reject(new Error(`the worker ${how} before it was ready`));
    if (!wasReady) return; // a start that already failed (start_failed, or killed when too slow)
    const cur = this.current;
    if (cur) this.settle(cur, new HostError('DEVICE_LOST', `provider ${this.name}: the worker process ${how} during job ${cur.id}`));
    if (this.stopped) return;
    // A child that lived through a stable period crashed for a new reason: start the back-off again.
    if (Date.now() - this.readyAt >= this.opts.backoff.stableMs) this.attempt = 0;
    const ms = this.nextBackoff();
    this.opts.onLog(`worker ${how}; restarting in ${ms} ms`);
    this.restartIn(ms);
  }

  /** Starts a replacement in the background; `run` and `start` wait on it. */
  private restartIn(ms: number): void {
    if (this.stopped || this.starting) return;
    this.starting = this.startLoop(ms).finally(() => (this.starting = undefined));
    // Nobody may be waiting yet; the failure is kept in `reason` and rethrown by the next start().
    this.starting.catch(() => {});
  }

  /** Kills `child` now and forgets it, so that no new job goes to a process that is on its way out. */
  private kill(child: ChildProcess): void {
    if (child === this.child) {
      this.child = undefined;
      this.childReady = false;
    }
    child.kill('SIGKILL');
  }

  /** Kills the child for a job it did not finish (timeout, ignored cancel) and restarts it without back-off. */
  private abandon(cur: Running, error: HostError): void {
    if (this.current !== cur) return;
    this.settle(cur, error);
    if (this.child) this.kill(this.child);
    this.opts.onLog(`${error.message}; worker killed, restarting`);
    this.restartIn(0);
  }

  /** A large input goes into the shared folder (shm.ts); the message then carries only its size. */
  private toWire(job: ProviderJob): Wire<ProviderJob> {
    if (!this.shm || job.data.byteLength < SHM_MIN_BYTES) return job;
    const { data, ...rest } = job;
    return { ...rest, shmBytes: this.shm.writeJob(data) };
  }

  private fromWire(r: Wire<ProviderResult>): ProviderResult | HostError {
    if (r.shmBytes === undefined) return r as ProviderResult;
    if (!this.shm) return new HostError('INTERNAL', `provider ${this.name}: a result in shared memory, but none was set up`);
    const { shmBytes, ...rest } = r;
    try {
      return { ...rest, data: this.shm.readResult(shmBytes) };
    } catch (e) {
      return new HostError('INTERNAL', `provider ${this.name}: ${(e as Error).message}`);
    }
  }

  private settle(cur: Running, outcome: ProviderResult | HostError): void {
    if (this.current !== cur) return;
    this.current = undefined;
    this.reserved = false;
    cur.cleanup();
    if (outcome instanceof HostError) cur.reject(outcome);
    else cur.resolve(outcome);
  }

  /**
   * Runs one job in the child (starting it first when needed).
   *
   * @throws HostError DEVICE_LOST (the child died), TIMEOUT (`jobMs`), CANCELLED (`signal`), PROVIDER_UNAVAILABLE,
   * BAD_REQUEST or INTERNAL (the provider threw), BUSY (a job is already running: callers must queue).
   */
  async run(job: ProviderJob, signal?: AbortSignal): Promise<ProviderResult> {
    if (this.reserved) throw new HostError('BUSY', `provider ${this.name}: job ${this.current?.id ?? '?'} is running; one job at a time`);
    this.reserved = true;
    try {
      await abortable(this.start(), signal, () => new HostError('CANCELLED', `provider ${this.name}: job ${job.id} cancelled before it started`));
    } catch (e) {
      this.reserved = false;
      throw e;
    }
    const child = this.child;
    if (!child || !child.connected) {
      this.reserved = false;
      throw new HostError('DEVICE_LOST', `provider ${this.name}: the worker process went away before job ${job.id} started`);
    }
    return new Promise<ProviderResult>((resolve, reject) => this.dispatch(child, job, signal, resolve, reject));
  }

  private dispatch(child: ChildProcess, job: ProviderJob, signal: AbortSignal | undefined, resolve: Running['resolve'], reject: Running['reject']): void {
    let grace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      if (this.current !== cur || cur.cancelRequested) return;
      cur.cancelRequested = true;
      child.send({ type: 'cancel', id: job.id });
      grace = setTimeout(() => this.abandon(cur, new HostError('CANCELLED', `provider ${this.name}: job ${job.id} cancelled; the worker did not stop within ${this.opts.cancelGraceMs} ms`)), this.opts.cancelGraceMs);
    };
    const timer = setTimeout(() => this.abandon(cur, new HostError('TIMEOUT', `provider ${this.name}: job ${job.id} took longer than ${this.opts.jobMs} ms`)), this.opts.jobMs);
    const cleanup = () => (clearTimeout(timer), clearTimeout(grace), signal?.removeEventListener('abort', onAbort));
    const cur: Running = { id: job.id, resolve, reject, cleanup, cancelRequested: false };
    this.current = cur;
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      child.send({ type: 'job', job: this.toWire(job) });
    } catch (e) {
      return this.settle(cur, new HostError('INTERNAL', `provider ${this.name}: cannot hand job ${job.id} to the worker: ${(e as Error).message}`));
    }
    if (signal?.aborted) onAbort();
  }

  /**
   * Stops the provider: the running job (if any) is CANCELLED, the child is asked to exit (its IPC channel closes)
   * and killed after `stopGraceMs`. Resolves once every child this provider started has exited.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.wake) (clearTimeout(this.wake.timer), this.wake.resolve());
    this.startWait?.reject(new Error('stopped'));
    if (this.current) this.settle(this.current, new HostError('CANCELLED', `provider ${this.name}: stopped during job ${this.current.id}`));
    await Promise.all([...this.live].map((c) => this.stopChild(c)));
    await this.starting?.catch(() => {});
    this.shm?.close();
  }

  private stopChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.stopGraceMs);
      child.once('exit', () => (clearTimeout(timer), resolve()));
      // The worker exits on 'disconnect' (messages.ts); a wedged one gets SIGKILL from the timer.
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
    });
  }
}

/** `p`, or the error of `make` as soon as `signal` aborts (p keeps running: a start is shared by later jobs). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, make: () => Error): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(make());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(make());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function pipeLines(stream: NodeJS.ReadableStream | null, log: (line: string) => void): void {
  if (!stream) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) if (l.trim() !== '') log(l);
  });
  stream.on('end', () => rest.trim() !== '' && log(rest));
}
