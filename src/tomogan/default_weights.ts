// SPDX-License-Identifier: MIT
// The TomoGAN weights anyml ships: trained by anyml on its own simulated low-dose FBP slices.
// Model card: docs/tomogan-model-card.md.
import { InvalidInputError } from '../errors.js';
import { type Generator, type LoadWeightsOptions, type TomoganModelJson, loadWeights, readWeightsFile } from './model.js';

/** Name of the shipped weights `anyml denoise` and loadDefaultWeights use (folder under weights/ in the package). */
export const DEFAULT_WEIGHTS_NAME = 'tomogan-sim-v2';

/** Name of the shipped 3-slice weights `anyml denoise --slices 3` uses without --weights (depth 3, repo widths). */
export const DEFAULT_3SLICE_WEIGHTS_NAME = 'tomogan-sim-v2-3slice';

/**
 * Every shipped generator by name: the URLs of its model.json and weights.bin. src/tomogan and dist/tomogan are both
 * two levels below the package root, so one relative URL serves the sources, the build and bundlers, which emit the
 * files because each URL is a literal. weights.bin is written out rather than resolved against model.json: a bundler
 * may inline a small model.json as a `data:` URL, against which no relative path resolves.
 */
const SHIPPED = {
  'tomogan-sim-v1': () => [new URL('../../weights/tomogan-sim-v1/model.json', import.meta.url), new URL('../../weights/tomogan-sim-v1/weights.bin', import.meta.url)],
  'tomogan-sim-v2': () => [new URL('../../weights/tomogan-sim-v2/model.json', import.meta.url), new URL('../../weights/tomogan-sim-v2/weights.bin', import.meta.url)],
  'tomogan-sim-v2-3slice': () => [
    new URL('../../weights/tomogan-sim-v2-3slice/model.json', import.meta.url),
    new URL('../../weights/tomogan-sim-v2-3slice/weights.bin', import.meta.url),
  ],
} as const satisfies Record<string, () => [URL, URL]>;

export type ShippedWeightsName = keyof typeof SHIPPED;
export const SHIPPED_WEIGHTS = Object.keys(SHIPPED) as ShippedWeightsName[];

/** Whether `s` names shipped weights (what `--weights tomogan-sim-v2` means), rather than a model.json path. */
export function isShippedWeights(s: string): s is ShippedWeightsName {
  return Object.hasOwn(SHIPPED, s);
}

/** The generator `--weights` names: shipped weights by name, a model.json path, or (undefined) the default. */
export function generatorFor(weights: string | undefined, opts: LoadWeightsOptions = {}): Promise<Generator> {
  if (weights === undefined) return loadDefaultWeights(opts);
  return isShippedWeights(weights) ? loadShippedWeights(weights, opts) : loadWeights(weights, opts);
}

/** URL of the default shipped model.json. */
export function defaultWeightsUrl(): URL {
  return SHIPPED[DEFAULT_WEIGHTS_NAME]()[0];
}

/**
 * Loads the default shipped generator (depth 1, repo widths) in Node and in bundled browser apps alike.
 * @example const model = await loadDefaultWeights(); const { image } = await denoise(slice, { model });
 */
export async function loadDefaultWeights(opts: LoadWeightsOptions = {}): Promise<Generator> {
  // Its own literal URLs, not SHIPPED's: an app that only loads the default bundles only the default's files.
  const json = new URL('../../weights/tomogan-sim-v2/model.json', import.meta.url);
  return loadFrom(DEFAULT_WEIGHTS_NAME, json, new URL('../../weights/tomogan-sim-v2/weights.bin', import.meta.url), opts);
}

/**
 * Loads a shipped generator by name (SHIPPED_WEIGHTS; model card: docs/tomogan-model-card.md).
 * @example const v2 = await loadShippedWeights('tomogan-sim-v2');
 */
export async function loadShippedWeights(name: ShippedWeightsName, opts: LoadWeightsOptions = {}): Promise<Generator> {
  const urls = (SHIPPED as Record<string, (() => [URL, URL]) | undefined>)[name];
  if (!urls) throw new InvalidInputError('loadShippedWeights: name', JSON.stringify(name), `one of ${SHIPPED_WEIGHTS.join(', ')}`);
  const [jsonUrl, binUrl] = urls();
  return loadFrom(name, jsonUrl, binUrl, opts);
}

async function loadFrom(name: string, jsonUrl: URL, binUrl: URL, opts: LoadWeightsOptions): Promise<Generator> {
  const [json, weightData] = await Promise.all([readWeightsFile(jsonUrl, opts), readWeightsFile(binUrl, opts)]);
  const modelJson = JSON.parse(new TextDecoder().decode(json)) as TomoganModelJson;
  const paths = (modelJson.weightsManifest ?? []).flatMap((g) => g.paths);
  if (paths.length !== 1 || paths[0] !== 'weights.bin') {
    throw new InvalidInputError(`loadShippedWeights: ${name}/model.json weightsManifest`, JSON.stringify(paths), '["weights.bin"] (the shipped layout)');
  }
  return loadWeights({ modelJson, weightData }, opts);
}
