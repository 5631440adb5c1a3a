// SPDX-License-Identifier: MIT
// Byte-level decimal number scanner shared by the LIBSVM and CSV readers (exact fast path, parseFloat fallback).

/** 10^0 … 10^22: every one is exactly representable as a double. */
const POW10 = new Float64Array(23);
for (let k = 0; k < 23; k++) POW10[k] = Number('1e' + k);

/** 2^53: an integer mantissa below this is held exactly by a double. */
const MANTISSA_LIMIT = 9007199254740992;

/**
 * Smallest |x| that Math.fround rounds to Infinity (2^128 - 2^103, the midpoint above FLT_MAX; ties go to even,
 * which is Infinity). Values at or beyond it do not fit a Float32Array.
 */
export const FLOAT32_OVERFLOW = 3.4028235677973366e38;

/** Byte classes: 1 = blank (space, tab, CR, VT, FF), 2 = newline, 3 = '#'. */
export const BYTE_CLASS = new Uint8Array(256);
BYTE_CLASS[32] = BYTE_CLASS[9] = BYTE_CLASS[13] = BYTE_CLASS[11] = BYTE_CLASS[12] = 1;
BYTE_CLASS[10] = 2;
BYTE_CLASS[35] = 3;

function slowParse(b: Uint8Array, start: number, end: number): number {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return parseFloat(s);
}

/**
 * Scans `[+-]digits[.digits][(e|E)[+-]digits]` (at least one mantissa digit) starting at `i`, never past `limit`.
 * `scan` returns the index just past the longest valid prefix and leaves the value in `value` (NaN when no number
 * starts at `i`); the caller checks that a delimiter follows. (Returning the index rather than the double keeps V8
 * from allocating a heap number per call.) The value always equals `parseFloat` of the token:
 * an integer mantissa below 2^53 with a decimal exponent within ±22 is one exact, correctly rounded IEEE division or
 * multiplication; anything else goes through `parseFloat`.
 */
export class NumberScanner {
  /** The last scanned value (NaN after a syntax error). */
  value = NaN;

  /**
   * Fast path for the common `[+-]digits[.digits]` form with under 16 digits; anything else (an exponent, more
   * digits, no digits) goes to `scanFull`. Small enough for V8 to inline into the callers' loops.
   */
  scan(b: Uint8Array, i: number, limit: number): number {
    const s0 = i;
    let neg = false;
    if (i < limit && (b[i] === 45 || b[i] === 43)) neg = b[i++] === 45;
    const start = i;
    let m = 0;
    let d = 0;
    while (i < limit && (d = b[i] - 48) >= 0 && d <= 9) {
      m = m * 10 + d;
      i++;
    }
    let frac = 0;
    if (i < limit && b[i] === 46) {
      const f0 = ++i;
      while (i < limit && (d = b[i] - 48) >= 0 && d <= 9) {
        m = m * 10 + d;
        i++;
      }
      frac = i - f0;
    }
    const digits = i - start - (frac > 0 || (i > start && b[i - 1] === 46) ? 1 : 0);
    if (digits === 0 || digits > 15 || (i < limit && (b[i] | 32) === 101)) return this.scanFull(b, s0, limit);
    const v = frac === 0 ? m : m / POW10[frac];
    this.value = neg ? -v : v;
    return i;
  }

  /** The complete grammar, exponent included; see the class comment. */
  scanFull(b: Uint8Array, i: number, limit: number): number {
    let neg = false;
    if (i < limit && (b[i] === 45 || b[i] === 43)) neg = b[i++] === 45;
    const start = i;
    let m = 0;
    let digits = 0;
    let frac = 0;
    let d = 0;
    while (i < limit && (d = b[i] - 48) >= 0 && d <= 9) {
      m = m * 10 + d;
      i++;
      digits++;
    }
    if (i < limit && b[i] === 46) {
      i++;
      while (i < limit && (d = b[i] - 48) >= 0 && d <= 9) {
        m = m * 10 + d;
        i++;
        frac++;
      }
    }
    if (digits + frac === 0) {
      this.value = NaN;
      return i;
    }
    let e = 0;
    if (i < limit && (b[i] | 32) === 101) {
      let j = i + 1;
      let eneg = false;
      if (j < limit && (b[j] === 45 || b[j] === 43)) eneg = b[j++] === 45;
      const j0 = j;
      while (j < limit && (d = b[j] - 48) >= 0 && d <= 9) {
        if (e < 1e6) e = e * 10 + d;
        j++;
      }
      if (j === j0) {
        this.value = NaN;
        return j;
      }
      i = j;
      if (eneg) e = -e;
    }
    e -= frac;
    let v: number;
    if (m < MANTISSA_LIMIT && e >= -22 && e <= 22) v = e < 0 ? m / POW10[-e] : m * POW10[e];
    else if (m === 0) v = 0;
    else v = slowParse(b, start, i);
    this.value = neg ? -v : v;
    return i;
  }
}

// Run every path of the scanner once at load time, so that V8's first optimised code already has type feedback for
// the rare paths (exponents, long mantissas, syntax errors) and is not thrown away when a file first uses one.
{
  const warm = new NumberScanner();
  for (const t of ['1', '-2.5', '+.5', '1e5', '2.5E-3', '0.12345678901234567', '1e400', '', '-', '1e', 'x']) {
    const b = new Uint8Array(t.length);
    for (let k = 0; k < t.length; k++) b[k] = t.charCodeAt(k);
    warm.scan(b, 0, b.length);
  }
}
