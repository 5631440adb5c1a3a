// SPDX-License-Identifier: MIT
// Node only: files that are either complete or absent (a temp file in the same folder, then rename), also when the
// process is interrupted: temp files in flight are removed on SIGINT / SIGTERM.
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { osReason } from './files.js';

const inFlight = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Removes the temp files in flight, then lets the signal end the process as it would have without this handler
 * (exit 130 / 143) — unless the application listens to it too, in which case its handler decides.
 */
function onSignal(signal: NodeJS.Signals): void {
  for (const t of inFlight) {
    try {
      unlinkSync(t);
    } catch {
      // already gone
    }
  }
  inFlight.clear();
  if (process.listenerCount(signal) > 1) return;
  unlisten();
  process.kill(process.pid, signal);
}

function listen(): void {
  if (inFlight.size === 1) for (const s of SIGNALS) process.on(s, onSignal);
}
function unlisten(): void {
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** A temp file next to `path`, removed on a signal until it is committed (renamed to `path`) or aborted. */
export interface AtomicFile {
  readonly tmp: string;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

function done(tmp: string): void {
  inFlight.delete(tmp);
  if (inFlight.size === 0) unlisten();
}

/** Starts an atomic write of `path`; errors of commit name `path`, never the temp file. */
export function beginAtomic(path: string): AtomicFile {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  inFlight.add(tmp);
  listen();
  return {
    tmp,
    async commit() {
      try {
        await rename(tmp, path);
      } catch (err) {
        await unlink(tmp).catch(() => {});
        throw unwritable(path, err);
      } finally {
        done(tmp);
      }
    },
    async abort() {
      await unlink(tmp).catch(() => {});
      done(tmp);
    },
  };
}

/** The InvalidInputError for a path that cannot be written, with the OS reason. */
export function unwritable(path: string, err: unknown): InvalidInputError {
  return new InvalidInputError(path, `an unwritable path (${osReason(err)})`, 'a writable file in an existing folder', 'cannot write');
}

/** Writes `data` to `path` atomically: readers never see a half-written file, and a failure leaves no temp file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const f = beginAtomic(path);
  try {
    await writeFile(f.tmp, data, { flush: true });
  } catch (err) {
    await f.abort();
    throw unwritable(path, err);
  }
  await f.commit();
}
