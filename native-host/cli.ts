// SPDX-License-Identifier: MIT
// `anyml host …` subcommands implemented in the host (src/cli/host.ts registers them and loads this file from the
// package's dist/native-host/ on demand). The host imports anyml's public entries like any user.
import { findTfliteLibrary } from 'anyml/node';
import { discoverDevices, formatDevices, realFs } from './discovery.js';

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
