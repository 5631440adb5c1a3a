// SPDX-License-Identifier: MIT
// Error classes shared by every layer. Messages say what was wrong, the value, and what was expected.

/** Base class of every error anyml throws on purpose. `code` is stable and machine-readable. */
export class AnymlError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AnymlError';
    this.code = code;
  }
}

/** Where a bad value was found in a data file: 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * Bad user input: a data file, an option, an argument. `where` is `file:line:column` for data files,
 * or the option path (`trainSvm: options.lambda`).
 */
export class InvalidInputError extends AnymlError {
  readonly where: string;
  readonly got: string;
  readonly expected: string;
  constructor(where: string, got: string, expected: string, detail?: string) {
    super('INVALID_INPUT', `${where}: ${detail ? detail + ': ' : ''}got ${got}, expected ${expected}`);
    this.name = 'InvalidInputError';
    this.where = where;
    this.got = got;
    this.expected = expected;
  }
}

/** No backend could run the request. `reasons` has one entry per backend tried. */
export class BackendUnavailableError extends AnymlError {
  readonly reasons: ReadonlyArray<{ backend: string; reason: string }>;
  constructor(what: string, reasons: ReadonlyArray<{ backend: string; reason: string }>) {
    super(
      'BACKEND_UNAVAILABLE',
      `no backend for ${what}: ` + (reasons.length ? reasons.map((r) => `[${r.backend}] ${r.reason}`).join('; ') : 'none registered'),
    );
    this.name = 'BackendUnavailableError';
    this.reasons = reasons;
  }
}

/** The WebAssembly module could not be fetched, compiled or instantiated. */
export class WasmLoadError extends AnymlError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WASM_LOAD', message, options);
    this.name = 'WasmLoadError';
  }
}

/** A C kernel returned a non-zero status code. */
export class KernelError extends AnymlError {
  readonly kernel: string;
  readonly status: number;
  constructor(kernel: string, status: number, detail: string) {
    super('KERNEL', `${kernel} failed (status ${status}): ${detail}`);
    this.name = 'KernelError';
    this.kernel = kernel;
    this.status = status;
  }
}

/** The operation was cancelled through an AbortSignal. */
export class AbortError extends AnymlError {
  constructor(message = 'the operation was aborted') {
    super('ABORTED', message);
    this.name = 'AbortError';
  }
}
