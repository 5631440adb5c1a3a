// SPDX-License-Identifier: MIT
// vitest browser mode in Debian Chromium (headless, cross-origin isolated, WebGPU allowed). TOOLCHAIN.md §6.
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  define: { __ANYML_CI__: JSON.stringify(process.env.CI === 'true') },
  server: { headers: isolation, fs: { allow: ['..'] } },
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
