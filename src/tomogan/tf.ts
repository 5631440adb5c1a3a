// SPDX-License-Identifier: MIT
// The one place TomoGAN takes tfjs from: tfjs-core with its cpu backend registered (the reference, always there).
// The wasm and webgpu backends are imported when first chosen (backends.ts). Public .d.ts never import this module's
// types (src/tomogan/types.ts has anyml's own), so users' type checks never load tfjs-core's declarations.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

export { tf };
