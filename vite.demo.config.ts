// SPDX-License-Identifier: MIT
// The in-browser demo (issue 7): `vite build -c vite.demo.config.ts` → dist-demo/, served cross-origin isolated
// by `vite preview -c vite.demo.config.ts` (COOP/COEP: SharedArrayBuffer for the SVM workers, threads for tfjs-wasm).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const repo = fileURLToPath(new URL('.', import.meta.url));
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** URL path (relative to the page) the demo loads the TomoGAN weights from. */
const WEIGHTS_URL = 'weights/tomogan-sim-v1/';
/** The folder served there: the shipped weights, or ANYML_DEMO_WEIGHTS (any folder with model.json + weights.bin). */
const weightsDir = resolve(process.env.ANYML_DEMO_WEIGHTS ?? join(repo, 'weights/tomogan-sim-v1'));

/** model.json plus the files its weightsManifest names (none when model.json is missing or unreadable). */
function weightFiles(): string[] {
  const json = join(weightsDir, 'model.json');
  if (!existsSync(json)) return [];
  try {
    const m = JSON.parse(readFileSync(json, 'utf8')) as { weightsManifest?: { paths: string[] }[] };
    return ['model.json', ...(m.weightsManifest ?? []).flatMap((g) => g.paths)];
  } catch {
    return ['model.json'];
  }
}

/**
 * Serves the weights folder at WEIGHTS_URL in dev, and copies it into the build (so `vite preview` and any static
 * host serve it). Missing weights are a build warning, not an error: the TomoGAN tab then says so in the page.
 */
function tomoganWeights(): Plugin {
  return {
    name: 'anyml-demo-weights',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0]);
        const i = path.indexOf(`/${WEIGHTS_URL}`);
        if (i < 0) return next();
        const name = path.slice(i + WEIGHTS_URL.length + 1);
        if (!weightFiles().includes(name)) return next();
        res.setHeader('Content-Type', extname(name) === '.json' ? 'application/json' : 'application/octet-stream');
        res.end(readFileSync(join(weightsDir, name)));
      });
    },
    generateBundle() {
      const files = weightFiles();
      if (!files.length) {
        const have = existsSync(weightsDir) ? readdirSync(weightsDir).join(', ') || 'empty' : 'missing';
        this.warn(`no TomoGAN weights in ${weightsDir} (${have}): the TomoGAN tab will say so. Set ANYML_DEMO_WEIGHTS to a folder with model.json + weights.bin.`);
        return;
      }
      for (const f of files) this.emitFile({ type: 'asset', fileName: WEIGHTS_URL + f, source: readFileSync(join(weightsDir, f)) });
    },
  };
}

export default defineConfig({
  root: join(repo, 'demo'),
  base: './',
  publicDir: false,
  // The demo imports only the public entry, `anyml`, which is the library's sources here (no `npm run build` needed).
  resolve: { alias: [{ find: /^anyml$/, replacement: join(repo, 'src/index.ts') }] },
  // What the TomoGAN tab loads, decided when the build (or dev server) starts: the tab says so when there are none.
  define: {
    __DEMO_WEIGHTS__: JSON.stringify({ label: process.env.ANYML_DEMO_WEIGHTS ? weightsDir : 'weights/tomogan-sim-v1 (shipped)', found: weightFiles().length > 0, dir: relative(repo, weightsDir) || '.' }),
  },
  // A missing file is a 404, not index.html (the default 'spa' fallback).
  appType: 'mpa',
  server: { headers: isolation, host: '127.0.0.1', port: 5173 },
  preview: { headers: isolation, host: '127.0.0.1', port: 4173 },
  build: {
    outDir: join(repo, 'dist-demo'),
    emptyOutDir: true,
    target: 'es2022',
    // A minified build breaks tfjs-wasm's threaded backend: it rebuilds its pthread worker from Function.toString(),
    // and the minified code references names that no longer exist ("ReferenceError: e is not defined"; setBackend
    // never resolves). TOOLCHAIN.md §6. test/demo/demo.test.ts fails if that comes back.
    minify: false,
    chunkSizeWarningLimit: 8192,
    reportCompressedSize: false,
    // tfjs and the worker bundles make rolldown's "plugins took significant time" notes on every build: noise here.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  worker: { format: 'es', rolldownOptions: { checks: { bundlerTimings: false } } },
  plugins: [tomoganWeights()],
});
