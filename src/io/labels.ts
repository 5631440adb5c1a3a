// SPDX-License-Identifier: MIT
// Label bookkeeping shared by the readers: validation of options, the set of values met, and the mapping to the
// training coding: two values → ±1 (binary), three or more → class indices 0…K−1 (one-vs-rest multiclass).

import { InvalidInputError } from '../errors.js';

/**
 * Validates `options.labels`: at least two distinct finite numbers. Two are the binary pair [neg, pos]; three or
 * more are the classes of a multiclass file, in class order (a model's `labels`).
 */
export function checkLabelsOption(labels: unknown, where: string): number[] | undefined {
  if (labels === undefined) return undefined;
  const ok =
    Array.isArray(labels) &&
    labels.length >= 2 &&
    labels.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    new Set(labels).size === labels.length;
  if (!ok) throw new InvalidInputError(where, JSON.stringify(labels) ?? String(labels), 'two or more distinct finite numbers ([neg, pos], or the classes)');
  return labels.map((v: number) => v + 0);
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
 * Tracks the label values met so far. `a`/`b` are the first two values (NaN until seen, or the first two forced),
 * so the hot check of a binary file is `v === a || v === b`; `admit` handles everything else: without forced
 * values it accepts and records every value, with them it accepts only those (false: refused).
 */
export class LabelSet {
  a = NaN;
  b = NaN;
  readonly forced: number[] | undefined;
  /** Values beyond a and b: met (not forced) or allowed (forced). */
  private readonly more = new Set<number>();

  constructor(forced: number[] | undefined) {
    this.forced = forced;
    if (forced) {
      [this.a, this.b] = forced;
      for (const v of forced.slice(2)) this.more.add(v);
    }
  }

  /** Accepts a value that is neither a nor b; false when it is outside the forced values. */
  admit(v: number): boolean {
    if (this.forced) return this.more.has(v);
    if (this.a !== this.a) this.a = v;
    else if (this.b !== this.b) this.b = v;
    else this.more.add(v + 0);
    return true;
  }

  /** Records every value of raw[0..n) (for readers whose scan did not go through admit). */
  scan(raw: ArrayLike<number>, n: number): void {
    for (let i = 0; i < n; i++) {
      const v = raw[i];
      if (v !== this.a && v !== this.b) this.admit(v);
    }
  }

  /** The distinct values met, ascending (not forced only). */
  met(): number[] {
    return [this.a, this.b, ...this.more].filter((v) => v === v).map((v) => v + 0).sort((p, q) => p - q);
  }

  /** What was expected when `admit` refused a value: [expected, detail]. */
  refusal(): [string, string] {
    const f = this.forced ?? [];
    const list = f.length === 2 ? `${f[0]} or ${f[1]}` : f.join(', ');
    return [`one of ${list}`, 'label not in options.labels'];
  }
}

/**
 * The [neg, pos] pair for at most two labels seen: two values → lower is −1, higher is +1; one value v → [v, 1]
 * when v is −1 or 0, else [−1, v]; none → [−1, 1]. A forced pair wins.
 */
export function labelPair(seen: number[], forced: number[] | undefined): [number, number] {
  if (forced) return [forced[0], forced[1]];
  if (seen.length >= 2) return [seen[0], seen[1]];
  if (seen.length === 0) return [-1, 1];
  const v = seen[0];
  return v === -1 || v === 0 ? [v, 1] : [-1, v];
}

/**
 * Maps raw labels to the training coding and works out `labelsSeen` (the distinct values that occur, ascending).
 * Two classes (met, or forced as a pair): y = ±1, +1 where raw[i] equals pos, labels = [neg, pos]. Three or more:
 * y = the class index, labels = the classes (ascending when met, the forced order when forced).
 */
export function mapLabels(raw: Float64Array, n: number, set: LabelSet): { y: Float32Array; labels: number[]; seen: number[] } {
  const met = set.forced ? undefined : set.met();
  const classes = set.forced ?? met!;
  if (classes.length >= 3) return mapClasses(raw, n, classes, met);
  const labels = labelPair(met ?? [], set.forced);
  const pos = labels[1];
  const y = new Float32Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const p = raw[i] === pos;
    y[i] = p ? 1 : -1;
    positives += p ? 1 : 0;
  }
  let seen = met;
  if (!seen) {
    seen = [];
    if (positives < n) seen.push(labels[0]);
    if (positives > 0) seen.push(labels[1]);
    seen.sort((p, q) => p - q);
  }
  return { y, labels, seen };
}

function mapClasses(raw: Float64Array, n: number, classes: number[], met: number[] | undefined) {
  const index = new Map(classes.map((v, k) => [v, k]));
  const count = new Float64Array(classes.length);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = index.get(raw[i])!;
    y[i] = k;
    count[k]++;
  }
  const seen = met ?? classes.filter((_, k) => count[k] > 0).sort((p, q) => p - q);
  return { y, labels: [...classes], seen };
}
