// SPDX-License-Identifier: MIT
// The shared folder for large tensors (native-host/shm.ts) on its own — permissions, both directions, cleanup, the
// sweep of folders left by dead hosts — and under ProviderProcess: a 1 MiB job goes through the folder, not the
// pipe, with the same answer as over the pipe, and the folder is gone once the provider stops.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildShm, SHM_MIN_BYTES, ShmSlot, sweepStale } from '../../../native-host/shm.js';
import { ProviderProcess } from '../../../native-host/supervisor.js';

const bases: string[] = [];
const base = () => {
  const b = mkdtempSync(join(tmpdir(), 'anyml-shm-test-'));
  bases.push(b);
  return b;
};
const procs: ProviderProcess[] = [];
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.stop()));
  for (const b of bases.splice(0)) rmSync(b, { recursive: true, force: true });
});

const ramp = (n: number, k = 1) => Float32Array.from({ length: n }, (_, i) => ((i * 37) % 251) * k + 0.25);

describe('ShmSlot / ChildShm', () => {
  it('a private folder (0700, files 0600) carries a job one way and a result back; close removes it', () => {
    const slot = ShmSlot.create(base())!;
    expect(statSync(slot.dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(slot.dir)) expect(statSync(join(slot.dir, f)).mode & 0o777).toBe(0o600);
    const child = new ChildShm(slot.dir);
    const x = ramp(300_000);
    expect(slot.writeJob(x)).toBe(x.byteLength);
    const seen = child.readJob(x.byteLength);
    expect(seen).toEqual(x);
    // A smaller job later reuses the child's buffer: the view has the new length and the new values.
    const y = ramp(1000, 3);
    slot.writeJob(y);
    const again = child.readJob(y.byteLength);
    expect(again.buffer).toBe(seen.buffer);
    expect(again).toEqual(y);
    const r = ramp(200_000, 2);
    child.writeResult(r);
    expect(slot.readResult(r.byteLength)).toEqual(r);
    expect(() => slot.readResult(64 << 20)).toThrow(/ended after \d+ of 67108864 bytes/);
    slot.close();
    expect(existsSync(slot.dir)).toBe(false);
  });

  it('create returns null where no folder can be made, so the caller keeps the pipe', () => {
    expect(ShmSlot.create('/nonexistent/anyml')).toBeNull();
  });

  it("sweepStale removes the folders of dead hosts only, never a live host's or its own", () => {
    const b = base();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    for (const name of [`anyml-host-${dead}-abc`, `anyml-host-${process.pid}-own`, 'anyml-host-1-init', 'unrelated']) mkdirSync(join(b, name));
    expect(sweepStale(b)).toBe(1);
    expect(readdirSync(b).sort()).toEqual(['anyml-host-1-init', `anyml-host-${process.pid}-own`, 'unrelated'].sort());
  });
});

describe('ProviderProcess with the shared folder', () => {
  const worker = new URL('../../../dist/native-host/providers/test_worker.js', import.meta.url);
  const make = (sharedMemory: boolean) => {
    const p = new ProviderProcess({ name: 'test', worker, sharedMemory, onLog: () => {} });
    procs.push(p);
    return p;
  };

  it('a 1 MiB job crosses through the folder, equal to the pipe, and the folder goes with stop()', async () => {
    const [shm, pipe] = [make(true), make(false)];
    const w = 512, h = 512;
    expect(w * h * 4).toBeGreaterThan(SHM_MIN_BYTES);
    const data = ramp(w * h);
    const viaShm = await shm.run({ id: 1, width: w, height: h, depth: 1, data });
    const viaPipe = await pipe.run({ id: 1, width: w, height: h, depth: 1, data });
    expect(viaShm.data).toEqual(viaPipe.data);
    expect(viaShm.data[7]).toBe(data[7] * 2);
    expect(pipe.sharedFolder).toBeUndefined();
    const dir = shm.sharedFolder!;
    expect(statSync(join(dir, 'job.f32')).size).toBe(w * h * 4);
    expect(statSync(join(dir, 'result.f32')).size).toBe(w * h * 4);
    // Small jobs keep to the pipe and leave the folder's files as they were.
    expect(Array.from((await shm.run({ id: 2, width: 2, height: 1, depth: 1, data: Float32Array.of(1, 2) })).data)).toEqual([2, 4]);
    expect(statSync(join(dir, 'job.f32')).size).toBe(w * h * 4);
    await shm.stop();
    expect(existsSync(dir)).toBe(false);
  });
});
