// SPDX-License-Identifier: MIT
// The shared real-data folder (located by shared_data_path.ts); suites skip without it locally, fail on CI.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'vitest';
import { SHARED_DATA_PATH } from './shared_data_path.js';

/** Absolute path of the shared data folder (see shared_data_path.ts for where it is looked for). */
export const SHARED_DATA = SHARED_DATA_PATH;

/** True when the shared data folder (or `sub` inside it, e.g. 'libsvm') exists. */
export function haveSharedData(sub = ''): boolean {
  return existsSync(join(SHARED_DATA, sub));
}

/**
 * `describe(name, fn)` when the shared data folder exists. Otherwise: with `CI=true` it throws (CI must have the
 * data), else it prints why and registers the suite as skipped.
 *
 * @example
 * ```ts
 * describeWithSharedData('real files', () => {
 *   it('reads heart_scale', async () => { await readDataset(join(SHARED_DATA, 'libsvm', 'heart_scale')); });
 * });
 * ```
 */
export function describeWithSharedData(name: string, fn: () => void): void {
  if (haveSharedData()) {
    describe(name, fn);
    return;
  }
  const reason = `shared data folder ${SHARED_DATA} not found`;
  if (process.env.CI === 'true') throw new Error(`${name}: ${reason}, and CI=true requires it (CI copies shared/ beside the repo)`);
  console.warn(`[skipped] ${name}: ${reason}`);
  describe.skip(name, fn);
}
