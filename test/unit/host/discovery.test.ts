// SPDX-License-Identifier: MIT
// Accelerator discovery against fake sysfs/procfs/devfs trees built in a temp dir (one per case), and once against
// this machine, which has no accelerator.

import { cpus } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeTree, removeTrees } from '../../helpers/fake_tree.js';
import { type DeviceReport, discoverDevices, formatDevices, type ProviderSuggestion, realFs } from '../../../native-host/discovery.js';

afterEach(removeTrees);
const tree = fakeTree;

const PATH = '/usr/local/bin:/usr/bin:/bin';
const discover = async (files: Record<string, string>) => discoverDevices(realFs(await tree(files), { PATH }), { cores: 4 });

const LIB = { '/usr/lib/x86_64-linux-gnu/libedgetpu.so.1': 'ELF' };
const TFLITE = { '/usr/local/lib/libtensorflowlite_c.so': 'ELF' };
// A root hub and an interface directory (no idVendor) sit next to devices in /sys/bus/usb/devices.
const USB_NOISE = {
  '/sys/bus/usb/devices/usb2/idVendor': '1d6b\n',
  '/sys/bus/usb/devices/usb2/idProduct': '0003\n',
  '/sys/bus/usb/devices/2-1:1.0/bInterfaceClass': 'ff\n',
};
const usbDevice = (name: string, vid: string, pid: string, bus: number, dev: number) => ({
  [`/sys/bus/usb/devices/${name}/idVendor`]: `${vid}\n`,
  [`/sys/bus/usb/devices/${name}/idProduct`]: `${pid}\n`,
  [`/sys/bus/usb/devices/${name}/busnum`]: `${bus}\n`,
  [`/sys/bus/usb/devices/${name}/devnum`]: `${dev}\n`,
});
const CPUINFO_X86 = [
  'processor\t: 0',
  'model name\t: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz',
  'flags\t\t: fpu sse2 avx avx2 avx512f avx512_vnni',
  '',
  'processor\t: 1',
  'model name\t: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz',
  'flags\t\t: fpu',
  '',
].join('\n');
const CPUINFO_ARM64 = 'processor\t: 0\nBogoMIPS\t: 62.50\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32\n\n';

const CPU_NONE = { cores: 4, model: null, simd: [] };
const CPU_OK: ProviderSuggestion = { name: 'cpu', available: true };
const NO_GPU: ProviderSuggestion = { name: 'tensorrt', available: false, reason: 'no NVIDIA GPU or Jetson found' };
const NO_TFLITE: ProviderSuggestion = { name: 'tflite', available: false, reason: 'the TFLite C library (libtensorflowlite_c) was not found' };
const NO_EDGETPU_RUNTIME = 'libedgetpu.so.1 is not installed';

/** A report with nothing but what `over` sets. */
const report = (over: Partial<DeviceReport>): DeviceReport => ({
  edgetpu: [],
  jetson: null,
  nvidia: [],
  cpu: CPU_NONE,
  libedgetpu: null,
  tflite: null,
  trtexec: null,
  nvidiaSmi: null,
  providers: [],
  ...over,
});

