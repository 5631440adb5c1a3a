// SPDX-License-Identifier: MIT
// `anyml host devices` from the command line: this machine (no accelerator) and a fake tree with a USB Edge TPU and
// its runtime library, read through --root.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anyml } from './run_cli.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'anyml-host-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

describe('anyml host devices', () => {
  it('lists this machine: a CPU, no accelerator, the cpu provider available', () => {
    const r = anyml(['host', 'devices']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^CPU: .*\d+ cores/m);
    expect(r.stdout).toMatch(/^Edge TPU: none$/m);
    expect(r.stdout).toMatch(/^ {2}cpu +available$/m);
  });

  it('finds a USB Edge TPU after its firmware is loaded, with libedgetpu, under --root', () => {
    const root = tree({
      '/sys/bus/usb/devices/2-1/idVendor': '18d1\n',
      '/sys/bus/usb/devices/2-1/idProduct': '9302\n',
      '/sys/bus/usb/devices/2-1/busnum': '2\n',
      '/sys/bus/usb/devices/2-1/devnum': '4\n',
      '/usr/lib/x86_64-linux-gnu/libedgetpu.so.1': '',
    });
    const r = anyml(['host', 'devices', '--root', root, '--json']);
    expect(r.code).toBe(0);
    const j = r.json as { edgetpu: { id: string; state: string; usable: boolean }[]; libedgetpu: string };
    expect(j.edgetpu).toMatchObject([{ id: 'usb:0', state: 'ready', usable: true }]);
    expect(j.libedgetpu).toBe('/usr/lib/x86_64-linux-gnu/libedgetpu.so.1');
  });
});

describe('anyml host serve: provider flags are checked before anything starts', () => {
  it('refuses an unreadable --edgetpu-model, a bad --edgetpu-device and an unknown --tensorrt-precision', () => {
    const model = anyml(['host', '--port', '0', '--edgetpu-model', '/nonexistent/x_edgetpu.tflite']);
    expect(model.code).not.toBe(0);
    expect(model.stderr).toMatch(/--edgetpu-model.*\/nonexistent\/x_edgetpu\.tflite.*a readable file \(ENOENT\)/);
    const device = anyml(['host', '--port', '0', '--edgetpu-model', '/nonexistent/x', '--edgetpu-device', 'usb0']);
    expect(device.code).not.toBe(0);
    expect(device.stderr).toMatch(/edgetpu device.*"usb0".*usb, usb:N, pci or pci:N/);
    const precision = anyml(['host', '--port', '0', '--tensorrt-precision', 'int8']);
    expect(precision.code).not.toBe(0);
    expect(precision.stderr).toMatch(/--tensorrt-precision.*int8.*fp16, fp32/);
  });
});
