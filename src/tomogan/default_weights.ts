// SPDX-License-Identifier: MIT
// The TomoGAN weights anyml ships: trained by anyml on its own simulated low-dose FBP slices.
// Model card: docs/tomogan-model-card.md.
import { InvalidInputError } from '../errors.js';
import { type Generator, type LoadWeightsOptions, type TomoganModelJson, loadWeights, readWeightsFile } from './model.js';

/** Name of the shipped weights (folder under weights/ in the package). */
export const DEFAULT_WEIGHTS_NAME = 'tomogan-sim-v1';

/**
 * URL of the shipped model.json. src/tomogan and dist/tomogan are both two levels below the package root, so one
 * relative URL serves the sources, the build and bundlers, which emit the file because the URL is a literal.
 */
export function defaultWeightsUrl(): URL {
  return new URL('../../weights/tomogan-sim-v1/model.json', import.meta.url);
}

/**
 * URL of the shipped weights.bin, written out rather than resolved against model.json: a bundler may inline a small
 * model.json as a `data:` URL, against which no relative path resolves.
 */
function defaultWeightDataUrl(): URL {
  return new URL('../../weights/tomogan-sim-v1/weights.bin', import.meta.url);
}

/**
 * Loads the shipped generator (depth 1, repo widths) in Node and in bundled browser apps alike: both files are
 * literal `new URL(…, import.meta.url)` assets of anyml, so a bundler such as vite emits them with no configuration.
 * @example const model = await loadDefaultWeights(); const { image } = await denoise(slice, { model });
 */
export async function loadDefaultWeights(opts: LoadWeightsOptions = {}): Promise<Generator> {
  const [json, weightData] = await Promise.all([readWeightsFile(defaultWeightsUrl(), opts), readWeightsFile(defaultWeightDataUrl(), opts)]);
  const modelJson = JSON.parse(new TextDecoder().decode(json)) as TomoganModelJson;
  const paths = (modelJson.weightsManifest ?? []).flatMap((g) => g.paths);
  if (paths.length !== 1 || paths[0] !== 'weights.bin') {
    throw new InvalidInputError(`loadDefaultWeights: ${DEFAULT_WEIGHTS_NAME}/model.json weightsManifest`, JSON.stringify(paths), '["weights.bin"] (the shipped layout)');
  }
  return loadWeights({ modelJson, weightData }, opts);
}
