// SPDX-License-Identifier: MIT
// The tfjs backend of a training thread (the calling thread, or a data-parallel worker: ./parallel/worker.ts).
import { useBackend, useGradients } from '../backends/index.js';
import type { TfBackendName } from '../types.js';
import { registerWasmTrainingKernels } from './wasm_kernels.js';

/** Makes the tfjs backend current, with gradients and (on wasm) anyml's training kernels. */
export async function prepareBackend(backend: TfBackendName): Promise<void> {
  await useBackend(backend);
  await useGradients();
  // Conv2DBackpropFilter is missing on wasm; the stride-1 Conv2DBackpropInput route makes steps ~3.5× faster and the
  // cpu-exact MaxPoolGrad routes ties and non-positive maxima as the reference does (wasm_kernels.ts).
  if (backend === 'wasm') registerWasmTrainingKernels({ fastConv2DBackpropInput: true, fixMaxPoolGrad: true });
}
