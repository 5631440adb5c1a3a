// SPDX-License-Identifier: MIT
// The `tensorrt` provider's child process (NVIDIA Jetson / GPUs with TensorRT): the shipped float TomoGAN, exported
// to ONNX, built once into a cached TensorRT engine by trtexec and run by a persistent Python runner. It runs the
// float model at fp16 (or fp32): TensorRT's int8 needs symmetric (zero-point 0) scales, and anyml's QDQ export is
// asymmetric. Its own process because CUDA faults end it, and the supervisor then reports DEVICE_LOST and restarts.
import { HostError } from 'anyml';
import { denoise, type DenoiseScale, exportOnnx, type Generator, loadDefaultWeights } from 'anyml/tomogan';
import { registerTensorrtBackend, trtShapes } from '../tensorrt/backend.js';
import { defaultCacheDir, defaultTrtexec, ensureEngine, TRT_PRECISIONS, type TrtPrecision } from '../tensorrt/engine_cache.js';
import { startTrtRunner, type TrtRunner } from '../tensorrt/runner.js';
import { type ProviderJob, type ProviderResult, serveProvider } from './messages.js';

/**
 * Opset 13: the newest that every TensorRT 8.x ONNX parser takes (JetPack 4's TensorRT 8.2 stops at 13), and the
 * first where Resize's roi input may be left out.
 */
const OPSET = 13;

let model: Generator | undefined;
let runner: TrtRunner | undefined;

function precisionFromEnv(): TrtPrecision {
  const p = process.env.ANYML_TENSORRT_PRECISION ?? 'fp16';
  if (!(TRT_PRECISIONS as readonly string[]).includes(p))
    throw new HostError('PROVIDER_UNAVAILABLE', `tensorrt: ANYML_TENSORRT_PRECISION=${JSON.stringify(p)}; expected one of ${TRT_PRECISIONS.join(', ')} (int8 would need symmetric quantization)`);
  return p as TrtPrecision;
}

async function init(): Promise<void> {
  const precision = precisionFromEnv();
  model = await loadDefaultWeights();
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const engine = await ensureEngine({
    onnx: exportOnnx(model, { dynamicSize: true, opset: OPSET }),
    precision,
    cacheDir: process.env.ANYML_TENSORRT_CACHE || defaultCacheDir(),
    trtexec: defaultTrtexec(),
    shapes: trtShapes(model.depth),
    log,
  });
  runner = await startTrtRunner({
    engine: engine.path,
    ...(process.env.ANYML_TENSORRT_PYTHON ? { python: process.env.ANYML_TENSORRT_PYTHON } : {}),
    ...(process.env.ANYML_TENSORRT_RUNNER ? { script: process.env.ANYML_TENSORRT_RUNNER } : {}),
    onLog: log,
  });
  // A runner that dies takes this worker with it: the supervisor answers the job DEVICE_LOST and restarts us.
  runner.onExit = (why) => {
    log(why);
    process.exit(3);
  };
  registerTensorrtBackend(runner, model.depth);
  // Fail at start, not at the first job, when the engine does not run.
  await denoise({ width: 8, height: 8, depth: model.depth, data: new Float32Array(64 * model.depth) }, { model, backend: 'tensorrt', scale: 'none' });
}

async function run(job: ProviderJob, signal: AbortSignal): Promise<ProviderResult> {
  if (!model || !runner) throw new Error('tensorrt provider: a job arrived before the engine was loaded');
  const t0 = performance.now();
  const image = { width: job.width, height: job.height, depth: job.depth, data: job.data };
  const scale = job.options?.scale as DenoiseScale | undefined;
  const r = await denoise(image, { model, backend: 'tensorrt', signal, ...(scale === undefined ? {} : { scale }) });
  return { data: r.image.data, stages: { model: r.ms, total: performance.now() - t0 }, backend: 'tensorrt' };
}

serveProvider({ init, run });
