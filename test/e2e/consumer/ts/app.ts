// SPDX-License-Identifier: MIT
// A strict TypeScript user of all three entries (compiled with tsc --noEmit, skipLibCheck: false).
import { type Dataset, type Image, type SvmModel, makeClassification, parseLibsvm, ssim, trainSvm } from 'anyml';
import { type DenoiseResult, type Generator, denoise, loadDefaultWeights, trainTomogan, simulatedPairs } from 'anyml/tomogan';
import { readDataset, readImage, writeImage } from 'anyml/node';

export async function svm(): Promise<number> {
  const { train, test }: { train: Dataset; test: Dataset } = makeClassification({ rows: 100, testFraction: 0.2 });
  const model: SvmModel = await trainSvm(train, { workers: 2, lambda: 'auto', onEpoch: (p) => void p.epoch });
  const parsed = await parseLibsvm('+1 1:0.5\n-1 2:1\n');
  const file = await readDataset('train.libsvm.gz');
  return model.evaluate(test).accuracy + parsed.dataset.x.rows + file.dataset.x.rows;
}

export async function tomogan(path: string): Promise<DenoiseResult> {
  const model: Generator = await loadDefaultWeights();
  const img: Image = await readImage(path);
  const r = await denoise(img, { model, scale: 'auto', backend: 'auto', onProgress: (d, t) => void (d / t) });
  console.log(ssim(r.image, img, { dataRange: 255 }), r.scaled, r.range?.lo);
  await writeImage('out.tif', r.image);
  await trainTomogan({ data: simulatedPairs({ count: 2, size: 64, seed: 1 }), iterations: 1, init: model });
  return r;
}
