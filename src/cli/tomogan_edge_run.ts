// SPDX-License-Identifier: MIT
// The work behind `anyml tomogan quantize` and `anyml tomogan export` (loaded on demand).
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkOutputDir, checkOutputFile } from '../io/files.js';
import { scaleToUint8Range } from '../io/image.js';
import { IMAGE_EXTENSIONS, readImage } from '../io/node_image.js';
import type { Image } from '../types.js';
import { needsScaling } from '../tomogan/denoise.js';
import { DEFAULT_WEIGHTS_NAME, generatorFor } from '../tomogan/default_weights.js';
import { quantizeTomogan } from '../tomogan/edge/build.js';
import { exportTflite } from '../tomogan/edge/export.js';
import { DEFAULT_EDGE_BASE, DEFAULT_EDGE_NAME, type EdgeModelJson, edgeModelFromJson, edgeModelToJson, loadDefaultEdgeModel } from '../tomogan/edge/model_file.js';
import type { TomoganEdgeModel } from '../tomogan/edge/pipeline.js';
import { edgeQuality } from '../tomogan/edge/report.js';
import type { Generator } from '../tomogan/model.js';
import { exportOnnx } from '../tomogan/onnx.js';
import { simulatedPairs } from '../tomogan/train/dataset.js';
import { edgeWeights } from './edge_base.js';
import { createBar } from './progress.js';

export interface QuantizeFlags {
  out: string;
  weights?: string;
  calibration: string;
  method: 'percentile' | 'minmax';
  percentile: number;
  tile: number;
  finetune: boolean;
  finetuneSteps: number;
  finetuneImages: number;
  target: 'float' | 'clean';
  report: number;
  seed: number;
  json?: boolean;
}

/** The images of a calibration folder on the 0…255 scale (percentile-scaled unless already on it, as denoise does). */
function folderImages(dir: string): Promise<Image[]> {
  const files = readdirSync(dir).filter((f) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(f).toLowerCase())).sort();
  if (!files.length) throw new InvalidInputError('anyml tomogan quantize: --calibration', `${dir}, a folder with no ${IMAGE_EXTENSIONS.join(' / ')} files`, 'calibration slices');
  return Promise.all(files.map(async (f) => {
    const im = await readImage(join(dir, f));
    return needsScaling(im.data) ? scaleToUint8Range(im).image : im;
  }));
}

async function calibrationSet(text: string, f: QuantizeFlags): Promise<Image[] | { count: number }> {
  if (/^\d+$/.test(text)) {
    const count = Number(text);
    if (count < 1) throw new InvalidInputError('anyml tomogan quantize: --calibration', text, 'a count ≥ 1 or a folder of slices');
    return { count };
  }
  let dir = false;
  try {
    dir = statSync(text).isDirectory();
  } catch {
    /* reported below */
  }
  if (!dir) throw new InvalidInputError('anyml tomogan quantize: --calibration', text, `a count of simulated slices or an existing folder (the ${f.tile}² tiles are cut from its images)`);
  return folderImages(text);
}

const generator = (weights?: string): Promise<Generator> => generatorFor(weights);

