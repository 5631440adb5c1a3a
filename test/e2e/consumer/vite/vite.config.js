// SPDX-License-Identifier: MIT
// The user's own vite config: three pages, and COOP/COEP headers only when ISOLATE is set (anyml's README line for
// SharedArrayBuffer workers). Nothing else: no optimizeDeps, worker or asset settings for anyml.
import { defineConfig } from 'vite';

const headers = process.env.ISOLATE ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
export default defineConfig({
  server: { headers },
  preview: { headers },
  build: { rolldownOptions: { input: { svm: 'svm.html', tomogan: 'tomogan.html', host: 'host.html' } } },
});
