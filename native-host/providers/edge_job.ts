// SPDX-License-Identifier: MIT
// One job of an edge provider (tflite, edgetpu): the int8 edge model's denoise on the named int8 runtime, with its
// stage times (model / stitch / finetune / total) as the host reports them.
import { denoise, type DenoiseScale, type TomoganEdgeModel } from 'anyml/tomogan';
import type { ProviderJob, ProviderResult } from './messages.js';

export async function runEdgeJob(edge: TomoganEdgeModel, runtime: string, job: ProviderJob, signal: AbortSignal, backend?: string): Promise<ProviderResult> {
  const image = { width: job.width, height: job.height, depth: job.depth, data: job.data };
  const scale = job.options?.scale as DenoiseScale | undefined;
  const r = await denoise(image, { model: edge, runtime, signal, ...(scale === undefined ? {} : { scale }) });
  const st = r.stages as { model: number; stitch: number; finetune: number; total: number };
  return { data: r.image.data, stages: { model: st.model, stitch: st.stitch, finetune: st.finetune, total: st.total }, backend: backend ?? r.backend };
}
