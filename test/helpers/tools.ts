// SPDX-License-Identifier: MIT
// System tools some tests need: skip with a printed reason on a user's machine, fail under CI=true.
import { existsSync } from 'node:fs';

/** Returns a reason string when `path` is missing (outside CI), throws under CI=true, or null when present. */
export function missingTool(path: string, install: string): string | null {
  if (existsSync(path)) return null;
  const reason = `${path} is missing (install: ${install}, or run scripts/setup-system.sh)`;
  if (process.env.CI === 'true') throw new Error(`CI=true requires ${reason}`);
  console.warn(`skipping: ${reason}`);
  return reason;
}
