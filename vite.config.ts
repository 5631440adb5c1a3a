// SPDX-License-Identifier: MIT
// The Node vitest project. The sources import `#platform` and `#tomogan-platform` (the package's `imports` map,
// which points at dist/): here they are the Node sources, as tsconfig.json's `paths` say for tsc and tsx.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^#platform$/, replacement: src('platform/node.ts') },
      { find: /^#tomogan-platform$/, replacement: src('tomogan/platform/node.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    pool: 'forks',
    globalSetup: ['test/global_setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
