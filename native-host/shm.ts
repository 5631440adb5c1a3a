// SPDX-License-Identifier: MIT
// Large tensors between the host and a provider's child go through two files in a private folder on tmpfs
// (/dev/shm on Linux) instead of the IPC pipe: one write and one read of the page cache per direction, where V8's
// structured clone over the pipe copies the bytes four or five times in 64 KiB reads. Only a small message with the
// byte count crosses the pipe. One job runs per child at a time (supervisor.ts), so one file per direction suffices.
// The folder is 0700 and named after the host's pid, removed on stop and at exit, and swept when a host that was
// killed left one behind.
import { closeSync, constants, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Tensors smaller than this cross the IPC pipe as they are (the files cost more than they save). */
export const SHM_MIN_BYTES = 256 * 1024;
/** The environment variable that gives a child its folder. */
export const SHM_ENV = 'ANYML_PROVIDER_SHM';
const PREFIX = 'anyml-host-';
const IN = 'job.f32';
const OUT = 'result.f32';

/** /dev/shm when it is a folder (Linux), else the temp folder (macOS: its page cache serves the same purpose). */
export function shmBase(): string {
  try {
    if (statSync('/dev/shm').isDirectory()) return '/dev/shm';
  } catch {
    // not Linux
  }
  return tmpdir();
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes the folders of hosts that no longer run (killed with SIGKILL, or crashed). Returns how many. */
export function sweepStale(base = shmBase()): number {
  let n = 0;
  for (const name of safeList(base)) {
    const pid = Number(/^anyml-host-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    rmSync(join(base, name), { recursive: true, force: true });
    n++;
  }
  return n;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readInto(fd: number, bytes: number, into?: Float32Array): Float32Array {
  const out = into ?? new Float32Array(bytes / 4);
  const view = new Uint8Array(out.buffer);
  for (let got = 0; got < bytes; ) {
    const n = readSync(fd, view, got, bytes - got, got);
    if (n === 0) throw new Error(`shared tensor file ended after ${got} of ${bytes} bytes`);
    got += n;
  }
  return out;
}

function writeAll(fd: number, data: Float32Array): number {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  for (let put = 0; put < view.length; ) put += writeSync(fd, view, put, view.length - put, put);
  return data.byteLength;
}

const open = (path: string) => openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
const live = new Set<ShmSlot>();
let exitHook = false;

/** The host's side: the folder, the job file it writes and the result file it reads. */
export class ShmSlot {
  private readonly job: number;
  private readonly result: number;
  private closed = false;

  private constructor(readonly dir: string) {
    this.job = open(join(dir, IN));
    this.result = open(join(dir, OUT));
  }

  /** A new private folder under `base`; null when none can be made (the caller then uses the pipe). */
  static create(base = shmBase()): ShmSlot | null {
    let slot: ShmSlot;
    try {
      slot = new ShmSlot(mkdtempSync(join(base, `${PREFIX}${process.pid}-`)));
    } catch {
      return null;
    }
    live.add(slot);
    if (!exitHook) (exitHook = true), process.once('exit', () => [...live].forEach((s) => s.close()));
    return slot;
  }

  writeJob(data: Float32Array): number {
    return writeAll(this.job, data);
  }

  readResult(bytes: number): Float32Array {
    return readInto(this.result, bytes);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    closeSync(this.job);
    closeSync(this.result);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The child's side of the folder its host made (`$ANYML_PROVIDER_SHM`), opened on first use. */
export class ChildShm {
  private fds: { job: number; result: number } | undefined;
  private jobBuf: Float32Array | undefined;

  constructor(private readonly dir: string) {}

  private get files() {
    this.fds ??= { job: openSync(join(this.dir, IN), 'r'), result: openSync(join(this.dir, OUT), 'r+') };
    return this.fds;
  }

  /**
   * The job's tensor in a buffer kept from job to job (one runs at a time): a fresh 4 MiB array per job costs the
   * child a page-faulting allocation and, with a model's large heap, a GC pause longer than the copy itself. The
   * view is valid until the next job.
   */
  readJob(bytes: number): Float32Array {
    if (!this.jobBuf || this.jobBuf.byteLength < bytes) this.jobBuf = new Float32Array(bytes / 4);
    return readInto(this.files.job, bytes, this.jobBuf.subarray(0, bytes / 4));
  }

  writeResult(data: Float32Array): number {
    return writeAll(this.files.result, data);
  }
}
