// SPDX-License-Identifier: MIT
// vitest browser mode in Debian Chromium (headless, cross-origin isolated, WebGPU allowed). docs/toolchain.md.
import { playwright } from '@vitest/browser-playwright';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SHARED_DATA_PATH } from './test/helpers/shared_data_path.js';

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  define: {
    __ANYML_CI__: JSON.stringify(process.env.CI === 'true'),
    // The shared data folder, relative to the project root (commands.readFile resolves from there).
    __ANYML_SHARED_DATA__: JSON.stringify(relative(process.cwd(), SHARED_DATA_PATH)),
  },
  // The browser sides of the package's `imports` map, from the sources.
  resolve: {
    alias: [
      { find: /^#platform$/, replacement: src('platform/browser.ts') },
      { find: /^#tomogan-platform$/, replacement: src('tomogan/platform/browser.ts') },
    ],
  },
  server: { headers: isolation, fs: { allow: ['..', SHARED_DATA_PATH] } },
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-unsafe-webgpu'],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
