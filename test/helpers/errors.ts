// SPDX-License-Identifier: MIT
// Test helper: run fn, assert it throws an InvalidInputError, and return it for message checks.
import { expect } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';

export function invalid(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return e as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}

