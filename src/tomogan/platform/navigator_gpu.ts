// SPDX-License-Identifier: MIT
// The WebGPU adapter of a global `navigator.gpu` (a page, a web worker, or a Node app that installed one).
import type { AdapterInfo, AdapterLike, GpuFound, GpuLike } from './types.js';

/** The adapter of `navigator.gpu`, or why there is none; `undefined` when there is no `navigator.gpu` at all. */
export async function navigatorGpu(): Promise<GpuFound | undefined> {
  const gpu = (globalThis as unknown as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) return undefined;
  const adapter = await gpu.requestAdapter().catch(() => null);
  return adapter ? { gpu, adapter, source: 'navigator.gpu' } : { gpu: null, reason: 'navigator.gpu.requestAdapter() returned null' };
}

/** The adapter's own description (GPUAdapterInfo; older implementations: requestAdapterInfo()). */
export async function adapterInfo(a: AdapterLike): Promise<AdapterInfo> {
  const i = a.info ?? (await a.requestAdapterInfo?.().catch(() => undefined)) ?? {};
  // GPUAdapterInfo's fields are getters on its prototype: a spread would copy none of them.
  const { vendor, architecture, device, description } = i;
  return { vendor, architecture, device, description, isFallbackAdapter: !!(i.isFallbackAdapter ?? a.isFallbackAdapter) };
}
