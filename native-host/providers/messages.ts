// SPDX-License-Identifier: MIT
// The messages between `ProviderProcess` (supervisor.ts) and a provider's child process, and `serveProvider`, the
// child side. They travel over Node's IPC channel with `serialization: 'advanced'` (V8's structured clone), so a
// job's Float32Array arrives as a Float32Array with no base64 or framing, and stdout/stderr stay free for the
// diagnostics that native libraries (onnxruntime, TFLite delegates) print there.

/** One image of `depth` float32 channels, height × width × depth, channels innermost (protocol v1's layout). */
export interface ProviderJob {
  id: number;
  width: number;
  height: number;
  depth: number;
  data: Float32Array;
  /** Provider-specific options (the cpu provider: `scale`; the test provider: `mode`, `delayMs`). */
  options?: Record<string, unknown>;
}

/** What a provider answers: one float32 channel, height × width, and the milliseconds of each stage. */
export interface ProviderResult {
  data: Float32Array;
  stages: Record<string, number>;
  /** The backend or runtime that ran the job, in the provider's words (the cpu provider: `native`, `wasm`). */
  backend?: string;
}

export type ToChild =
  | { type: 'job'; job: ProviderJob }
  | { type: 'cancel'; id: number };

export type FromChild =
  | { type: 'ready' }
  | { type: 'start_failed'; message: string }
  | { type: 'result'; id: number; result: ProviderResult }
  | { type: 'error'; id: number; name: string; message: string }
  | { type: 'cancelled'; id: number };

/** The child side of a provider: `init` loads its model once; `run` answers one job at a time. */
export interface WorkerProvider {
  init(): Promise<void>;
  run(job: ProviderJob, signal: AbortSignal): Promise<ProviderResult>;
}

function send(m: FromChild): void {
  // process.send is absent when the module is run by hand rather than forked: there is nobody to answer.
  process.send?.(m);
}

async function answer(provider: WorkerProvider, job: ProviderJob, ac: AbortController): Promise<void> {
  try {
    const result = await provider.run(job, ac.signal);
    send(ac.signal.aborted ? { type: 'cancelled', id: job.id } : { type: 'result', id: job.id, result });
  } catch (e) {
    if (ac.signal.aborted) send({ type: 'cancelled', id: job.id });
    else send({ type: 'error', id: job.id, name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) });
  }
}

/**
 * Runs `provider` in this (forked) process: loads it, says `ready`, then answers jobs. Exits when the parent goes
 * away (the IPC channel closes), so a host killed with SIGKILL leaves no workers behind holding a device.
 */
export function serveProvider(provider: WorkerProvider): void {
  const running = new Map<number, AbortController>();
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: ToChild) => {
    if (m.type === 'cancel') running.get(m.id)?.abort();
    if (m.type !== 'job') return;
    const ac = new AbortController();
    running.set(m.job.id, ac);
    void answer(provider, m.job, ac).finally(() => running.delete(m.job.id));
  });
  provider.init().then(
    () => send({ type: 'ready' }),
    (e: unknown) => {
      const m: FromChild = { type: 'start_failed', message: e instanceof Error ? e.message : String(e) };
      // Exit only once the message is flushed: the parent reports it as the reason the provider cannot start.
      if (process.send) process.send(m, () => process.exit(1));
      else process.exit(1);
    },
  );
}
