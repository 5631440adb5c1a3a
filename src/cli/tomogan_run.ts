// SPDX-License-Identifier: MIT
// The work behind `anyml tomogan train` (loaded on demand: tfjs stays off the start-up path of other commands).
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkOutputDir } from '../io/files.js';
import type { TfBackendName } from '../tomogan/types.js';
import { type DecoderWidths, saveWeights } from '../tomogan/model.js';
import { generatorFor } from '../tomogan/default_weights.js';
import { simulatedPairs } from '../tomogan/train/dataset.js';
import { type TrainCheckpoint, decodeCheckpoint, encodeCheckpoint, generatorFromCheckpoint, resolveTrainOptions, trainTomogan } from '../tomogan/train/train.js';
import { type FbpFilter, FBP_FILTERS } from '../tomo/fbp.js';
import { PHANTOM_KINDS, type PhantomKind } from '../tomo/phantom.js';

const filterList = (f: TrainFlags) => (f.filters ? f.filters.split(',').map((x) => x.trim()) : []);

export interface TrainFlags {
  out: string;
  weights?: string;
  resume?: boolean;
  iterations: number;
  batch: number;
  crop: number;
  lr: number;
  lambdaAdv: number;
  lambdaMse: number;
  itd: number;
  pairs: number;
  size: number;
  photons: number[];
  sizes?: number[];
  views?: [number, number];
  photonRange?: [number, number];
  filters?: string;
  kinds: string;
  depth: string;
  widths: DecoderWidths;
  seed: number;
  backend: TfBackendName;
  checkpointEvery: number;
  workers: number;
  json?: boolean;
}


/** Every flag checked before minutes of simulation: the library's own checks, the crop against the size, --out. */
async function checkFlags(f: TrainFlags, kinds: string[]): Promise<void> {
  for (const k of kinds) if (!PHANTOM_KINDS.includes(k as PhantomKind)) throw new InvalidInputError('anyml tomogan train: --kinds', k, PHANTOM_KINDS.join(', '));
  for (const x of filterList(f)) if (!FBP_FILTERS.includes(x as FbpFilter)) throw new InvalidInputError('anyml tomogan train: --filters', x, FBP_FILTERS.join(', '));
  const smallest = Math.min(...(f.sizes ?? [f.size]));
  const bound = f.sizes ? `the smallest of --sizes, ${smallest}` : `--size ${f.size}`;
  if (f.crop > smallest) throw new InvalidInputError('anyml tomogan train: --crop', String(f.crop), `at most ${bound} (crops are cut from the simulated images)`);
  const { depth, widths, iterations, batch, crop, lr, lambdaAdv, lambdaMse, itd, seed, backend, checkpointEvery, workers } = f;
  try {
    resolveTrainOptions({ depth: Number(depth) as 1 | 3, widths, iterations, batch, crop, lr, lambdaAdv, lambdaMse, itd, seed, backend, checkpointEvery, workers });
  } catch (e) {
    // The library names its option (options.checkpointEvery); the user typed a flag (--checkpoint-every).
    const m = e instanceof InvalidInputError ? /^trainTomogan: options\.(\w+)$/.exec(e.where) : null;
    if (!m || !(e instanceof InvalidInputError)) throw e;
    throw new InvalidInputError(`anyml tomogan train: --${m[1].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, e.got, e.expected);
  }
  await checkOutputDir(f.out, 'anyml tomogan train: --out');
}

export async function runTrain(f: TrainFlags): Promise<void> {
  const kinds = f.kinds.split(',').map((k) => k.trim());
  await checkFlags(f, kinds);
  mkdirSync(f.out, { recursive: true });
  const ckJson = join(f.out, 'checkpoint.json');
  const ckBin = join(f.out, 'checkpoint.bin');
  let resume: TrainCheckpoint | undefined;
  if (f.resume) {
    if (!existsSync(ckJson)) throw new InvalidInputError('anyml tomogan train: --resume', ckJson, 'an existing checkpoint (written every --checkpoint-every iterations)');
    resume = decodeCheckpoint(readFileSync(ckJson, 'utf8'), new Uint8Array(readFileSync(ckBin)));
  }
  const init = f.weights ? await generatorFor(f.weights) : undefined;
  const depth = Number(f.depth) as 1 | 3;
  const t0 = performance.now();
  const say = (s: string) => !f.json && process.stderr.write(s);
  const data = simulatedPairs({
    count: f.pairs, size: f.size, kinds: kinds as PhantomKind[], photons: f.photons, depth: init?.depth ?? depth, seed: f.seed,
    ...(f.sizes ? { sizes: f.sizes } : {}), ...(f.views ? { views: f.views } : {}), ...(f.photonRange ? { photonRange: f.photonRange } : {}),
    ...(f.filters ? { filters: filterList(f) as FbpFilter[] } : {}),
    onProgress: (d, n) => say(`\rsimulating pairs ${d}/${n}`),
  });
  say('\n');
  const simSeconds = (performance.now() - t0) / 1000;
  const log = join(f.out, 'log.jsonl');
  // On resume, drop log lines past the checkpoint (they are about to be recomputed, identically).
  if (resume && existsSync(log)) {
    const keep = readFileSync(log, 'utf8').split('\n').filter((l) => l && (JSON.parse(l) as { iteration: number }).iteration <= resume!.iteration);
    await writeFileAtomic(log, keep.map((l) => l + '\n').join(''));
  } else if (!resume && existsSync(log)) await writeFileAtomic(log, '');
  const result = await trainTomogan({
    data, init, depth, widths: f.widths, iterations: f.iterations, batch: f.batch, crop: f.crop, lr: f.lr,
    lambdaAdv: f.lambdaAdv, lambdaMse: f.lambdaMse, itd: f.itd, seed: f.seed, backend: f.backend,
    checkpointEvery: f.checkpointEvery, resume, workers: f.workers,
    onProgress: (r) => {
      appendFileSync(log, JSON.stringify(r) + '\n');
      say(`\riteration ${r.iteration}/${f.iterations}  g ${r.gLoss.toFixed(2)}  mse ${r.mse.toFixed(2)}  adv ${r.adv.toFixed(3)}  d ${r.dLoss.toFixed(3)}  ${(r.ms / 1000).toFixed(2)} s/it `);
    },
    onCheckpoint: async (c) => {
      const { json, bin } = encodeCheckpoint(c);
      await writeFileAtomic(ckBin, bin); // bin first: a checkpoint.json always describes a complete checkpoint.bin
      await writeFileAtomic(ckJson, json);
      const saved = saveWeights(generatorFromCheckpoint(c));
      await writeFileAtomic(join(f.out, 'weights.bin'), new Uint8Array(saved.weightData));
      await writeFileAtomic(join(f.out, 'model.json'), JSON.stringify(saved.modelJson));
    },
  });
  say('\n');
  const last = result.history[result.history.length - 1];
  const summary = {
    out: f.out, iterations: last.iteration, backend: result.backend, seconds: result.seconds, simulateSeconds: simSeconds,
    pairs: f.pairs, ...(f.sizes ? { sizes: f.sizes } : { size: f.size }), crop: f.crop, batch: f.batch, workers: f.workers, mse: last.mse, gLoss: last.gLoss, dLoss: last.dLoss,
  };
  if (f.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else process.stdout.write(`trained ${last.iteration} iterations on ${result.backend} in ${result.seconds.toFixed(0)} s → ${join(f.out, 'model.json')}\n`);
}
