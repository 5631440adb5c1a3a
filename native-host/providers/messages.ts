// SPDX-License-Identifier: MIT
// The messages between `ProviderProcess` (supervisor.ts) and a provider's child process, and `serveProvider`, the
// child side. They travel over Node's IPC channel with `serialization: 'advanced'` (V8's structured clone), so a
// job's Float32Array arrives as a Float32Array with no base64 or framing, and stdout/stderr stay free for the
// diagnostics that native libraries (onnxruntime, TFLite delegates) print there. Large tensors take the shared
// folder instead (shm.ts).
import { ChildShm, SHM_ENV, SHM_MIN_BYTES } from '../shm.js';

/**
 * One image of `depth` float32 channels, height × width × depth, channels innermost (protocol v1's layout). In the
 * child, a large `data` is a view of a buffer reused by the next job: a provider must not keep it past `run`.
 */
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

/**
 * On the wire, a tensor of SHM_MIN_BYTES or more travels in the shared folder (shm.ts) and the message carries
 * only `shmBytes`; smaller ones travel in `data`.
 */
export type Wire<T extends { data: Float32Array }> = Omit<T, 'data'> & { data?: Float32Array; shmBytes?: number };

export type ToChild =
  | { type: 'job'; job: Wire<ProviderJob> }
  | { type: 'cancel'; id: number };

export type FromChild =
  | { type: 'ready' }
  | { type: 'start_failed'; message: string }
  | { type: 'result'; id: number; result: Wire<ProviderResult> }
  | { type: 'error'; id: number; name: string; message: string }
  | { type: 'cancelled'; id: number };

/** The child side of a provider: `init` loads its model once; `run` answers one job at a time. */
export interface WorkerProvider {
  init(): Promise<void>;
  run(job: ProviderJob, signal: AbortSignal): Promise<ProviderResult>;
}

const shm = process.env[SHM_ENV] ? new ChildShm(process.env[SHM_ENV] as string) : undefined;

function fromWire(job: Wire<ProviderJob>): ProviderJob {
  if (job.shmBytes === undefined) return job as ProviderJob;
  if (!shm) throw new Error(`job ${job.id} is in shared memory, but ${SHM_ENV} is not set`);
  const { shmBytes, ...rest } = job;
  return { ...rest, data: shm.readJob(shmBytes) };
}

function toWire(r: ProviderResult): Wire<ProviderResult> {
  if (!shm || r.data.byteLength < SHM_MIN_BYTES) return r;
  const { data, ...rest } = r;
  return { ...rest, shmBytes: shm.writeResult(data) };
}

function send(m: FromChild): void {
  // process.send is absent when the module is run by hand rather than forked: there is nobody to answer.
  process.send?.(m);
}

async function answer(provider: WorkerProvider, wire: Wire<ProviderJob>, ac: AbortController): Promise<void> {
  const job = { id: wire.id };
  try {
    const result = await provider.run(fromWire(wire), ac.signal);
    send(ac.signal.aborted ? { type: 'cancelled', id: job.id } : { type: 'result', id: job.id, result: toWire(result) });
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
