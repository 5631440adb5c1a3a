// SPDX-License-Identifier: MIT
// The scheduler of `anyml host`: one FIFO queue per provider, one job at a time per provider (a device, or the CPU
// that one provider's thread pool already fills, gains nothing from two), BUSY at once when a queue is full so that a
// client falls back to running the model itself instead of waiting, per-request cancel, and the two shutdowns of
// SIGINT/SIGTERM. Models stay loaded in the providers' child processes (supervisor.ts) between jobs.
import { DEFAULT_LIMITS } from './security.js';
import { HostError, type ProviderJob, type ProviderProcess, type ProviderResult, type ProviderState } from './supervisor.js';

export interface SchedulerOptions {
  /** Jobs waiting per provider (the running one not counted) before BUSY. Default DEFAULT_LIMITS.queueDepth. */
  queueDepth?: number;
}

export interface SubmitOptions {
  /** Aborting cancels the job: a queued one leaves the queue, a running one is cancelled in its provider. */
  signal?: AbortSignal;
}

/** A provider's answer; `stages.queue` is the milliseconds the job waited in the queue. */
export interface ScheduledResult extends ProviderResult {
  provider: string;
}

export interface ProviderStats {
  state: ProviderState;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
  /** Jobs refused with BUSY. */
  refused: number;
  restarts: number;
}

export type ShutdownMode = 'finish' | 'cancel';

interface Entry {
  job: ProviderJob;
  enqueuedAt: number;
  resolve: (r: ScheduledResult) => void;
  reject: (e: unknown) => void;
  /** Cancels a running job in its provider. */
  ac: AbortController;
  detach: () => void;
}

interface Lane {
  proc: ProviderProcess;
  queue: Entry[];
  running: Entry | undefined;
  counts: { done: number; failed: number; cancelled: number; refused: number };
  idle: (() => void)[];
}

const cancelled = (provider: string, id: number, why: string) => new HostError('CANCELLED', `provider ${provider}: job ${id} ${why}`);

/**
 * Queues jobs for providers.
 *
 * @example
 * const s = new Scheduler([new ProviderProcess({ name: 'cpu', worker })]);
 * const { data, stages } = await s.submit('cpu', { id: 7, width, height, depth: 1, data }, { signal });
 * process.once('SIGTERM', () => void s.shutdown({ mode: 'finish' }));
 */
export class Scheduler {
  private readonly lanes = new Map<string, Lane>();
  private readonly depth: number;
  private closing = false;

  constructor(providers: Iterable<ProviderProcess>, options: SchedulerOptions = {}) {
    this.depth = options.queueDepth ?? DEFAULT_LIMITS.queueDepth;
    if (!Number.isSafeInteger(this.depth) || this.depth < 0) throw new RangeError(`Scheduler: options.queueDepth must be an integer ≥ 0, got ${this.depth}`);
    for (const proc of providers) {
      if (this.lanes.has(proc.name)) throw new RangeError(`Scheduler: two providers are named ${JSON.stringify(proc.name)}`);
      this.lanes.set(proc.name, { proc, queue: [], running: undefined, counts: { done: 0, failed: 0, cancelled: 0, refused: 0 }, idle: [] });
    }
  }

  /** Starts every provider now (loading their models) rather than on its first job; reports each failure. */
  async start(): Promise<PromiseSettledResult<void>[]> {
    return Promise.allSettled([...this.lanes.values()].map((l) => l.proc.start()));
  }

