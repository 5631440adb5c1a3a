// SPDX-License-Identifier: MIT
// ProviderProcess against real child processes: the compiled workers in dist/native-host/providers/ (built by the
// global setup). The test provider crashes, exits, hangs or ignores cancels on request; the cpu provider is checked
// bit for bit against an in-process denoise with the same weights.
import { afterEach, describe, expect, it } from 'vitest';
import { HostError, ProviderProcess, type ProviderProcessOptions } from '../../../native-host/supervisor.js';
import { loadDefaultWeights } from '../../../src/tomogan/default_weights.js';
import { denoise } from '../../../src/tomogan/denoise.js';
import { randomImage } from '../../helpers/tomogan.js';
import { gone } from '../../helpers/process.js';

const worker = (name: string) => new URL(`../../../dist/native-host/providers/${name}.js`, import.meta.url);
const procs: ProviderProcess[] = [];
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.stop()));
});

/** A test provider with short delays, so that crashes, timeouts and back-off take milliseconds. */
function testProvider(over: Partial<ProviderProcessOptions> = {}, logs: string[] = []): ProviderProcess {
  const p = new ProviderProcess({
    name: 'test', worker: worker('test_worker'), jobMs: 2_000, cancelGraceMs: 200, stopGraceMs: 500,
    backoff: { initialMs: 10, maxMs: 40, stableMs: 60_000 }, onLog: (l) => logs.push(l), ...over,
  });
  procs.push(p);
  return p;
}

const job = (id: number, options?: Record<string, unknown>) => ({ id, width: 3, height: 2, depth: 1, data: Float32Array.from([1, 2, 3, 4, 5, 6]), options });
const DOUBLED = [2, 4, 6, 8, 10, 12];


async function failure(p: Promise<unknown>): Promise<HostError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(HostError);
  return e as HostError;
}

