// SPDX-License-Identifier: MIT
// The `cpu` provider's child process: loads the shipped float TomoGAN once and denoises with `backend: 'auto'`
// (onnxruntime-node's `native` when it is installed, else tfjs-wasm). A separate process because a native backend
// that crashes takes only this process down, and the supervisor restarts it.
import { denoise, type DenoiseScale, type Generator, loadDefaultWeights } from 'anyml/tomogan';
import { type ProviderJob, type ProviderResult, serveProvider } from './messages.js';

let model: Generator | undefined;

async function run(job: ProviderJob, signal: AbortSignal): Promise<ProviderResult> {
  if (!model) throw new Error('cpu provider: a job arrived before the model was loaded');
  const t0 = performance.now();
  const image = { width: job.width, height: job.height, depth: job.depth, data: job.data };
  const scale = job.options?.scale as DenoiseScale | undefined;
  const r = await denoise(image, { model, signal, ...(scale === undefined ? {} : { scale }) });
  const total = performance.now() - t0;
  return { data: r.image.data, stages: { model: r.ms, total }, backend: r.backend };
}

serveProvider({
  init: async () => {
    model = await loadDefaultWeights();
  },
  run,
});
