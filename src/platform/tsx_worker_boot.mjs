// SPDX-License-Identifier: MIT
// Dev shim, never shipped: a worker_threads worker started from the .ts sources (vitest, tsx) is not transformed, so
// it registers tsx here first, then imports its entry. Compiled workers in dist/ start their .js entry directly.
import { register } from 'tsx/esm/api';
register();
const { workerData } = await import('node:worker_threads');
await import(workerData.entry);
