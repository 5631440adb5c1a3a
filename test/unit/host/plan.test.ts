// SPDX-License-Identifier: MIT
// Which providers the host starts, with which worker and child environment, from device reports that discovery
// produced on fake trees (Edge TPU on USB and PCIe, a Jetson, nothing) and the host's flags.

import { afterEach, describe, expect, it } from 'vitest';
import { fakeTree, removeTrees } from '../../helpers/fake_tree.js';
import { discoverDevices, realFs } from '../../../native-host/discovery.js';
import { checkProviderFlags, planProviders, providerInfos } from '../../../native-host/plan.js';

afterEach(removeTrees);
const discover = async (files: Record<string, string>) => discoverDevices(realFs(await fakeTree(files), { PATH: '/usr/bin:/bin' }), { cores: 2 });

const LIBS = { '/usr/lib/x86_64-linux-gnu/libedgetpu.so.1': 'ELF', '/usr/local/lib/libtensorflowlite_c.so': 'ELF' };
const USB_CORAL = { '/sys/bus/usb/devices/2-1/idVendor': '18d1\n', '/sys/bus/usb/devices/2-1/idProduct': '9302\n' };
const PCI_CORAL = {
  '/sys/bus/pci/devices/0000:03:00.0/vendor': '0x1ac1\n',
  '/sys/bus/pci/devices/0000:03:00.0/device': '0x089a\n',
  '/sys/class/apex/apex_0/device': '',
  '/dev/apex_0': '',
};
const JETSON = { '/etc/nv_tegra_release': '# R35 (release), REVISION: 4.1\n', '/usr/src/tensorrt/bin/trtexec': '#!/bin/sh\n' };
const byName = (plan: ReturnType<typeof planProviders>) => Object.fromEntries(plan.map((p) => [p.name, p]));

describe('planProviders', () => {
  it('a machine with nothing: cpu runs, the others are listed with the reason, no worker for them', async () => {
    const plan = planProviders(await discover({}));
    expect(plan.map((p) => [p.name, p.available])).toEqual([['edgetpu', false], ['tensorrt', false], ['tflite', false], ['cpu', true]]);
    expect(plan[0].reason).toMatch(/no Edge TPU found/);
    expect(plan.filter((p) => p.worker).map((p) => p.worker)).toEqual(['./providers/cpu_worker.js']);
  });

  it('a USB Edge TPU with libedgetpu but no --edgetpu-model: not started, and the reason says which flag', async () => {
    const p = byName(planProviders(await discover({ ...USB_CORAL, ...LIBS })));
    expect(p.edgetpu).toMatchObject({ available: false, device: 'usb:0' });
    expect(p.edgetpu.reason).toMatch(/--edgetpu-model/);
    expect(p.tflite).toMatchObject({ available: true, worker: './providers/tflite_worker.js' });
  });

  it('a USB Edge TPU with a model: the edgetpu worker gets the model, the first usable device and libedgetpu', async () => {
    const p = byName(planProviders(await discover({ ...USB_CORAL, ...LIBS }), { edgetpuModel: '/m/t_edgetpu.tflite' }));
    expect(p.edgetpu).toEqual({
      name: 'edgetpu', kind: 'edgetpu', device: 'usb:0', available: true, worker: './providers/edgetpu_worker.js',
      env: { ANYML_EDGETPU_MODEL: '/m/t_edgetpu.tflite', ANYML_EDGETPU_DEVICE: 'usb:0', ANYML_EDGETPU_LIB: '/usr/lib/x86_64-linux-gnu/libedgetpu.so.1' },
    });
    expect(providerInfos([p.edgetpu])).toEqual([{ name: 'edgetpu', kind: 'edgetpu', device: 'usb:0', available: true }]);
  });

  it('--edgetpu-device picks the bus or the device, and one that is not there is refused with what was found', async () => {
    const r = await discover({ ...USB_CORAL, ...PCI_CORAL, ...LIBS });
    expect(r.edgetpu.map((d) => d.id)).toEqual(['usb:0', 'pci:0']);
    expect(byName(planProviders(r, { edgetpuModel: 'm', edgetpuDevice: 'pci' })).edgetpu.env?.ANYML_EDGETPU_DEVICE).toBe('pci');
    expect(byName(planProviders(r, { edgetpuModel: 'm', edgetpuDevice: 'pci:0' })).edgetpu.available).toBe(true);
    const missing = byName(planProviders(r, { edgetpuModel: 'm', edgetpuDevice: 'usb:1' })).edgetpu;
    expect(missing).toMatchObject({ available: false, reason: '--edgetpu-device usb:1: no usable Edge TPU there (found: usb:0, pci:0)' });
  });

  it('an Edge TPU without libedgetpu stays unavailable with discovery\'s reason, model or not', async () => {
    const p = byName(planProviders(await discover({ ...USB_CORAL, '/usr/local/lib/libtensorflowlite_c.so': 'ELF' }), { edgetpuModel: 'm' }));
    expect(p.edgetpu).toMatchObject({ available: false, reason: 'usb:0: libedgetpu.so.1 is not installed' });
    expect(p.edgetpu.worker).toBeUndefined();
  });

  it('a Jetson with trtexec: the tensorrt worker gets the trtexec discovery found, the precision and the cache', async () => {
    const p = byName(planProviders(await discover(JETSON), { tensorrtPrecision: 'fp32', tensorrtCache: '/c' }));
    expect(p.tensorrt).toEqual({
      name: 'tensorrt', kind: 'tensorrt', device: 'cuda:0', available: true, worker: './providers/tensorrt_worker.js',
      env: { ANYML_TENSORRT_PRECISION: 'fp32', ANYML_TRTEXEC: '/usr/src/tensorrt/bin/trtexec', ANYML_TENSORRT_CACHE: '/c' },
    });
    expect(byName(planProviders(await discover(JETSON))).tensorrt.env).toEqual({ ANYML_TENSORRT_PRECISION: 'fp16', ANYML_TRTEXEC: '/usr/src/tensorrt/bin/trtexec' });
  });

  it('the test provider only when asked for, last', async () => {
    const r = await discover({});
    expect(planProviders(r).some((p) => p.name === 'test')).toBe(false);
    expect(planProviders(r, { testProvider: true }).at(-1)).toEqual({ name: 'test', kind: 'cpu', available: true, worker: './providers/test_worker.js' });
  });
});

describe('checkProviderFlags', () => {
  it('refuses a bad device, a device without a model and an unknown precision, naming the flag', () => {
    expect(() => checkProviderFlags({ edgetpuModel: 'm', edgetpuDevice: 'usb0' })).toThrow(/edgetpu device.*"usb0".*usb, usb:N, pci or pci:N/);
    expect(() => checkProviderFlags({ edgetpuDevice: 'usb' })).toThrow(/--edgetpu-device.*--edgetpu-model/);
    expect(() => checkProviderFlags({ tensorrtPrecision: 'int8' })).toThrow(/--tensorrt-precision.*int8.*fp16, fp32/);
    expect(() => checkProviderFlags({ edgetpuModel: 'm', edgetpuDevice: 'pci:1', tensorrtPrecision: 'fp32' })).not.toThrow();
  });
});
