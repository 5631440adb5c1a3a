// SPDX-License-Identifier: MIT
// `anyml host …`: the local inference host (native-host/, built into dist/native-host/). Only `devices` is
// registered so far; the WebSocket / native-messaging front ends come with the host process itself.
import type { Command } from 'commander';

/** The host's own code, a sibling of dist/cli/ in the package (never loaded by the other commands). */
async function hostCli(): Promise<{ runDevices(flags: { json?: boolean; root: string }): Promise<void> }> {
  return import(new URL('../native-host/cli.js', import.meta.url).href);
}

export function registerHostCommands(program: Command): void {
  const host = program.command('host').description('the local inference host: accelerators of this machine');
  host
    .command('devices')
    .description('list the Edge TPUs (USB / PCIe), Jetson, NVIDIA GPUs and CPU found, and which host providers could run')
    .option('--root <dir>', 'read /sys, /proc, /dev and /etc under this folder', '/')
    .option('--json', 'print one JSON object')
    .action(async (flags) => (await hostCli()).runDevices(flags));
}
