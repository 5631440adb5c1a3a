// SPDX-License-Identifier: MIT
// Node only: OS error reasons in plain words, and output paths checked before any work starts (so a run is not
// lost to an unwritable path at its end).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { InvalidInputError } from '../errors.js';

/** "ENOENT: no such file or directory" from a Node system error, said once (no repeated code, no repeated path). */
export function osReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const msg = err?.message ?? String(e);
  if (!err?.code) return msg;
  const text = msg.startsWith(`${err.code}: `) ? msg.slice(err.code.length + 2) : msg;
  return `${err.code}: ${text.replace(/, \w+ '.*'$/, '')}`;
}

const exists = (p: string) => stat(p).then((s) => s, () => undefined);

/**
 * Checks that `path` can be written as a file: not a directory, in an existing writable folder, writable if it
 * exists, and (when `extensions` is given) with one of them. Throws InvalidInputError naming `what` and the path.
 */
export async function checkOutputFile(path: string, what: string, extensions?: readonly string[]): Promise<void> {
  const where = `${what} ${path}`;
  if (extensions && !extensions.includes(extname(path).toLowerCase())) {
    throw new InvalidInputError(where, `extension '${extname(path) || '(none)'}'`, extensions.join(', '), 'unknown output format');
  }
  const st = await exists(path);
  if (st?.isDirectory()) throw new InvalidInputError(where, 'a directory', 'a file path (the folder exists: name a file inside it)');
  const dir = dirname(resolve(path));
  const d = await exists(dir);
  if (!d?.isDirectory()) throw new InvalidInputError(where, `a path in ${dir}, which ${d ? 'is not a directory' : 'does not exist'}`, 'a file in an existing folder');
  await access(st ? path : dir, constants.W_OK).catch((e: unknown) => {
    throw new InvalidInputError(where, `an unwritable ${st ? 'file' : 'folder'} (${osReason(e)})`, 'a path this user can write');
  });
}

/** Checks that `path` can be used as an output folder: an existing writable directory, or creatable in one. */
export async function checkOutputDir(path: string, what: string): Promise<void> {
  const where = `${what} ${path}`;
  const st = await exists(path);
  if (st && !st.isDirectory()) throw new InvalidInputError(where, 'an existing file', 'a folder (existing, or to be created)');
  let dir = resolve(path);
  if (!st) {
    // mkdir -p creates the missing parents: the nearest existing ancestor must be a writable folder.
    while (!(await exists(dir))) dir = dirname(dir);
    if (!(await exists(dir))!.isDirectory()) throw new InvalidInputError(where, `a path under ${dir}, which is not a directory`, 'a folder path');
  }
  await access(dir, constants.W_OK).catch((e: unknown) => {
    throw new InvalidInputError(where, `an unwritable folder ${dir} (${osReason(e)})`, 'a folder this user can write');
  });
}