export async function runQuantize(f: QuantizeFlags): Promise<void> {
  if (f.tile % 8) throw new InvalidInputError('anyml tomogan quantize: --tile', String(f.tile), 'a multiple of 8 (the generator pools three times)');
  await checkOutputDir(f.out, 'anyml tomogan quantize: --out');
  const calibration = await calibrationSet(f.calibration, f);
  const model = await generator(f.weights);
  const bar = await createBar(!f.json, '{stage} |{bar}| {value}/{total}');
  const t0 = performance.now();
  const edge = await quantizeTomogan(model, calibration, {
    method: f.method, percentile: f.percentile, tile: f.tile, seed: f.seed,
    finetune: f.finetune ? { steps: f.finetuneSteps, images: f.finetuneImages, target: f.target, seed: f.seed } : false,
    onProgress: (stage, done, total) => bar.update(done, total, { stage }),
  }).finally(() => bar.stop());
  const ms = performance.now() - t0;
  mkdirSync(f.out, { recursive: true });
  await writeFileAtomic(join(f.out, 'edge.json'), JSON.stringify(edgeModelToJson(edge, f.weights ?? DEFAULT_WEIGHTS_NAME)));
  const quality = f.report > 0 ? await edgeQuality(edge, simulatedPairs({ count: f.report, size: 256, seed: 1000, kinds: ['shepp-logan', 'ellipses', 'foam', 'smooth'] })) : [];
  const report = { out: join(f.out, 'edge.json'), weights: f.weights ?? DEFAULT_WEIGHTS_NAME, method: f.method, tile: f.tile, finetune: f.finetune, ms, quality };
  await writeFileAtomic(join(f.out, 'report.json'), JSON.stringify(report, null, 1));
  if (f.json) return void process.stdout.write(JSON.stringify(report) + '\n');
  process.stdout.write(`edge model → ${report.out} in ${(ms / 1000).toFixed(1)} s\n`);
  for (const q of quality) process.stdout.write(`  ${q.variant.padEnd(28)} SSIM ${q.ssim.toFixed(4)}  PSNR ${q.psnr.toFixed(2)} dB\n`);
}

export interface ExportFlags {
  weights?: string;
  edge?: string;
  int8?: boolean;
  tile?: number;
  finetune?: boolean;
  json?: boolean;
}

async function edgeModel(f: ExportFlags, model: Generator): Promise<TomoganEdgeModel> {
  if (f.edge) return edgeModelFromJson(JSON.parse(readFileSync(f.edge, 'utf8')) as EdgeModelJson, model, f.edge);
  if (f.weights) throw new InvalidInputError('anyml tomogan export: --edge', 'nothing with --weights', `the edge.json that tomogan quantize wrote for those weights (the shipped ${DEFAULT_EDGE_NAME} belongs to ${DEFAULT_EDGE_BASE})`);
  return loadDefaultEdgeModel(model);
}

export async function runExport(out: string, f: ExportFlags): Promise<void> {
  const ext = extname(out).toLowerCase();
  await checkOutputFile(out, 'anyml tomogan export: <out>', ['.tflite', '.onnx']);
  if (f.tile !== undefined && f.tile % 8) throw new InvalidInputError('anyml tomogan export: --tile', String(f.tile), 'a multiple of 8');
  const needEdge = f.int8 || f.finetune;
  const model = await generator(needEdge ? await edgeWeights('anyml tomogan export: --edge', f.weights, f.edge) : f.weights);
  const edge = needEdge ? await edgeModel(f, model) : undefined;
  let bytes: Uint8Array;
  if (ext === '.tflite') {
    bytes = exportTflite(edge ?? model, { quantized: !!f.int8, inputShape: f.tile, network: f.finetune ? 'finetune' : 'tomogan' });
  } else {
    if (f.finetune || f.int8) {
      if (!f.int8) throw new InvalidInputError('anyml tomogan export: --finetune', 'an .onnx output without --int8', '--int8 (the float fine-tune network is written as .tflite)');
      bytes = (await import('../tomogan/edge/export_onnx.js')).exportEdgeOnnx(edge!, { network: f.finetune ? 'finetune' : 'tomogan', inputShape: f.tile });
    }
    else bytes = exportOnnx(model);
  }
  await writeFileAtomic(out, bytes);
  const summary = { out, bytes: bytes.length, format: ext.slice(1), int8: !!f.int8, network: f.finetune ? 'finetune' : 'tomogan', tile: f.tile ?? (ext === '.onnx' && !needEdge ? null : edge?.tile ?? 64) };
  if (f.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else process.stdout.write(`wrote ${out} (${bytes.length} bytes, ${summary.int8 ? 'int8' : 'float32'} ${summary.network})\n`);
}
