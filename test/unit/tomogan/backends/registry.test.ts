// SPDX-License-Identifier: MIT
// The TomoGAN registry as denoise uses it: a registered backend is found by name and by 'auto' priority without any
// change to denoise.ts; what 'auto' passes over becomes a warning only when the backend says it is worth one; an
// unknown name lists the registered ones; when none can run, the error lists every reason.
import { afterEach, describe, expect, it } from 'vitest';
import { BackendUnavailableError, InvalidInputError } from '../../../../src/errors.js';
import { registerTomoganBackend, tomoganBackends, type TomoganBackend } from '../../../../src/tomogan/backends/index.js';
import { denoise } from '../../../../src/tomogan/denoise.js';
import { createGenerator } from '../../../../src/tomogan/model.js';
import { randomImage } from '../../../helpers/tomogan.js';

/** A backend that returns every window's first channel unchanged (the identity network), counting its calls. */
function identity(calls: number[]): TomoganBackend {
  return {
    tile: 16,
    activate: async () => {},
    async forward(model, windows, n, th, tw) {
      calls.push(n);
      const out = new Float32Array(n * th * tw);
      for (let i = 0; i < out.length; i++) out[i] = windows[i * model.depth];
      return out;
    },
  };
}

const model = createGenerator({ seed: 3 });
afterEach(() => {
  for (const n of ['identity', 'broken', 'quiet-missing', 'loud-missing']) tomoganBackends.unregister(n);
});

describe('tomoganBackends', () => {
  it('a registered backend runs by name, tiles with its own default tile, and is stitched exactly', async () => {
    const calls: number[] = [];
    registerTomoganBackend({ name: 'identity', priority: -1, load: async () => identity(calls) });
    const img = randomImage(40, 24, 1, 9);
    const r = await denoise(img, { model, backend: 'identity', halo: 8 });
    expect([r.backend, r.tiles, calls.length]).toEqual(['identity', 6, 6]);
    expect(r.image.data).toEqual(img.data); // identity through pad, tile, stitch and crop
  });

  it("'auto' takes the highest priority that can run, and warns only about backends that asked for it", async () => {
    registerTomoganBackend({ name: 'quiet-missing', priority: 102, isAvailable: async () => 'not installed', load: async () => identity([]) });
    registerTomoganBackend({ name: 'loud-missing', priority: 101, isAvailable: async () => ({ reason: 'a slow adapter', warn: true }), load: async () => identity([]) });
    registerTomoganBackend({ name: 'identity', priority: 100, load: async () => identity([]) });
    const r = await denoise(randomImage(16, 16), { model });
    expect(r.backend).toBe('identity');
    expect(r.warnings).toEqual(['backend auto: skipped loud-missing (a slow adapter); using identity']);
  });

  it('a backend that fails to load is passed over with a warning; by name it is an error naming the reason', async () => {
    registerTomoganBackend({ name: 'broken', priority: 100, load: async () => Promise.reject(new Error('no device')) });
    const r = await denoise(randomImage(16, 16), { model, backend: 'auto' });
    expect(r.warnings[0]).toMatch(/^backend auto: skipped broken \(no device\);.* using \w+$/);
    const e = await denoise(randomImage(16, 16), { model, backend: 'broken' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BackendUnavailableError);
    expect((e as BackendUnavailableError).reasons).toEqual([{ backend: 'broken', reason: 'no device' }]);
    expect((e as Error).message).toBe('no backend for TomoGAN inference: [broken] no device');
  });

  it('an unknown backend name is an InvalidInputError listing the registered names', async () => {
    const e = await denoise(randomImage(8, 8), { model, backend: 'gpu' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as Error).message).toBe(`TomoGAN inference: options.backend: got "gpu", expected one of 'auto', 'webgpu', 'native', 'wasm', 'cpu'`);
  });
});