describe('discoverDevices: Coral USB Accelerator', () => {
  it('before the firmware is loaded (1a6e:089a), without libedgetpu: not usable', async () => {
    const r = await discover({ ...USB_NOISE, ...usbDevice('2-1', '1a6e', '089a', 2, 3) });
    const reason = `${NO_EDGETPU_RUNTIME}, which loads the firmware`;
    expect(r).toEqual(
      report({
        edgetpu: [{ id: 'usb:0', bus: 'usb', sysfs: '/sys/bus/usb/devices/2-1', ids: '1a6e:089a', busnum: 2, devnum: 3, state: 'needs-firmware', usable: false, reason }],
        providers: [{ name: 'edgetpu', available: false, reason: `usb:0: ${reason}` }, NO_GPU, NO_TFLITE, CPU_OK],
      }),
    );
  });

  it('before the firmware is loaded, with libedgetpu and TFLite: usable (the runtime uploads the firmware)', async () => {
    const r = await discover({ ...LIB, ...TFLITE, ...usbDevice('2-1', '1a6e', '089a', 2, 3) });
    expect(r).toEqual(
      report({
        edgetpu: [{ id: 'usb:0', bus: 'usb', sysfs: '/sys/bus/usb/devices/2-1', ids: '1a6e:089a', busnum: 2, devnum: 3, state: 'needs-firmware', usable: true }],
        libedgetpu: '/usr/lib/x86_64-linux-gnu/libedgetpu.so.1',
        tflite: '/usr/local/lib/libtensorflowlite_c.so',
        providers: [{ name: 'edgetpu', available: true }, NO_GPU, { name: 'tflite', available: true }, CPU_OK],
      }),
    );
  });

  it('after the firmware is loaded (18d1:9302), without libedgetpu: not usable', async () => {
    const r = await discover({ ...USB_NOISE, ...usbDevice('2-1', '18d1', '9302', 2, 4) });
    expect(r).toEqual(
      report({
        edgetpu: [{ id: 'usb:0', bus: 'usb', sysfs: '/sys/bus/usb/devices/2-1', ids: '18d1:9302', busnum: 2, devnum: 4, state: 'ready', usable: false, reason: NO_EDGETPU_RUNTIME }],
        providers: [{ name: 'edgetpu', available: false, reason: `usb:0: ${NO_EDGETPU_RUNTIME}` }, NO_GPU, NO_TFLITE, CPU_OK],
      }),
    );
  });

  it('after the firmware is loaded, with libedgetpu on LD_LIBRARY_PATH but no TFLite: the device is usable, the provider is not', async () => {
    const root = await tree({ '/opt/coral/lib/libedgetpu.so.1': 'ELF', ...usbDevice('2-1', '18d1', '9302', 2, 4), ...usbDevice('1-3', '18d1', '9302', 1, 7) });
    const r = await discoverDevices(realFs(root, { PATH }), { cores: 4, ldLibraryPath: '/nowhere:/opt/coral/lib' });
    // Numbered by (busnum, devnum), not by directory name.
    expect(r.edgetpu.map((d) => [d.id, d.sysfs, d.usable])).toEqual([
      ['usb:0', '/sys/bus/usb/devices/1-3', true],
      ['usb:1', '/sys/bus/usb/devices/2-1', true],
    ]);
    expect(r.libedgetpu).toBe('/opt/coral/lib/libedgetpu.so.1');
    expect(r.providers[0]).toEqual({ name: 'edgetpu', available: false, reason: 'the TFLite C library, which loads the Edge TPU delegate, was not found' });
  });
});

describe('discoverDevices: Coral M.2 / PCIe', () => {
  const PCI = {
    '/sys/bus/pci/devices/0000:00:00.0/vendor': '0x8086\n',
    '/sys/bus/pci/devices/0000:00:00.0/device': '0x1237\n',
    '/sys/bus/pci/devices/0000:01:00.0/vendor': '0x1ac1\n',
    '/sys/bus/pci/devices/0000:01:00.0/device': '0x089a\n',
  };
  const DRIVER = { '/dev/apex_0': '', '/sys/bus/pci/drivers/apex/0000:01:00.0/vendor': '0x1ac1\n' };
  const tpu = { id: 'pci:0', bus: 'pci', sysfs: '/sys/bus/pci/devices/0000:01:00.0', ids: '1ac1:089a', address: '0000:01:00.0' } as const;

  it('with /dev/apex_0 and libedgetpu: usable', async () => {
    const r = await discover({ ...PCI, ...DRIVER, ...LIB, ...TFLITE });
    expect(r).toEqual(
      report({
        edgetpu: [{ ...tpu, devNode: '/dev/apex_0', driver: 'apex', state: 'ready', usable: true }],
        libedgetpu: '/usr/lib/x86_64-linux-gnu/libedgetpu.so.1',
        tflite: '/usr/local/lib/libtensorflowlite_c.so',
        providers: [{ name: 'edgetpu', available: true }, NO_GPU, { name: 'tflite', available: true }, CPU_OK],
      }),
    );
  });

  it('with /dev/apex_0, without libedgetpu: not usable', async () => {
    const r = await discover({ ...PCI, ...DRIVER });
    expect(r).toEqual(
      report({
        edgetpu: [{ ...tpu, devNode: '/dev/apex_0', driver: 'apex', state: 'ready', usable: false, reason: NO_EDGETPU_RUNTIME }],
        providers: [{ name: 'edgetpu', available: false, reason: `pci:0: ${NO_EDGETPU_RUNTIME}` }, NO_GPU, NO_TFLITE, CPU_OK],
      }),
    );
  });

  it('without the gasket/apex driver: not usable, and says why', async () => {
    const r = await discover({ ...PCI, ...LIB });
    const reason = 'no /dev/apex_0: the gasket and apex kernel drivers are not loaded (coral.ai/docs/m2/get-started)';
    expect(r.edgetpu).toEqual([{ ...tpu, devNode: null, driver: null, state: 'no-driver', usable: false, reason }]);
    expect(r.providers[0]).toEqual({ name: 'edgetpu', available: false, reason: `pci:0: ${reason}` });
  });
});

