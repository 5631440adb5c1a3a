// SPDX-License-Identifier: MIT
// The wasm loader: SIMD probe, per-flavour memoisation, and that both binaries instantiate in Node.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hasSimd, loadCore } from '../../../../src/backends/wasm/loader.js';

describe('loader', () => {
  it('hasSimd() is true on Node 20 and memoised', async () => {
    const p = hasSimd();
    expect(hasSimd() === p).toBe(true);
    expect(await p).toBe(true);
  });

  it('loadCore() returns one module per flavour', async () => {
    const [a, b, c] = await Promise.all([loadCore('simd'), loadCore('simd'), loadCore('scalar')]);
    // Compare identities as booleans: a failing toBe on modules would deep-diff their 16 MiB heaps.
    expect(a === b).toBe(true);
    expect(a === c).toBe(false);
    expect(typeof a._sgd_svm_run).toBe('function');
    expect(a.HEAPU8.buffer.byteLength).toBeGreaterThan(0);
  });
});

/** resetModules() gives a fresh errors.js too, so check the class by name and code, not instanceof. */
function expectLoadError(err: unknown): void {
  expect(err).toBeInstanceOf(Error);
  expect([(err as Error).name, (err as { code?: string }).code]).toEqual(['WasmLoadError', 'WASM_LOAD']);
}

describe('loader failures (fresh module instances, mocked environment)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.doUnmock('node:fs/promises');
    vi.resetModules();
  });

  it("without SIMD, loadCore('simd') says so and names the fallback", async () => {
    vi.resetModules();
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    const fresh = await import('../../../../src/backends/wasm/loader.js');
    expect(await fresh.hasSimd()).toBe(false);
    const err = await fresh.loadCore('simd').catch((e: unknown) => e);
    expectLoadError(err);
    expect((err as Error).message).toBe("cannot load anyml-core-simd.wasm: WebAssembly SIMD unsupported by this engine: use backend 'wasm'");
  });

  it('a missing .wasm gives the file, the reason and what to do; a later call retries', async () => {
    vi.resetModules();
    let missing = true;
    const real = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');
    vi.doMock('node:fs/promises', () => ({
      readFile: async (p: string) => {
        if (missing) throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
        return real.readFile(p);
      },
    }));
    const fresh = await import('../../../../src/backends/wasm/loader.js');
    const err = await fresh.loadCore('scalar').catch((e: unknown) => e);
    expectLoadError(err);
    expect((err as Error).message).toMatch(/^cannot read anyml-core\.wasm at file:.*\/wasm\/dist\/anyml-core\.wasm: ENOENT: no such file\. Build it with npm run build:wasm/);
    missing = false; // the file is back
    vi.doUnmock('node:fs/promises');
    const again = fresh.loadCore('scalar');
    await expect(again).resolves.toBeTruthy(); // the failed promise was forgotten
  });

  it('a corrupt .wasm fails instantiation with a WasmLoadError', async () => {
    vi.resetModules();
    vi.doMock('node:fs/promises', () => ({ readFile: async () => new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]) }));
    const fresh = await import('../../../../src/backends/wasm/loader.js');
    const err = await fresh.loadCore('scalar').catch((e: unknown) => e);
    expectLoadError(err);
    expect((err as Error).message).toMatch(/^cannot instantiate anyml-core\.wasm from file:.*: .*The file may be truncated or stale: run npm run build:wasm\.$/);
  });
});
