// SPDX-License-Identifier: MIT
// `anyml host …` subcommands implemented in the host (src/cli/host.ts registers them and loads this file from the
// package's dist/native-host/ on demand). The host imports anyml's public entries like any user.
import { chmod, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { findTfliteLibrary, writeFileAtomic } from 'anyml/node';
import { discoverDevices, formatDevices, realFs } from './discovery.js';
import { installManifest } from './manifest.js';
import { tokenPath } from './token.js';

export interface DevicesFlags {
  json?: boolean;
  /** Read /sys, /proc, /dev and /etc under this folder instead of / (a fake tree, a container's root). */
  root: string;
}

/** `anyml host devices`: the accelerators this machine has and which providers could run, as text or one JSON line. */
export async function runDevices(f: DevicesFlags): Promise<void> {
  const report = await discoverDevices(realFs(f.root), {
    ldLibraryPath: process.env.LD_LIBRARY_PATH,
    tfliteLibrary: findTfliteLibrary() ?? null,
  });
  process.stdout.write(f.json ? JSON.stringify(report) + '\n' : formatDevices(report) + '\n');
}

export { runHost, runPair } from './main.js';

export interface InstallFlags {
  browser: 'chrome' | 'chromium' | 'firefox';
  extensionId: string;
  system?: boolean;
  dryRun?: boolean;
}

/**
 * `anyml host install-manifest`: a launcher script (browsers start `path` with no arguments of ours, so it adds
 * `host --stdio`) next to the token, and the browser's manifest pointing at it; `--dry-run` prints both.
 */
export async function runInstallManifest(f: InstallFlags, bin: string): Promise<void> {
  const launcher = join(dirname(tokenPath()), 'anyml-host-stdio');
  const script = `#!/bin/sh\n# Started by the browser for native messaging (anyml host install-manifest).\nexec "${process.execPath}" "${bin}" host --stdio "$@"\n`;
  const out = await installManifest({ browser: f.browser, extensionId: f.extensionId, hostPath: launcher, system: f.system, dryRun: f.dryRun });
  if (!f.dryRun) {
    await mkdir(dirname(launcher), { recursive: true, mode: 0o700 });
    await writeFileAtomic(launcher, script);
    await chmod(launcher, 0o755);
  }
  for (const { path, json } of [{ path: launcher, json: script }, ...out]) process.stdout.write(`${f.dryRun ? 'would write' : 'wrote'} ${path}:\n${json}\n`);
}
