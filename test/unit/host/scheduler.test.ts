// SPDX-License-Identifier: MIT
// The Scheduler over real test-provider child processes (dist/native-host/providers/test_worker.js, built by the
// global setup): queue limits, cancels, concurrent submitters, failures that reach the caller, and both shutdowns.
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler, type ScheduledResult } from '../../../native-host/scheduler.js';
import { HostError, ProviderProcess } from '../../../native-host/supervisor.js';
import { gone } from '../../helpers/process.js';

const worker = new URL('../../../dist/native-host/providers/test_worker.js', import.meta.url);
const schedulers: Scheduler[] = [];
afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.shutdown({ mode: 'cancel' })));
});

function setup(queueDepth = 2): { s: Scheduler; p: ProviderProcess } {
  const p = new ProviderProcess({ name: 'test', worker, jobMs: 5_000, cancelGraceMs: 200, stopGraceMs: 500, backoff: { initialMs: 10 }, onLog: () => {} });
  const s = new Scheduler([p], { queueDepth });
  schedulers.push(s);
  return { s, p };
}

const job = (id: number, options?: Record<string, unknown>, value = id) => ({ id, width: 2, height: 2, depth: 1, data: new Float32Array(4).fill(value), options });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The error a promise rejects with; attached at once, so that a rejection before the await is not unhandled. */
const failure = (p: Promise<unknown>): Promise<HostError> => p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as HostError);


describe('Scheduler', () => {
  it('a full queue is BUSY at once, retryable with fallback, and starts nothing', async () => {
    const { s, p } = setup(2);
    const running = failure(s.submit('test', job(1, { mode: 'hang' })));
    const queued = [failure(s.submit('test', job(2))), failure(s.submit('test', job(3)))];
    const t0 = performance.now();
    const e = await failure(s.submit('test', job(4)));
    expect(performance.now() - t0).toBeLessThan(100); // refused without waiting for the provider
    expect([e.code, e.retryable, e.fallback]).toEqual(['BUSY', true, true]);
    expect(s.stats().test).toMatchObject({ queued: 2, running: 1, refused: 1, done: 0 });
    await s.shutdown({ mode: 'cancel' });
    for (const f of [running, ...queued]) expect((await f).code).toBe('CANCELLED');
    expect(s.stats().test).toMatchObject({ queued: 0, running: 0, cancelled: 3, done: 0, failed: 0 });
    expect(p.state).toBe('stopped');
  });

  it('cancel of a queued job removes it; cancel of the running job is forwarded to the provider', async () => {
    const { s, p } = setup(4);
    const acRun = new AbortController();
    const acQueued = new AbortController();
    const running = failure(s.submit('test', job(1, { mode: 'hang' }), { signal: acRun.signal }));
    const queued = failure(s.submit('test', job(2), { signal: acQueued.signal }));
    const after = s.submit('test', job(3));
    await sleep(50);
    acQueued.abort();
    const q = await queued;
    expect([q.code, q.message]).toEqual(['CANCELLED', 'provider test: job 2 cancelled while queued']);
    expect(s.stats().test).toMatchObject({ queued: 1, running: 1 });
    const pid = p.pid;
    acRun.abort();
    expect((await running).code).toBe('CANCELLED');
    // The cooperative worker stopped by itself: the same child answers the next job.
    const r = await after;
    expect([...r.data]).toEqual([6, 6, 6, 6]);
    expect(r.stages.pid).toBe(pid);
    expect(s.stats().test).toMatchObject({ cancelled: 2, done: 1, failed: 0 });
  });

  it('8 concurrent submitters × 5 jobs: all answered correctly, one at a time, the queue never over its depth', async () => {
    const { s, p } = setup(4);
    let maxQueued = 0;
    let maxRunning = 0;
    const submitter = async (k: number): Promise<void> => {
      for (let j = 0; j < 5; j++) {
        const id = k * 100 + j;
        let r: ScheduledResult | undefined;
        while (!r) {
          r = await s.submit('test', job(id, { delayMs: 3 }, id)).catch((e: HostError) => {
            if (e.code !== 'BUSY') throw e;
            return undefined;
          });
          const st = s.stats().test;
          maxQueued = Math.max(maxQueued, st.queued);
          maxRunning = Math.max(maxRunning, st.running);
          if (!r) await sleep(2 + k);
        }
        expect([...r.data]).toEqual([2 * id, 2 * id, 2 * id, 2 * id]);
        expect(r.stages.queue).toBeGreaterThanOrEqual(0);
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, k) => submitter(k)));
    expect(maxQueued).toBeLessThanOrEqual(4);
    expect(maxRunning).toBeLessThanOrEqual(1);
    expect(s.stats().test).toMatchObject({ done: 40, failed: 0, queued: 0, running: 0, restarts: 0 });
    expect(s.stats().test.refused).toBeGreaterThan(0);
    expect(p.restarts).toBe(0); // one child, its model loaded once, answered all 40
  });

  it('a provider crash fails only the running job; the queued job runs on the restarted child', async () => {
    const { s } = setup(4);
    const crashed = failure(s.submit('test', job(1, { mode: 'segv' })));
    const next = s.submit('test', job(2));
    expect((await crashed).code).toBe('DEVICE_LOST');
    expect([...(await next).data]).toEqual([4, 4, 4, 4]);
    expect(s.stats().test).toMatchObject({ done: 1, failed: 1, restarts: 1 });
  });

  it('unknown and unavailable providers are PROVIDER_UNAVAILABLE', async () => {
    const bad = new ProviderProcess({ name: 'broken', worker, env: { ANYML_TEST_WORKER_FAIL_START: '1' }, maxStartFailures: 1, onLog: () => {} });
    const s = new Scheduler([bad]);
    schedulers.push(s);
    const e = await failure(s.submit('nope', job(1)));
    expect([e.code, e.message]).toEqual(['PROVIDER_UNAVAILABLE', 'unknown provider "nope"; this host has broken']);
    expect((await failure(s.submit('broken', job(2)))).message).toMatch(/no device/);
    expect((await failure(s.submit('broken', job(3)))).message).toMatch(/failed to start 1 times in a row/);
    expect(s.stats().broken).toMatchObject({ state: 'unavailable', failed: 1 });
  });

  it("shutdown 'finish' completes the running and queued jobs, refuses new ones, and stops the child", async () => {
    const { s, p } = setup(4);
    const jobs = [1, 2, 3].map((i) => s.submit('test', job(i, { delayMs: 60 })));
    await sleep(20);
    const pid = p.pid!;
    const down = s.shutdown({ mode: 'finish' });
    expect((await failure(s.submit('test', job(9)))).message).toMatch(/shutting down/);
    const results = await Promise.all(jobs);
    expect(results.map((r) => r.data[0])).toEqual([2, 4, 6]);
    await down;
    expect(await gone(pid)).toBe(true);
  });

  it("shutdown 'cancel' cancels the running (even a wedged one) and queued jobs, and stops the child", async () => {
    const { s, p } = setup(4);
    const jobs = [failure(s.submit('test', job(1, { mode: 'stubborn' }))), failure(s.submit('test', job(2)))];
    await sleep(50);
    const pid = p.pid!;
    const t0 = performance.now();
    await s.shutdown({ mode: 'cancel' });
    expect(performance.now() - t0).toBeLessThan(2_000);
    for (const f of jobs) expect((await f).code).toBe('CANCELLED');
    expect(await gone(pid)).toBe(true);
    expect(s.stats().test).toMatchObject({ state: 'stopped', cancelled: 2 });
  });
});
