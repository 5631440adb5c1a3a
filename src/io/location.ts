// SPDX-License-Identifier: MIT
// Builds `file:line:column` errors for the readers from byte positions: the bad token, quoted, and what was expected.

import { InvalidInputError } from '../errors.js';
import { BYTE_CLASS } from './number.js';

const decoder = new TextDecoder();
const MAX_TOKEN = 60;

/** 1-based column (in characters) of byte `pos` on the line that starts at byte `lineStart`. */
export function columnOf(b: Uint8Array, lineStart: number, pos: number): number {
  let ascii = true;
  for (let i = lineStart; i < pos; i++) if (b[i] > 127) ascii = false;
  if (ascii) return pos - lineStart + 1;
  return [...decoder.decode(b.subarray(lineStart, pos))].length + 1;
}

/** The token starting at `start`, up to a blank, newline or `#`, JSON-quoted and shortened. */
export function quoteToken(b: Uint8Array, start: number, limit: number): string {
  let end = start;
  while (end < limit && BYTE_CLASS[b[end]] === 0) end++;
  return quoteBytes(b, start, end);
}

/** `b[start, end)` as a JSON-quoted string, shortened to 60 characters. */
export function quoteBytes(b: Uint8Array, start: number, end: number): string {
  let s = decoder.decode(b.subarray(start, end));
  if (s.length > MAX_TOKEN) s = s.slice(0, MAX_TOKEN) + '…';
  return JSON.stringify(s);
}

/** An InvalidInputError located at byte `pos` of the line starting at `lineStart`. */
export function errorAt(
  name: string,
  line: number,
  b: Uint8Array,
  lineStart: number,
  pos: number,
  got: string,
  expected: string,
  detail?: string,
): InvalidInputError {
  return new InvalidInputError(`${name}:${line}:${columnOf(b, lineStart, pos)}`, got, expected, detail);
}
