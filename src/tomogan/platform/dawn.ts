// SPDX-License-Identifier: MIT
// WebGPU in Node through Dawn (the npm package `webgpu`, which users install themselves). Dawn prints diagnostics to
// the process's stderr from native code (docs/toolchain.md), so 'auto' asks a child process first: the user's
// terminal sees them only when WebGPU is then set up here because it will run.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AdapterInfo, AdapterLike, GpuFound, GpuLike, GpuProbe } from './types.js';

interface DawnModule {
  create: (flags: string[]) => GpuLike;
  globals: object;
}

/** Dawn's default backend (Vulkan on Linux) prints "Couldn't load Vulkan" when libvulkan.so.1 is missing: skip it then. */
function hasVulkan(): boolean {
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  return process.platform !== 'linux' || dirs.some((d) => existsSync(`${d}/libvulkan.so.1`));
}

/**
 * Dawn toggles to try, in order: the default backend (Vulkan/Metal/D3D12, core), then OpenGL ES in compatibility mode
 * (Mesa llvmpipe on a machine without a GPU). `ANYML_DAWN_FLAGS` (comma-separated, e.g. `backend=vulkan`) replaces it.
 */
function tries(): string[][] {
  const env = process.env.ANYML_DAWN_FLAGS;
  return env !== undefined ? [env.split(',').filter(Boolean)] : [...(hasVulkan() ? [[]] : []), ['backend=opengles']];
}

const isCompat = (flags: string[]) => flags.some((f) => f.startsWith('backend=opengl'));
const label = (flags: string[]) => `Dawn [${flags.join(',') || 'default'}]${isCompat(flags) ? ' compatibility' : ''}`;

function noAdapter(tried: string[][]): string {
  return (
    `no WebGPU adapter from ${tried.map(label).join(', then ')}. On Linux without a GPU anyml uses Dawn's OpenGL ES ` +
    `backend on Mesa llvmpipe: install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri (EGL_PLATFORM=${process.env.EGL_PLATFORM})`
  );
}

function webgpuUrl(): string | Error {
  try {
    return import.meta.resolve('webgpu');
  } catch (e) {
    return new Error(`the npm package 'webgpu' (Dawn) is not installed (npm i webgpu): ${(e as Error).message}`);
  }
}

// Mesa's EGL needs a platform without a display server; it must be in the environment before Dawn initialises EGL.
const eglEnv = () => (process.env.EGL_PLATFORM ??= 'surfaceless');

/** The child's program: the first adapter of the tries (argv: webgpu's URL, the tries as JSON), as one JSON line. */
const PROBE = `
const [url, list] = process.argv.slice(1);
const m = await import(url);
const dawn = m.create ? m : m.default;
for (const flags of JSON.parse(list)) {
  const compat = flags.some((f) => f.startsWith('backend=opengl'));
  const a = await dawn.create(flags).requestAdapter(compat ? { featureLevel: 'compatibility' } : {}).catch(() => null);
  if (!a) continue;
  const i = a.info ?? {};
  const info = { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: !!(i.isFallbackAdapter ?? a.isFallbackAdapter) };
  process.stdout.write(JSON.stringify({ flags, info }));
  process.exit(0);
}
process.stdout.write('{}');
process.exit(0);`;

let probeFlags: string[] | undefined;

/** The adapter Dawn would give, asked in a child process whose stderr is dropped; remembers which toggles found it. */
export async function probeDawnGpu(): Promise<GpuProbe> {
  const url = webgpuUrl();
  if (url instanceof Error) return { reason: url.message };
  eglEnv();
  const list = tries();
  const out = await new Promise<string>((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', PROBE, url, JSON.stringify(list)], { timeout: 30_000, encoding: 'utf8' }, (err, stdout) =>
      resolve(err ? `{"error":${JSON.stringify(err.message)}}` : stdout),
    );
  });
  let r: { flags?: string[]; info?: AdapterInfo; error?: string };
  try {
    r = JSON.parse(out);
  } catch {
    return { reason: `the Dawn probe printed no result (${out.slice(0, 200)})` };
  }
  if (r.error) return { reason: `the Dawn probe failed: ${r.error}` };
  if (!r.flags || !r.info) return { reason: noAdapter(list) };
  probeFlags = r.flags;
  return { info: r.info, source: label(r.flags) };
}

/** Sets Dawn up in this process and installs it as `navigator.gpu` (tfjs-backend-webgpu looks for it there). */
export async function findDawnGpu(): Promise<GpuFound> {
  const url = webgpuUrl();
  if (url instanceof Error) return { gpu: null, reason: url.message };
  eglEnv();
  const m = (await import(url)) as DawnModule & { default?: DawnModule };
  const dawn = typeof m.create === 'function' ? m : m.default!;
  const list = probeFlags ? [probeFlags] : tries();
  for (const flags of list) {
    const gpu = dawn.create(flags);
    const orig = gpu.requestAdapter.bind(gpu);
    gpu.requestAdapter = (o: object = {}) => orig(isCompat(flags) ? { ...o, featureLevel: 'compatibility' } : o); // core → null on GL
    const adapter: AdapterLike | null = await gpu.requestAdapter().catch(() => null);
    if (!adapter) continue;
    Object.assign(globalThis, dawn.globals); // GPUBufferUsage, GPUMapMode, … used by tfjs-backend-webgpu
    const g = globalThis as unknown as { navigator?: { gpu?: GpuLike } };
    if (!g.navigator) (globalThis as unknown as { navigator: object }).navigator = {};
    g.navigator!.gpu = gpu;
    return { gpu, adapter, source: label(flags) };
  }
  return { gpu: null, reason: noAdapter(list) };
}