describe('ProviderProcess', () => {
  it('cpu: the child answers exactly what an in-process denoise answers with the same weights', async () => {
    const p = new ProviderProcess({ name: 'cpu', worker: worker('cpu_worker'), onLog: () => {} });
    procs.push(p);
    const model = await loadDefaultWeights();
    const image = randomImage(96, 80, model.depth, 7);
    const [local, remote] = await Promise.all([denoise(image, { model }), p.run({ id: 1, ...image, data: image.data.slice() })]);
    expect(remote.backend).toBe(local.backend);
    expect(remote.data.length).toBe(96 * 80);
    expect(Buffer.from(remote.data.buffer, remote.data.byteOffset, remote.data.byteLength).equals(Buffer.from(local.image.data.buffer, local.image.data.byteOffset, local.image.data.byteLength))).toBe(true);
    expect(remote.stages.total).toBeGreaterThanOrEqual(remote.stages.model);
    // anyml's own validation error in the child is the request's fault: BAD_REQUEST, and the child stays.
    const pid = p.pid;
    const e = await failure(p.run({ id: 2, ...image, options: { scale: 'bogus' } }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/scale/);
    expect(p.pid).toBe(pid);
    model.dispose();
  });

  it('a SIGSEGV mid-job is DEVICE_LOST for that job; the child restarts and the next job succeeds', async () => {
    const logs: string[] = [];
    const p = testProvider({}, logs);
    await p.start();
    const pid = p.pid!;
    const e = await failure(p.run(job(1, { mode: 'segv' })));
    expect(e.code).toBe('DEVICE_LOST');
    expect(e.message).toMatch(/killed by SIGSEGV during job 1/);
    expect([e.retryable, e.fallback]).toEqual([false, true]);
    expect(await gone(pid)).toBe(true);
    const r = await p.run(job(2));
    expect([...r.data]).toEqual(DOUBLED);
    expect(r.stages.pid).not.toBe(pid);
    expect(p.restarts).toBe(1);
    expect(logs.some((l) => /SIGSEGV; restarting in 10 ms/.test(l))).toBe(true);
  });

  it('exit(3) mid-job is DEVICE_LOST naming the exit code', async () => {
    const p = testProvider();
    const e = await failure(p.run(job(1, { mode: 'exit' })));
    expect(e.code).toBe('DEVICE_LOST');
    expect(e.message).toMatch(/exited with code 3/);
    expect([...(await p.run(job(2))).data]).toEqual(DOUBLED);
  });

  it('restarts back off exponentially up to maxMs, and from the start again after a stable period', async () => {
    const logs: string[] = [];
    const p = testProvider({ backoff: { initialMs: 10, maxMs: 40, stableMs: 300 } }, logs);
    for (let i = 0; i < 4; i++) expect((await failure(p.run(job(i, { mode: 'segv' })))).code).toBe('DEVICE_LOST');
    await p.start();
    await new Promise((r) => setTimeout(r, 350));
    await failure(p.run(job(9, { mode: 'segv' })));
    const delays = logs.filter((l) => l.includes('restarting in')).map((l) => Number(/in (\d+) ms/.exec(l)![1]));
    expect(delays).toEqual([10, 20, 40, 40, 10]);
  });

  it('a job over jobMs is TIMEOUT; the child is killed and replaced', async () => {
    const p = testProvider({ jobMs: 150 });
    await p.start();
    const pid = p.pid!;
    const t0 = performance.now();
    const e = await failure(p.run(job(1, { mode: 'stubborn' })));
    expect(e.code).toBe('TIMEOUT');
    expect([e.retryable, e.fallback]).toEqual([true, true]);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(await gone(pid)).toBe(true);
    expect([...(await p.run(job(2))).data]).toEqual(DOUBLED);
  });

  it('cancel: a child that stops keeps running; one that ignores the cancel is killed after the grace period', async () => {
    const p = testProvider();
    await p.start();
    const pid = p.pid!;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    expect((await failure(p.run(job(1, { mode: 'hang' }), ac.signal))).code).toBe('CANCELLED');
    expect(p.pid).toBe(pid);
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(), 30);
    const t0 = performance.now();
    const e = await failure(p.run(job(2, { mode: 'stubborn' }), ac2.signal));
    expect(e.code).toBe('CANCELLED');
    expect(e.message).toMatch(/did not stop within 200 ms/);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
    expect(await gone(pid)).toBe(true);
    expect([...(await p.run(job(3))).data]).toEqual(DOUBLED);
  });

  it('an error thrown by the provider is INTERNAL and keeps the child', async () => {
    const p = testProvider();
    await p.start();
    const pid = p.pid;
    const e = await failure(p.run(job(1, { mode: 'throw' })));
    expect([e.code, e.message]).toEqual(['INTERNAL', 'provider test: test provider: job 1 failed as asked']);
    expect(p.pid).toBe(pid);
  });

  it('a second concurrent run is BUSY: callers queue (the scheduler does)', async () => {
    const p = testProvider();
    const first = p.run(job(1, { delayMs: 50 }));
    expect((await failure(p.run(job(2)))).code).toBe('BUSY');
    expect([...(await first).data]).toEqual(DOUBLED);
  });

  it.each([
    ['init fails', { ANYML_TEST_WORKER_FAIL_START: '1' }, /failed to start 3 times in a row; last: test provider: no device \(as asked\)/],
    ['the process dies', { ANYML_TEST_WORKER_CRASH_START: '1' }, /failed to start 3 times in a row; last: the worker was killed by SIGSEGV before it was ready/],
  ])('a provider whose start fails 3 times in a row (%s) is unavailable, with the reason', async (_, env, reason) => {
    const p = testProvider({ env });
    const e = await failure(p.start());
    expect(e.code).toBe('PROVIDER_UNAVAILABLE');
    expect(e.message).toMatch(reason);
    expect(p.state).toBe('unavailable');
    expect(p.reason).toMatch(reason);
    expect((await failure(p.run(job(1)))).code).toBe('PROVIDER_UNAVAILABLE');
    expect(p.restarts).toBe(2);
  });

  it('a start that takes longer than startMs fails', async () => {
    const p = testProvider({ startMs: 1, maxStartFailures: 1 });
    expect((await failure(p.start())).message).toMatch(/not ready within 1 ms/);
  });

  it('stop cancels the running job and leaves no child process', async () => {
    const p = testProvider();
    await p.start();
    const pid = p.pid!;
    const running = failure(p.run(job(1, { mode: 'stubborn' })));
    await new Promise((r) => setTimeout(r, 20));
    await p.stop();
    expect((await running).code).toBe('CANCELLED');
    expect(await gone(pid)).toBe(true);
    expect(p.state).toBe('stopped');
    expect((await failure(p.run(job(2)))).code).toBe('PROVIDER_UNAVAILABLE');
  });
});
