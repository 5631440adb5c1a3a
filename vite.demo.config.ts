// SPDX-License-Identifier: MIT
// The in-browser demo: `vite build -c vite.demo.config.ts` → dist-demo/, served cross-origin isolated
// by `vite preview -c vite.demo.config.ts` (COOP/COEP: SharedArrayBuffer for the SVM workers, threads for tfjs-wasm).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repo = fileURLToPath(new URL('.', import.meta.url));
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: join(repo, 'demo'),
  base: './',
  publicDir: false,
  // The demo imports the public entries `anyml` and `anyml/tomogan`, here the library's sources (no `npm run build`
  // needed), with the browser sides of the package's `imports` map. The shipped weights and tfjs-wasm's binaries
  // reach the build as anyml's own `new URL(…, import.meta.url)` assets, as in any app that installs anyml.
  resolve: {
    alias: [
      { find: /^anyml$/, replacement: join(repo, 'src/index.ts') },
      { find: /^anyml\/tomogan$/, replacement: join(repo, 'src/tomogan/index.ts') },
      { find: /^#platform$/, replacement: join(repo, 'src/platform/browser.ts') },
      { find: /^#tomogan-platform$/, replacement: join(repo, 'src/tomogan/platform/browser.ts') },
    ],
  },
  // A missing file is a 404, not index.html (the default 'spa' fallback).
  appType: 'mpa',
  server: { headers: isolation, host: '127.0.0.1', port: 5173 },
  preview: { headers: isolation, host: '127.0.0.1', port: 4173 },
  build: {
    outDir: join(repo, 'dist-demo'),
    emptyOutDir: true,
    target: 'es2022',
    // Not minified, so that tfjs-wasm's threaded build works (the demo calls setWasmThreads(true)): tfjs rebuilds its
    // pthread worker from Function.toString(), and minified code references names that no longer exist
    // ("ReferenceError: e is not defined"; setBackend never resolves). test/demo/demo.test.ts fails if that comes back.
    minify: false,
    chunkSizeWarningLimit: 8192,
    reportCompressedSize: false,
    // tfjs and the worker bundles make rolldown's "plugins took significant time" notes on every build: noise here.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  worker: { format: 'es', rolldownOptions: { checks: { bundlerTimings: false } } },
});
