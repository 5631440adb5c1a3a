// SPDX-License-Identifier: MIT
// The one validation layer for the public API and the CLI: every check names the input, shows the value as it was
// given and says what was expected (InvalidInputError), before any work starts.
import { InvalidInputError } from './errors.js';

/** A value as the user gave it: numbers as written (NaN, Infinity, -0 included), strings quoted, the rest as JSON. */
export function show(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Throws the InvalidInputError for `where`: got `got` (shown as given), expected `expected`. */
export function fail(where: string, got: unknown, expected: string): never {
  throw new InvalidInputError(where, show(got), expected);
}

/** An integer in [lo, hi]. */
export const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** A finite number (NaN and ±Infinity are not). */
export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Returns `v` when it is a number that `ok` accepts; else throws naming `where` and `expected`. */
export function checkNumber(where: string, v: unknown, expected: string, ok: (x: number) => boolean): number {
  if (typeof v !== 'number' || !ok(v)) fail(where, v, expected);
  return v;
}

function bound(n: number): string {
  if (n === Number.MAX_SAFE_INTEGER) return '2^53';
  if (n === 0x7fffffff) return '2^31 − 1';
  if (n === 0xffffffff) return '2^32 − 1';
  return String(n);
}

/** Returns `v` when it is an integer in [lo, hi]; else throws ("an integer in [lo, hi]" or "an integer ≥ lo"). */
export function checkInt(where: string, v: unknown, lo: number, hi = Number.MAX_SAFE_INTEGER): number {
  if (!isInt(v, lo, hi)) fail(where, v, hi === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${lo}` : `an integer in [${bound(lo)}, ${bound(hi)}]`);
  return v;
}

/** Returns `v` when it is one of `values`; else throws listing them. */
export function checkOneOf<T>(where: string, v: unknown, values: readonly T[]): T {
  if (!values.includes(v as T)) fail(where, v, `one of ${values.map(show).join(', ')}`);
  return v as T;
}

/** Returns `v` when it is a boolean. */
export function checkBoolean(where: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(where, v, 'true or false');
  return v;
}

/** Levenshtein distance (Wagner–Fischer, one row). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The candidate closest to `word` (case-insensitive edit distance ≤ max(2, a third of its length)), if any. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

/**
 * Throws for an options object that is not an object or has a key not in `known` (with a value: `undefined` means
 * the default), naming the key and suggesting the nearest valid one (`lamda` → `lambda`): a misspelt option would
 * otherwise be silently ignored.
 */
export function checkKeys(where: string, o: unknown, known: readonly string[]): void {
  if (o === undefined) return;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) fail(where, o, 'an options object');
  for (const [k, v] of Object.entries(o)) {
    if (known.includes(k) || v === undefined) continue; // an option set to undefined means: the default
    const near = nearest(k, known);
    throw new InvalidInputError(`${where}.${k}`, 'an unknown option', near ? `one of the known options (did you mean '${near}'?)` : `one of ${known.join(', ')}`);
  }
}

/** The keys of `o` that are in `keys` (an options object narrowed to what one function takes). */
export function pick<T extends object>(o: T, keys: readonly string[]): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k))) as Partial<T>;
}
