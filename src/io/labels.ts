// SPDX-License-Identifier: MIT
// Binary label bookkeeping shared by the readers: validation of options, the two-value rule, the ±1 mapping.

import { InvalidInputError } from '../errors.js';

/** Validates `options.labels`: two distinct finite numbers [neg, pos]. */
export function checkLabelsOption(labels: unknown, where: string): [number, number] | undefined {
  if (labels === undefined) return undefined;
  const ok =
    Array.isArray(labels) &&
    labels.length === 2 &&
    labels.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    labels[0] !== labels[1];
  if (!ok) throw new InvalidInputError(where, JSON.stringify(labels) ?? String(labels), 'two distinct finite numbers [neg, pos]');
  return [labels[0] + 0, labels[1] + 0];
}

/** Validates `options.features`: a positive integer below 2^31. */
export function checkFeaturesOption(features: unknown, where: string): number | undefined {
  if (features === undefined) return undefined;
  if (typeof features !== 'number' || !Number.isInteger(features) || features < 1 || features > 0x7fffffff) {
    throw new InvalidInputError(where, String(features), 'a positive integer');
  }
  return features;
}

/**
 * Tracks the label values met so far. `a`/`b` are the accepted values (NaN until seen, or the forced pair), so the
 * hot check is `v === a || v === b`; `admit` handles everything else and returns an `expected` text on refusal.
 */
export class LabelSet {
  a = NaN;
  b = NaN;
  readonly forced: [number, number] | undefined;

  constructor(forced: [number, number] | undefined) {
    this.forced = forced;
    if (forced) [this.a, this.b] = forced;
  }

  /** Accepts a new label value; false when it is one too many (or not in the forced pair). */
  admit(v: number): boolean {
    if (this.forced) return false;
    if (this.a !== this.a) this.a = v;
    else if (this.b !== this.b) this.b = v;
    else return false;
    return true;
  }

  /** What was expected when `admit` refused a value: [expected, detail]. */
  refusal(): [string, string] {
    if (this.forced) return [`one of ${this.forced[0]} or ${this.forced[1]}`, 'label not in options.labels'];
    return [`one of the label values already seen (${this.a}, ${this.b})`, 'a third label value: only binary labels are supported'];
  }
}

/**
 * The [neg, pos] pair for the labels seen: two values → lower is −1, higher is +1; one value v → [v, 1] when v is
 * −1 or 0, else [−1, v]; none → [−1, 1]. A forced pair wins.
 */
export function labelPair(seen: number[], forced: [number, number] | undefined): [number, number] {
  if (forced) return forced;
  if (seen.length >= 2) return [seen[0], seen[1]];
  if (seen.length === 0) return [-1, 1];
  const v = seen[0];
  return v === -1 || v === 0 ? [v, 1] : [-1, v];
}

/**
 * Maps raw labels to ±1 (+1 where raw[i] equals pos) and works out `labelsSeen`: the first two distinct values met
 * (`set.a`, `set.b`), or, with a forced pair, those of the pair that occur.
 */
export function mapLabels(raw: Float64Array, n: number, set: LabelSet): { y: Float32Array; labels: [number, number]; seen: number[] } {
  const seen = set.forced ? [] : [set.a, set.b].filter((v) => v === v).map((v) => v + 0);
  const labels = labelPair(seen.sort((p, q) => p - q), set.forced);
  const pos = labels[1];
  const y = new Float32Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const p = raw[i] === pos;
    y[i] = p ? 1 : -1;
    positives += p ? 1 : 0;
  }
  if (set.forced) {
    if (positives < n) seen.push(labels[0]);
    if (positives > 0) seen.push(labels[1]);
    seen.sort((p, q) => p - q);
  }
  return { y, labels, seen };
}
