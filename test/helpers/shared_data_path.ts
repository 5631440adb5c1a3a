// SPDX-License-Identifier: MIT
// Where ../shared/data is, with no vitest import (the browser config uses it too). In order: $ANYML_SHARED_DATA;
// ../shared/data beside this repository; ../shared/data beside the repository this one was cloned from (a fresh
// `git clone` into a temp folder, as the pre-submit check does, still finds the data that sits beside the original).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function originCheckout(): string | null {
  try {
    const url = execFileSync('git', ['-C', repo, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim();
    const path = url.startsWith('file://') ? fileURLToPath(url) : url;
    return isAbsolute(path) ? path : null; // only a local clone source; never a network remote
  } catch {
    return null;
  }
}

function locate(): string {
  const beside = join(repo, '../shared/data');
  const candidates = [process.env.ANYML_SHARED_DATA, beside];
  const origin = originCheckout();
  if (origin) candidates.push(join(origin, '../shared/data'));
  return candidates.find((c): c is string => !!c && existsSync(c)) ?? beside;
}

/** Absolute path of the shared data folder (it may not exist: suites then skip locally and fail under CI=true). */
export const SHARED_DATA_PATH = locate();
