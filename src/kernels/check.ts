// SPDX-License-Identifier: MIT
// Argument checks for the kernels' wasm runners (rule: validate in TS before crossing the boundary).
import { InvalidInputError } from '../errors.js';

/** n must be an integer in [0, 2^31). */
export function checkCount(fn: string, arg: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
    throw new InvalidInputError(`${fn}: ${arg}`, String(n), 'an integer in [0, 2^31)');
  }
}

/** `a` must hold at least n elements. */
export function checkLength(fn: string, arg: string, a: ArrayLike<number>, n: number): void {
  if (a.length < n) throw new InvalidInputError(`${fn}: ${arg}.length`, String(a.length), `>= n = ${n}`);
}

/** Every idx[i], i < nnz, must index into an array of length `len`. */
export function checkIndices(fn: string, idx: Int32Array, nnz: number, len: number): void {
  for (let i = 0; i < nnz; i++) {
    const j = idx[i];
    if (j < 0 || j >= len) throw new InvalidInputError(`${fn}: idx[${i}]`, String(j), `an index in [0, ${len})`);
  }
}
