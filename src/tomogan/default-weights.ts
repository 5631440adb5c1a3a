// SPDX-License-Identifier: MIT
// The TomoGAN weights anyml ships (issue 6): trained by anyml on its own simulated low-dose FBP slices.
// Model card: docs/tomogan-model-card.md. No public TomoGAN weights exist (shared/data/tomogan/README.md).
import { type Generator, type LoadWeightsOptions, loadWeights } from './model.js';

/** Name of the shipped weights (folder under weights/ in the package). */
export const DEFAULT_WEIGHTS_NAME = 'tomogan-sim-v1';

/**
 * URL of the shipped model.json (weights.bin next to it). src/tomogan and dist/tomogan are both two levels below the
 * package root, so one relative URL serves the sources, the build and bundlers that understand `new URL(…, import.meta.url)`.
 */
export function defaultWeightsUrl(): URL {
  return new URL(`../../weights/${DEFAULT_WEIGHTS_NAME}/model.json`, import.meta.url);
}

/** Loads the shipped generator (depth 1, repo widths). In browsers, serve weights/ and pass its URL to loadWeights instead if your bundler does not copy it. */
export function loadDefaultWeights(opts: LoadWeightsOptions = {}): Promise<Generator> {
  return loadWeights(defaultWeightsUrl(), opts);
}
