// SPDX-License-Identifier: MIT
// Loads LiteRT.js (@litertjs/core) in a page served by vite (vitest browser mode): the package is imported from
// /node_modules by URL, so a checkout without it still transforms (no unresolvable bare import) and can skip, and
// loadLiteRt() gets the folder of its wasm files, which it loads with a <script> tag (+ the glue fetches the .wasm).
import { quietLiteRtLogs } from './litert_run.js';

type LiteRtModule = typeof import('@litertjs/core');

const BASE = '/node_modules/@litertjs/core/';

export interface LoadedLiteRt {
  lr: LiteRtModule;
  version: string;
  /** The glue file loadLiteRt picked, its .wasm size, and whether a WebGPU device came up. */
  wasmFile: string;
  wasmBytes: number;
  webgpu: boolean;
}

/** The package's version, or undefined when vite does not serve its package.json (not installed). */
async function installedVersion(): Promise<string | undefined> {
  const r = await fetch(`${BASE}package.json`);
  const text = r.ok ? await r.text() : '';
  if (!text.trimStart().startsWith('{')) return undefined;
  return (JSON.parse(text) as { version: string }).version;
}

/** Loads LiteRT.js once per page; a string says why it cannot (not installed, or the load error). */
export async function loadLiteRtBrowser(options: { threads?: boolean; jspi?: boolean } = {}): Promise<LoadedLiteRt | string> {
  const version = await installedVersion();
  if (!version) return `@litertjs/core is not installed (vite serves no ${BASE}package.json)`;
  const lr = (await import(/* @vite-ignore */ `${BASE}dist/index.js`)) as LiteRtModule;
  quietLiteRtLogs();
  try {
    await lr.loadLiteRt(`${BASE}wasm/`, options);
  } catch (e) {
    return `loadLiteRt failed: ${(e as Error).name}: ${(e as Error).message}`;
  }
  const script = [...document.scripts].map((s) => s.src).find((s) => s.includes('/@litertjs/core/wasm/')) ?? '?';
  const wasmFile = script.replace(/\.js$/, '.wasm');
  const head = await fetch(wasmFile, { method: 'HEAD' });
  const wasmBytes = Number(head.headers.get('content-length') ?? NaN);
  return { lr, version, wasmFile: wasmFile.slice(wasmFile.lastIndexOf('/') + 1), wasmBytes, webgpu: lr.getDefaultEnvironment().webGpuDevice != null };
}