  /**
   * Queues `job` for `provider` and resolves with its result.
   *
   * @throws HostError BUSY (queue full, nothing started), PROVIDER_UNAVAILABLE (unknown, failed or shutting down),
   * CANCELLED, and whatever the provider answers (DEVICE_LOST, TIMEOUT, …).
   */
  submit(provider: string, job: ProviderJob, options: SubmitOptions = {}): Promise<ScheduledResult> {
    const lane = this.lanes.get(provider);
    if (this.closing) return Promise.reject(new HostError('PROVIDER_UNAVAILABLE', `provider ${provider}: the host is shutting down`));
    if (!lane) return Promise.reject(new HostError('PROVIDER_UNAVAILABLE', `unknown provider ${JSON.stringify(provider)}; this host has ${[...this.lanes.keys()].join(', ') || 'none'}`));
    if (lane.proc.state === 'unavailable') return Promise.reject(new HostError('PROVIDER_UNAVAILABLE', `provider ${provider}: ${lane.proc.reason}`));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(cancelled(provider, job.id, 'cancelled before it was queued'));
    // A job that would start at once waits for nothing, so it is taken even with queueDepth 0.
    const wouldWait = lane.running !== undefined || lane.queue.length > 0;
    if (wouldWait && lane.queue.length >= this.depth) {
      lane.counts.refused++;
      return Promise.reject(new HostError('BUSY', `provider ${provider}: ${lane.queue.length} jobs are waiting (the limit); try again later or run the model locally`));
    }
    return new Promise<ScheduledResult>((resolve, reject) => {
      const entry: Entry = { job, enqueuedAt: performance.now(), resolve, reject, ac: new AbortController(), detach: () => {} };
      const onAbort = () => this.cancelEntry(lane, entry);
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.detach = () => signal?.removeEventListener('abort', onAbort);
      lane.queue.push(entry);
      this.pump(lane);
    });
  }

  /** A queued entry leaves the queue at once; a running one is cancelled in the provider, which answers CANCELLED. */
  private cancelEntry(lane: Lane, entry: Entry): void {
    const i = lane.queue.indexOf(entry);
    if (i >= 0) {
      lane.queue.splice(i, 1);
      lane.counts.cancelled++;
      entry.detach();
      entry.reject(cancelled(lane.proc.name, entry.job.id, 'cancelled while queued'));
      this.notifyIdle(lane);
    } else if (lane.running === entry) entry.ac.abort();
  }

  /** Starts the next job when the provider is free. */
  private pump(lane: Lane): void {
    if (lane.running) return;
    const entry = lane.queue.shift();
    if (!entry) return this.notifyIdle(lane);
    lane.running = entry;
    const queueMs = performance.now() - entry.enqueuedAt;
    lane.proc.run(entry.job, entry.ac.signal).then(
      (r) => {
        lane.counts.done++;
        entry.resolve({ ...r, stages: { ...r.stages, queue: queueMs }, provider: lane.proc.name });
      },
      (e: unknown) => {
        if (e instanceof HostError && e.code === 'CANCELLED') lane.counts.cancelled++;
        else lane.counts.failed++;
        entry.reject(e);
      },
    ).finally(() => {
      entry.detach();
      lane.running = undefined;
      this.pump(lane);
    });
  }

  private notifyIdle(lane: Lane): void {
    if (lane.running || lane.queue.length > 0) return;
    for (const f of lane.idle.splice(0)) f();
  }

  private whenIdle(lane: Lane): Promise<void> {
    if (!lane.running && lane.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => lane.idle.push(resolve));
  }

  /** Per provider: its state, jobs waiting and running, and the outcomes so far. */
  stats(): Record<string, ProviderStats> {
    const out: Record<string, ProviderStats> = {};
    for (const [name, l] of this.lanes) {
      out[name] = { state: l.proc.state, queued: l.queue.length, running: l.running ? 1 : 0, ...l.counts, restarts: l.proc.restarts };
    }
    return out;
  }

  /**
   * Stops taking jobs, then `finish`: lets every accepted job (running and queued) complete, each still bounded by
   * the provider's job timeout; or `cancel`: cancels the queued jobs and the running ones (CANCELLED). Then stops
   * every provider's child process. Idempotent.
   */
  async shutdown({ mode }: { mode: ShutdownMode }): Promise<void> {
    this.closing = true;
    const lanes = [...this.lanes.values()];
    if (mode === 'cancel') {
      for (const lane of lanes) {
        for (const entry of [...lane.queue]) this.cancelEntry(lane, entry);
        lane.running?.ac.abort();
      }
    }
    await Promise.all(lanes.map((l) => this.whenIdle(l)));
    await Promise.all(lanes.map((l) => l.proc.stop()));
  }
}
