// SPDX-License-Identifier: MIT
// The `tflite` provider's child process: the shipped int8 edge model (tomogan-sim-v1-edge) on the TFLite C
// interpreter — 64² tiles with no halo, stitched, then the int8 fine-tune network — which is what the Edge TPU
// provider runs minus the delegate. Its own process because a TFLite delegate that fails can take the process down.
import { denoise, loadDefaultEdgeModel, type TomoganEdgeModel } from 'anyml/tomogan';
import { runEdgeJob } from './edge_job.js';
import { type ProviderJob, type ProviderResult, serveProvider } from './messages.js';

let edge: TomoganEdgeModel | undefined;

async function run(job: ProviderJob, signal: AbortSignal): Promise<ProviderResult> {
  if (!edge) throw new Error('tflite provider: a job arrived before the model was loaded');
  return runEdgeJob(edge, 'tflite', job, signal);
}

serveProvider({
  init: async () => {
    edge = await loadDefaultEdgeModel();
    // Fail at start, not at the first job, when the TFLite C library or koffi is missing.
    await denoise({ width: 64, height: 64, depth: 1, data: new Float32Array(4096) }, { model: edge, runtime: 'tflite', scale: 'none' });
  },
  run,
});