describe('discoverDevices: NVIDIA', () => {
  it('Jetson: L4T release, device-tree model (NUL-terminated) and trtexec off PATH', async () => {
    const r = await discover({
      '/etc/nv_tegra_release': '# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, DATE: Tue Aug  1 19:57:35 UTC 2023\n# KERNEL_VARIANT: oot\n',
      '/proc/device-tree/model': 'NVIDIA Jetson AGX Orin Developer Kit\0',
      '/usr/src/tensorrt/bin/trtexec': '#!/bin/sh\n',
      '/proc/cpuinfo': CPUINFO_ARM64,
    });
    expect(r).toEqual(
      report({
        jetson: {
          l4t: '35.4.1',
          release: '# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, DATE: Tue Aug  1 19:57:35 UTC 2023',
          model: 'NVIDIA Jetson AGX Orin Developer Kit',
        },
        cpu: { cores: 4, model: null, simd: ['asimd'] },
        trtexec: '/usr/src/tensorrt/bin/trtexec',
        providers: [
          { name: 'edgetpu', available: false, reason: 'no Edge TPU found (USB 1a6e:089a or 18d1:9302, PCI 1ac1:089a)' },
          { name: 'tensorrt', available: true },
          NO_TFLITE,
          CPU_OK,
        ],
      }),
    );
  });

  it('Jetson without TensorRT: trtexec on PATH is preferred, a non-executable one is ignored', async () => {
    const base = { '/etc/nv_tegra_release': '# R36 (release), REVISION: 4.3\n', '/usr/src/tensorrt/bin/trtexec': 'not executable' };
    const r = await discover(base);
    expect(r.jetson?.l4t).toBe('36.4.3');
    expect(r.trtexec).toBeNull();
    expect(r.providers[1].reason).toBe("TensorRT's trtexec is neither on PATH nor at /usr/src/tensorrt/bin/trtexec");
    expect((await discover({ ...base, '/usr/bin/trtexec': '#!/bin/sh\n' })).trtexec).toBe('/usr/bin/trtexec');
  });

  it('GPU: /proc/driver/nvidia and an nvidia-smi stub', async () => {
    const r = await discover({
      '/proc/driver/nvidia/version':
        'NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n',
      '/proc/driver/nvidia/gpus/0000:18:00.0/information': [
        'Model: \t\t NVIDIA H100 80GB HBM3',
        'IRQ:   \t\t 168',
        'GPU UUID: \t GPU-5a1b2c3d-0000-1111-2222-333344445555',
        'Video BIOS: \t 96.00.74.00.01',
        'Bus Type: \t PCIe',
        'Bus Location: \t 0000:18:00.0',
        'Device Minor: \t 0',
        'GPU Excluded:\t No',
      ].join('\n'),
      '/usr/bin/nvidia-smi': '#!/bin/sh\necho stub\n',
      '/proc/cpuinfo': CPUINFO_X86,
    });
    expect(r).toEqual(
      report({
        nvidia: [{ id: 'cuda:0', model: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-5a1b2c3d-0000-1111-2222-333344445555', address: '0000:18:00.0', driverVersion: '535.104.05' }],
        cpu: { cores: 4, model: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', simd: ['avx2', 'avx512f', 'avx512_vnni'] },
        nvidiaSmi: '/usr/bin/nvidia-smi',
        providers: [
          { name: 'edgetpu', available: false, reason: 'no Edge TPU found (USB 1a6e:089a or 18d1:9302, PCI 1ac1:089a)' },
          { name: 'tensorrt', available: false, reason: "TensorRT's trtexec is neither on PATH nor at /usr/src/tensorrt/bin/trtexec" },
          NO_TFLITE,
          CPU_OK,
        ],
      }),
    );
  });

  it('reads the version line of the open kernel modules', async () => {
    const r = await discover({
      '/proc/driver/nvidia/version': 'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.15  Release Build  (dvs-builder@U16-I3-B03-4-3)\n',
      '/proc/driver/nvidia/gpus/0000:3b:00.0/information': 'Model: \t\t NVIDIA L4\nDevice Minor: \t 1\n',
    });
    expect(r.nvidia).toEqual([{ id: 'cuda:1', model: 'NVIDIA L4', uuid: null, address: '0000:3b:00.0', driverVersion: '550.54.15' }]);
  });
});

describe('discoverDevices: nothing', () => {
  it('an empty root: only the CPU', async () => {
    const r = await discover({});
    expect(r).toEqual(
      report({
        providers: [
          { name: 'edgetpu', available: false, reason: 'no Edge TPU found (USB 1a6e:089a or 18d1:9302, PCI 1ac1:089a)' },
          NO_GPU,
          NO_TFLITE,
          CPU_OK,
        ],
      }),
    );
    expect(formatDevices(r)).toBe(
      [
        'CPU: unknown model, 4 cores, SIMD: none',
        'Edge TPU runtime: libedgetpu.so.1 not found',
        'TFLite C library: not found',
        'Edge TPU: none',
        'Jetson: none',
        'NVIDIA GPU: none',
        'nvidia-smi: not found',
        'trtexec: not found',
        'Providers:',
        '  edgetpu   unavailable: no Edge TPU found (USB 1a6e:089a or 18d1:9302, PCI 1ac1:089a)',
        '  tensorrt  unavailable: no NVIDIA GPU or Jetson found',
        '  tflite    unavailable: the TFLite C library (libtensorflowlite_c) was not found',
        '  cpu       available',
      ].join('\n'),
    );
  });

  it('realFs cannot leave its root through ..', async () => {
    const root = await tree({ '/etc/nv_tegra_release': 'inside\n' });
    expect(await realFs(join(root, 'etc')).readText('/../../nv_tegra_release')).toBe('inside\n');
  });
});

describe('formatDevices', () => {
  it('lists devices with their state', async () => {
    const r = await discover({ ...usbDevice('2-1', '1a6e', '089a', 2, 3), ...LIB, '/etc/nv_tegra_release': '# R35 (release), REVISION: 4.1\n' });
    const text = formatDevices(r);
    expect(text).toContain('  usb:0  USB 1a6e:089a bus 2 device 3  needs-firmware, usable');
    expect(text).toContain('Jetson: unknown model, L4T 35.4.1');
  });
});

describe('discoverDevices on this machine', () => {
  it('finds the CPU with its real core count and no accelerator', async () => {
    const r = await discoverDevices(realFs('/'), { ldLibraryPath: process.env.LD_LIBRARY_PATH });
    expect(r.cpu.cores).toBe(cpus().length);
    expect(r.cpu.cores).toBeGreaterThan(0);
    expect(r.edgetpu).toEqual([]);
    expect(r.jetson).toBeNull();
    expect(r.nvidia).toEqual([]);
    expect(r.providers.find((p) => p.name === 'cpu')).toEqual(CPU_OK);
  });
});
