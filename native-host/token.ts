// SPDX-License-Identifier: MIT
// The per-user token of `anyml host`: 32 random bytes in a 0600 file under the user's config folder (XDG base
// directory spec on Linux), created atomically so that two hosts starting together agree on one, and compared in
// constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, link, lstat, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { HostSecurityError } from './security.js';

/** The token: 32 random bytes written as 64 lowercase hex digits. */
export const TOKEN_BYTES = 32;
const TOKEN_RE = /^[0-9a-f]{64}$/;

/**
 * Where the per-user token lives. Linux and other Unixes: `$XDG_CONFIG_HOME/anyml/host-token`, or
 * `~/.config/anyml/host-token` when it is unset, empty or relative (XDG Base Directory Specification:
 * https://specifications.freedesktop.org/basedir-spec/latest/). macOS: `~/Library/Application Support/anyml/host-token`
 * (Apple's File System Programming Guide). Windows is refused: file modes do not protect a file there (ACLs would).
 */
export function tokenPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (platform === 'win32') {
    throw new HostSecurityError('UNSAFE_TOKEN_FILE', 'anyml host: the token file is not supported on Windows yet');
  }
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', 'anyml', 'host-token');
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.config');
  return posix.join(base, 'anyml', 'host-token');
}

/** What `ensureToken` found or made. */
export interface TokenFile {
  token: string;
  path: string;
  /** true when this call created the file. */
  created: boolean;
}

const unsafe = (path: string, what: string, fix: string) =>
  new HostSecurityError('UNSAFE_TOKEN_FILE', `anyml host: ${path}: ${what}; ${fix}`);

/** Refuses a folder that others can write to (they could swap the token) or that another user owns. */
async function checkTokenDir(dir: string): Promise<void> {
  const s = await stat(dir);
  if (!s.isDirectory()) throw unsafe(dir, 'not a folder', 'remove it');
  if (process.getuid && s.uid !== process.getuid()) throw unsafe(dir, 'owned by another user', `chown it or remove it`);
  if (s.mode & 0o022) throw unsafe(dir, `writable by group or others (mode ${octal(s.mode)})`, `run: chmod 700 '${dir}'`);
}

const octal = (mode: number) => '0' + (mode & 0o777).toString(8);

/**
 * Reads an existing token file; `undefined` when there is none. Refuses a symlink, a file others can read
 * (mode & 077), one another user owns, and contents that are not 64 hex digits — each with the command that fixes it.
 */
async function readToken(path: string): Promise<string | undefined> {
  let s;
  try {
    s = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (!s.isFile()) throw unsafe(path, 'not a regular file', `remove it ('rm ${path}') and start the host again`);
  if (process.getuid && s.uid !== process.getuid()) throw unsafe(path, 'owned by another user', `remove it ('rm ${path}')`);
  if (s.mode & 0o077) {
    throw unsafe(path, `readable or writable by group or others (mode ${octal(s.mode)})`, `run: chmod 600 '${path}'`);
  }
  const text = (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
  if (!TOKEN_RE.test(text)) {
    throw unsafe(path, `not a token (expected ${TOKEN_BYTES * 2} hex digits)`, `remove it ('rm ${path}') to have a new one made`);
  }
  return text;
}

/**
 * Returns the token at `path`, creating it when absent: 32 bytes from the OS CSPRNG, mode 0600, in a folder created
 * 0700. The new file is written to a temp file and then hard-linked into place: unlike rename, link fails when the
 * name exists (POSIX link(2)), so two hosts starting together agree on one token instead of the second silently
 * replacing the first. Filesystems without hard links fall back to rename.
 *
 * @example
 * const { token, created } = await ensureToken(tokenPath());
 */
export async function ensureToken(path: string): Promise<TokenFile> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await checkTokenDir(dir);
  const existing = await readToken(path);
  if (existing !== undefined) return { token: existing, path, created: false };
  const token = randomBytes(TOKEN_BYTES).toString('hex');
  const tmp = tempPath(path);
  try {
    await writeFile(tmp, token, { mode: 0o600, flag: 'wx', flush: true });
    await chmod(tmp, 0o600); // the umask can only clear bits, but be explicit
    await linkOrRename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    // Another host created it between our read and our link: use theirs.
    const theirs = (err as NodeJS.ErrnoException).code === 'EEXIST' ? await readToken(path) : undefined;
    if (theirs !== undefined) return { token: theirs, path, created: false };
    throw err;
  }
  return { token, path, created: true };
}

/**
 * A temp name next to `path` (same folder, so link and rename stay on one filesystem), hidden and unique per process
 * and call. Shared with manifest.ts.
 */
export function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

async function linkOrRename(tmp: string, path: string): Promise<void> {
  try {
    await link(tmp, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    await rename(tmp, path);
  }
  await unlink(tmp).catch(() => {});
}

/**
 * Compares a presented token with the real one in constant time. `timingSafeEqual` throws on unequal lengths and
 * would leak the length through that early exit, so both sides are hashed to 32 bytes first; a length check is
 * folded in after the constant-time compare.
 */
export function tokensEqual(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
