// SPDX-License-Identifier: MIT
// Node worker boot for .ts sources (vitest, tsx): worker threads are not transformed, so register tsx here first.
// Compiled dist/ workers start their .js entry directly and never need this file (tsc does not copy .mjs).
import { register } from 'tsx/esm/api';
register();
const { workerData } = await import('node:worker_threads');
await import(workerData.entry);
