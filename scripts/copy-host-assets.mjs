// SPDX-License-Identifier: MIT
// Copies what tsc does not into dist/native-host: the TensorRT provider's Python runner, which the compiled
// native-host/tensorrt/runner.js starts from its sibling providers/ directory.
import { copyFileSync, mkdirSync } from 'node:fs';

const from = new URL('../native-host/providers/trt_runner.py', import.meta.url);
const to = new URL('../dist/native-host/providers/trt_runner.py', import.meta.url);
mkdirSync(new URL('.', to), { recursive: true });
copyFileSync(from, to);
