// SPDX-License-Identifier: MIT
// Test helpers for the readers: chunked sources, a seeded PRNG, and an assertion for located InvalidInputErrors.

import { expect } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';

export const enc = new TextEncoder();

/** Mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An async iterable yielding `bytes` cut at the given offsets (ascending). */
export async function* chunked(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    yield bytes.slice(prev, c);
    prev = c;
  }
}

/** Random ascending cut offsets in (0, n). */
export function randomCuts(n: number, count: number, rnd: () => number): number[] {
  const s = new Set<number>();
  for (let k = 0; k < count; k++) s.add(1 + Math.floor(rnd() * (n - 1)));
  return [...s].sort((a, b) => a - b);
}

/** Awaits `p`, expects an InvalidInputError and checks where/got exactly and expected (and message) by pattern. */
export async function expectInvalid(
  p: Promise<unknown>,
  where: string,
  got: string | RegExp,
  expected: string | RegExp,
  message?: string | RegExp,
): Promise<InvalidInputError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, 'expected a rejection').toBeInstanceOf(InvalidInputError);
  const err = e as InvalidInputError;
  expect(err.where).toBe(where);
  if (typeof got === 'string') expect(err.got).toBe(got);
  else expect(err.got).toMatch(got);
  expect(err.expected).toMatch(expected);
  if (message !== undefined) expect(err.message).toMatch(message);
  return err;
}

/** The error a promise rejects with (or null when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

/** The fuzz corpus's base LIBSVM text and its byte alphabet (fuzz.test.ts, libsvm_wasm.test.ts). */
export const FUZZ_LIBSVM = '+1 1:0.5 3:-2.25e-1 10:7\n-1 2:1e3 4:0 # c\n\n1.0 5:.5 6:-0.0174 12:3\r\n-1 1:1\n-1\n1 2:2 3:3 4:4 5:5\n';
const INTERESTING = enc.encode('0123456789:.-+eE# \t\r\n,"qidnaf\u00ff\u0000');

/** One to four seeded byte edits (insert, delete a run, overwrite), mostly with bytes the parsers treat specially. */
export function mutate(base: Uint8Array, rnd: () => number): Uint8Array {
  const b = [...base];
  const ops = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(rnd() * (b.length + 1));
    const byte = rnd() < 0.8 ? INTERESTING[Math.floor(rnd() * INTERESTING.length)] : Math.floor(rnd() * 256);
    const op = rnd();
    if (op < 0.33) b.splice(at, 0, byte);
    else if (op < 0.66) b.splice(at, 1 + Math.floor(rnd() * 3));
    else b[Math.min(at, b.length - 1)] = byte;
  }
  return new Uint8Array(b);
}
