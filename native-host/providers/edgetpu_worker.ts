// SPDX-License-Identifier: MIT
// The `edgetpu` provider's child process: the shipped int8 edge model with its 64² tiles on a Coral Edge TPU (the
// edgetpu_compiler output named by ANYML_EDGETPU_MODEL, through libedgetpu's TFLite delegate), the fine-tune network
// on the TFLite CPU interpreter. Its own process because libedgetpu can crash (SIGSEGV) when the device goes away.
// Environment: ANYML_EDGETPU_MODEL (required), ANYML_EDGETPU_DEVICE (default usb), ANYML_EDGETPU_LIB (optional).
import { readFile } from 'node:fs/promises';
import { HostError } from 'anyml';
import { registerEdgeTpuRuntime } from 'anyml/node';
import { denoise, loadDefaultEdgeModel, type TomoganEdgeModel } from 'anyml/tomogan';
import { runEdgeJob } from './edge_job.js';
import { type ProviderJob, type ProviderResult, serveProvider } from './messages.js';

let edge: TomoganEdgeModel | undefined;
let backend = 'edgetpu';

async function run(job: ProviderJob, signal: AbortSignal): Promise<ProviderResult> {
  if (!edge) throw new Error('edgetpu provider: a job arrived before the model was loaded');
  return runEdgeJob(edge, 'edgetpu', job, signal, backend);
}

/** The compiled model's bytes; a start failure that says what to set when the variable is missing or unreadable. */
async function compiledModel(): Promise<{ path: string; bytes: Uint8Array }> {
  const path = process.env.ANYML_EDGETPU_MODEL;
  const how = 'the edgetpu_compiler output (x_edgetpu.tflite) of `anyml tomogan export x.tflite --int8`';
  if (!path) throw new HostError('PROVIDER_UNAVAILABLE', `edgetpu provider: ANYML_EDGETPU_MODEL is not set (expected the path of ${how})`);
  try {
    return { path, bytes: new Uint8Array(await readFile(path)) };
  } catch (e) {
    throw new HostError('PROVIDER_UNAVAILABLE', `edgetpu provider: cannot read ANYML_EDGETPU_MODEL '${path}': ${(e as Error).message} (expected ${how})`);
  }
}

serveProvider({
  init: async () => {
    const { path, bytes } = await compiledModel();
    edge = await loadDefaultEdgeModel();
    const reg = registerEdgeTpuRuntime({ edge, compiled: bytes, device: process.env.ANYML_EDGETPU_DEVICE || 'usb', library: process.env.ANYML_EDGETPU_LIB || undefined });
    backend = `edgetpu:${reg.device}`;
    if (!reg.compiledForEdgeTpu)
      console.error(`warning: ${path} has no edgetpu-custom-op (not compiled by edgetpu_compiler): every tile runs on the CPU`);
    // Creates the delegate: fails at start, not at the first job, when libedgetpu or the device is missing.
    const probe = { width: edge.tile, height: edge.tile, depth: edge.depth, data: new Float32Array(edge.tile * edge.tile * edge.depth) };
    await denoise(probe, { model: edge, runtime: 'edgetpu', scale: 'none' });
  },
  run,
});
