// SPDX-License-Identifier: MIT
// `anyml host …`: the local inference host (native-host/, built into dist/native-host/, docs/host.md).
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import { intArg } from './args.js';

interface HostCli {
  runHost(flags: object): Promise<void>;
  runPair(flags: object): Promise<void>;
  runDevices(flags: object): Promise<void>;
  runInstallManifest(flags: object, bin: string): Promise<void>;
}

/** The host's own code, a sibling of dist/cli/ in the package (never loaded by the other commands). */
async function hostCli(): Promise<HostCli> {
  return import(new URL('../native-host/cli.js', import.meta.url).href);
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerHostCommands(program: Command): void {
  const host = program.command('host').description('the local inference host for pages and Node programs (docs/host.md)');
  host
    .command('serve', { isDefault: true })
    .description('run the host (the default): WebSocket on 127.0.0.1, or native messaging with --stdio')
    // A browser starting the host adds the caller: Chrome its origin (and --parent-window on Windows), Firefox the
    // manifest path and the add-on id.
    .argument('[caller...]', 'with --stdio: what the browser passes (the calling extension)')
    .allowUnknownOption(false)
    .option('--port <n>', 'port', intArg('--port', 0, 65535), 47113)
    .option('--host <addr>', 'bind address (loopback only unless --allow-remote)', '127.0.0.1')
    .option('--allow-remote', 'allow a non-loopback bind address (anyone who can reach it still needs the token)')
    .option('--allow-origin <origin>', 'a page origin allowed to connect (repeatable; exact match)', collect, [])
    .option('--stdio', 'serve one browser over native messaging on stdin/stdout (browsers start the host this way)')
    .option('--json', 'print the listening url as one JSON line')
    .option('--edgetpu-model <file>', 'the edgetpu_compiler output to run on the Edge TPU (starts the edgetpu provider)')
    .option('--edgetpu-device <dev>', 'usb, usb:N, pci or pci:N (default: the first usable Edge TPU)')
    .addOption(new Option('--tensorrt-precision <p>', 'the TensorRT engine\'s precision').choices(['fp16', 'fp32']))
    .option('--tensorrt-cache <dir>', 'where built TensorRT engines are kept (default $XDG_CACHE_HOME/anyml/tensorrt)')
    .action(async (caller: string[], flags) => (await hostCli()).runHost({ ...flags, caller }));
  host
    .command('devices')
    .description('list the Edge TPUs (USB / PCIe), Jetson, NVIDIA GPUs and CPU found, and which host providers could run')
    .option('--root <dir>', 'read /sys, /proc, /dev and /etc under this folder', '/')
    .option('--json', 'print one JSON object')
    .action(async (flags) => (await hostCli()).runDevices(flags));
  host
    .command('pair')
    .description('print the url and token a page or program connects with')
    .option('--port <n>', 'the host\'s port', intArg('--port', 1, 65535), 47113)
    .option('--json', 'one line { "url", "token" } that connectHost accepts as it is')
    .action(async (flags) => (await hostCli()).runPair(flags));
  host
    .command('install-manifest')
    .description('install the native-messaging manifest (and its launcher) for a browser extension')
    .addOption(new Option('--browser <name>', 'browser').choices(['chrome', 'chromium', 'firefox']).default('chrome'))
    .requiredOption('--extension-id <id>', 'the extension allowed to start the host (Chrome: 32 letters a–p; Firefox: its add-on id)')
    .option('--system', 'system-wide folders instead of the user\'s')
    .option('--dry-run', 'print the files and where they would go; write nothing')
    .action(async (flags) => (await hostCli()).runInstallManifest(flags, fileURLToPath(new URL('../../bin/anyml.js', import.meta.url))));
}
