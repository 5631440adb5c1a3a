// SPDX-License-Identifier: MIT
// The `test` provider: no model, behaviour chosen per job, so the supervisor's and scheduler's failure paths run
// against a real child process. `options.mode`: 'echo' (default: the input × 2, after `delayMs`), 'segv' (kills
// itself with SIGSEGV mid-job, as a TFLite delegate does when libedgetpu is missing), 'hang' (never answers, but
// honours cancel), 'stubborn' (never answers and ignores cancel: a wedged native call), 'exit' (exit(3) mid-job),
// 'throw' (an ordinary error); ANYML_TEST_WORKER_MODE sets the mode of jobs that name none. ANYML_TEST_WORKER_FAIL_START=1 makes `init` fail; ANYML_TEST_WORKER_CRASH_START=1
// makes the process die before it is ready.
import { type ProviderJob, type ProviderResult, serveProvider } from './messages.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(new Error('aborted'))), { once: true });
  });

/** `t0`: when the job arrived, so that `total` covers all of run() as the real providers' does. */
function echo(job: ProviderJob, t0: number): ProviderResult {
  const out = new Float32Array(job.width * job.height);
  // Channel 0 only: providers answer one channel, as protocol v1's result does.
  for (let i = 0; i < out.length; i++) out[i] = job.data[i * job.depth] * 2;
  const ms = performance.now() - t0;
  return { data: out, stages: { model: ms, total: ms, pid: process.pid }, backend: 'test' };
}

async function run(job: ProviderJob, signal: AbortSignal): Promise<ProviderResult> {
  const t0 = performance.now();
  const mode = (job.options?.mode as string | undefined) ?? process.env.ANYML_TEST_WORKER_MODE ?? 'echo';
  const delayMs = Number(job.options?.delayMs ?? 0);
  // A short wait first, so that 'segv' and 'exit' happen mid-job rather than on receipt.
  await sleep(Math.min(delayMs, 5), signal);
  switch (mode) {
    case 'segv':
      process.kill(process.pid, 'SIGSEGV');
      return sleep(60_000) as never;
    case 'exit':
      return process.exit(3);
    case 'hang':
      return sleep(3_600_000, signal) as never;
    case 'stubborn':
      return sleep(3_600_000) as never;
    case 'throw':
      throw new RangeError(`test provider: job ${job.id} failed as asked`);
    default:
      await sleep(delayMs, signal);
      return echo(job, t0);
  }
}

if (process.env.ANYML_TEST_WORKER_CRASH_START === '1') process.kill(process.pid, 'SIGSEGV');
serveProvider({
  init: async () => {
    if (process.env.ANYML_TEST_WORKER_FAIL_START === '1') throw new Error('test provider: no device (as asked)');
  },
  run,
});
