// SPDX-License-Identifier: MIT
// NumberScanner: every accepted token equals parseFloat exactly (fast and slow paths); malformed tokens are refused.

import { describe, expect, it } from 'vitest';
import { FLOAT32_OVERFLOW, NumberScanner } from '../../../src/io/number.js';
import { enc, prng } from './helpers.js';

function scan(token: string): { value: number; consumed: number } {
  const sc = new NumberScanner();
  const b = enc.encode(token);
  const end = sc.scan(b, 0, b.length);
  return { value: sc.value, consumed: end };
}

function randomToken(rnd: () => number): string {
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
  let s = ['', '-', '+'][Math.floor(rnd() * 3)];
  const intLen = Math.floor(rnd() * 12);
  const fracLen = Math.floor(rnd() * (rnd() < 0.1 ? 25 : 12));
  s += digits(intLen);
  if (fracLen > 0 || intLen === 0 || rnd() < 0.1) s += '.' + digits(intLen === 0 && fracLen === 0 ? 1 : fracLen);
  if (rnd() < 0.3) s += (rnd() < 0.5 ? 'e' : 'E') + ['', '-', '+'][Math.floor(rnd() * 3)] + Math.floor(rnd() * (rnd() < 0.2 ? 400 : 40));
  return s;
}

describe('NumberScanner', () => {
  it('equals parseFloat bit for bit on 50,000 random tokens', () => {
    const rnd = prng(42);
    for (let k = 0; k < 50_000; k++) {
      const t = randomToken(rnd);
      const r = scan(t);
      expect(r.consumed, t).toBe(t.length);
      expect(Object.is(r.value, parseFloat(t)), `${t}: ${r.value} vs ${parseFloat(t)}`).toBe(true);
    }
  });

  it.each(['0', '-0', '1', '-1.0', '+1', '.5', '5.', '1e5', '1E-5', '1e+05', '0.000001', '123456789012345', '1234567890123456789',
    '9007199254740993', '0.1', '0.30000000000000004', '1e22', '1e23', '1e-22', '1e-23', '4.9e-324', '1.7976931348623157e308',
    '2.2250738585072014e-308', '00000000000000000000001', '0.017407699999999998'])('%s', (t) => {
    expect(Object.is(scan(t).value, parseFloat(t))).toBe(true);
    expect(scan(t).consumed).toBe(t.length);
  });

  it.each([['', 0], ['-', 1], ['+', 1], ['.', 1], ['-.', 2], ['e5', 0], ['nan', 0], ['inf', 0], ['Infinity', 0], ['1e', 2], ['1e+', 3], ['1.5E-', 5]])(
    'refuses %j (NaN, stops at %i)',
    (t, stop) => {
      const r = scan(t);
      expect(r.value).toBeNaN();
      expect(r.consumed).toBe(stop);
    },
  );

  it('stops at the first byte that cannot continue a number', () => {
    expect(scan('1.5x')).toEqual({ value: 1.5, consumed: 3 });
    expect(scan('12:3')).toEqual({ value: 12, consumed: 2 });
    expect(scan('--1').value).toBeNaN();
  });

  it('FLOAT32_OVERFLOW is the first double that Math.fround turns into Infinity', () => {
    expect(Math.fround(FLOAT32_OVERFLOW)).toBe(Infinity);
    const below = FLOAT32_OVERFLOW - 2 ** (127 - 52); // previous double
    expect(below).toBeLessThan(FLOAT32_OVERFLOW);
    expect(Math.fround(below)).toBe(3.4028234663852886e38);
  });
});
