// SPDX-License-Identifier: MIT
// Flag parsers for the CLI, one per kind of value: a bad value is rejected as commander parses it, with the flag,
// the text as typed and what was expected (exit 2), before any work starts.
import { InvalidArgumentError } from 'commander';
import { isInt } from '../check.js';

const reject = (flag: string, text: string, expected: string) => new InvalidArgumentError(`${flag}: got ${JSON.stringify(text)}, expected ${expected}`);

/** A decimal number as typed ('' and '0x10' are not). */
function toNumber(text: string): number {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(text) ? Number(text) : NaN;
}

/** An integer in [min, max]. */
export const intArg = (flag: string, min: number, max = Number.MAX_SAFE_INTEGER) => (text: string): number => {
  const n = toNumber(text);
  if (!isInt(n, min, max)) throw reject(flag, text, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`);
  return n;
};

/** A finite number that `ok` accepts. */
export const numArg = (flag: string, expected: string, ok: (x: number) => boolean) => (text: string): number => {
  const n = toNumber(text);
  if (!Number.isFinite(n) || !ok(n)) throw reject(flag, text, expected);
  return n;
};

/** A number, or the one word `word` (`--lambda auto`, `--sync-every epoch`). */
export const numOrWordArg = <W extends string>(word: W, parse: (text: string) => number) => (text: string): number | W =>
  text === word ? word : parse(text);

/** A comma-separated list of numbers that `ok` accepts. */
export const listArg = (flag: string, expected: string, ok: (x: number) => boolean) => (text: string): number[] =>
  text.split(',').map((part) => {
    const n = toNumber(part);
    if (!Number.isFinite(n) || !ok(n)) throw reject(flag, text, expected);
    return n;
  });
