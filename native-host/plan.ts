// SPDX-License-Identifier: MIT
// Which providers `anyml host` starts, from what discovery found and the user's flags: each with its worker module
// and the environment its child gets, or the reason it cannot run. Pure, so every combination is tested on fake
// device reports (test/unit/host/plan.test.ts).
import { InvalidInputError, type ProviderInfo } from 'anyml';
import { parseEdgeTpuDevice } from 'anyml/node';
import type { DeviceReport, ProviderName } from './discovery.js';
import { TRT_PRECISIONS } from './tensorrt/engine_cache.js';

export interface ProviderFlags {
  /** The edgetpu_compiler output to run on the Edge TPU (without it the `edgetpu` provider is not started). */
  edgetpuModel?: string;
  /** `usb`, `usb:N`, `pci` or `pci:N`; default: the first usable Edge TPU discovery found. */
  edgetpuDevice?: string;
  /** fp16 (default) or fp32. */
  tensorrtPrecision?: string;
  /** The engine cache folder; default $XDG_CACHE_HOME/anyml/tensorrt. */
  tensorrtCache?: string;
  /** Adds the `test` provider (providers/test_worker.ts) that tests crash on purpose; never on by default. */
  testProvider?: boolean;
}

/** A provider as the welcome lists it, and, when it runs, its worker (relative to this file) and child environment. */
export interface PlannedProvider extends ProviderInfo {
  worker?: string;
  env?: Record<string, string>;
}

const WORKERS: Record<ProviderName | 'test', string> = {
  cpu: './providers/cpu_worker.js',
  tflite: './providers/tflite_worker.js',
  edgetpu: './providers/edgetpu_worker.js',
  tensorrt: './providers/tensorrt_worker.js',
  test: './providers/test_worker.js',
};

/** Flags that are wrong whatever the machine has, checked before discovery or any child starts. */
export function checkProviderFlags(f: ProviderFlags): void {
  if (f.edgetpuDevice !== undefined) parseEdgeTpuDevice(f.edgetpuDevice);
  if (f.edgetpuDevice !== undefined && !f.edgetpuModel)
    throw new InvalidInputError('anyml host: --edgetpu-device', f.edgetpuDevice, 'given together with --edgetpu-model (the compiled model to run there)');
  if (f.tensorrtPrecision !== undefined && !(TRT_PRECISIONS as readonly string[]).includes(f.tensorrtPrecision))
    throw new InvalidInputError('anyml host: --tensorrt-precision', f.tensorrtPrecision, `one of ${TRT_PRECISIONS.join(', ')}`);
}

function edgetpuPlan(r: DeviceReport, f: ProviderFlags): PlannedProvider {
  const usable = r.edgetpu.filter((d) => d.usable);
  const device = f.edgetpuDevice ?? usable[0]?.id;
  const base = { name: 'edgetpu', kind: 'edgetpu' as const, ...(device ? { device } : {}) };
  if (!f.edgetpuModel)
    return { ...base, available: false, reason: 'no compiled model: start the host with --edgetpu-model x_edgetpu.tflite (docs/host.md, Edge TPU)' };
  if (f.edgetpuDevice && !r.edgetpu.some((d) => d.usable && (d.id === f.edgetpuDevice || d.bus === f.edgetpuDevice)))
    return { ...base, available: false, reason: `--edgetpu-device ${f.edgetpuDevice}: no usable Edge TPU there (found: ${r.edgetpu.map((d) => d.id).join(', ') || 'none'})` };
  const env: Record<string, string> = { ANYML_EDGETPU_MODEL: f.edgetpuModel, ANYML_EDGETPU_DEVICE: device ?? 'usb' };
  if (r.libedgetpu) env.ANYML_EDGETPU_LIB = r.libedgetpu;
  return { ...base, available: true, worker: WORKERS.edgetpu, env };
}

function tensorrtPlan(r: DeviceReport, f: ProviderFlags): PlannedProvider {
  const device = r.nvidia[0]?.id ?? (r.jetson ? 'cuda:0' : undefined);
  const env: Record<string, string> = { ANYML_TENSORRT_PRECISION: f.tensorrtPrecision ?? 'fp16' };
  if (r.trtexec) env.ANYML_TRTEXEC = r.trtexec;
  if (f.tensorrtCache) env.ANYML_TENSORRT_CACHE = f.tensorrtCache;
  return { name: 'tensorrt', kind: 'tensorrt', ...(device ? { device } : {}), available: true, worker: WORKERS.tensorrt, env };
}

/**
 * The providers in the order `auto` prefers (edgetpu > tensorrt > tflite > cpu), then `test` when asked for.
 *
 * @example
 * const plan = planProviders(await discoverDevices(realFs('/')), { edgetpuModel: 'tomogan_edgetpu.tflite' });
 */
export function planProviders(r: DeviceReport, f: ProviderFlags = {}): PlannedProvider[] {
  const out = r.providers.map((s): PlannedProvider => {
    if (!s.available) return { name: s.name, kind: s.name, available: false, ...(s.reason ? { reason: s.reason } : {}) };
    if (s.name === 'edgetpu') return edgetpuPlan(r, f);
    if (s.name === 'tensorrt') return tensorrtPlan(r, f);
    return { name: s.name, kind: s.name, available: true, worker: WORKERS[s.name] };
  });
  if (f.testProvider) out.push({ name: 'test', kind: 'cpu', available: true, worker: WORKERS.test });
  return out;
}

/** The welcome's provider list: the plan without what only the host needs. */
export function providerInfos(plan: PlannedProvider[]): ProviderInfo[] {
  return plan.map(({ worker: _w, env: _e, ...info }) => info);
}
