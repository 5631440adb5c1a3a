// SPDX-License-Identifier: MIT
// `node --import ./track.mjs app.mjs`: records the ES modules resolved (track_hooks.mjs) and, at exit, the CommonJS
// modules loaded (require.cache, which also holds CommonJS packages imported from ES modules) into $TRACK_FILE.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

register('./track_hooks.mjs', import.meta.url);
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => appendFileSync(process.env.TRACK_FILE, Object.keys(cache).map((p) => `${p}\n`).join('')));
