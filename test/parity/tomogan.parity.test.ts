// SPDX-License-Identifier: MIT
// TomoGAN parity: every backend in the tomoganBackends registry (the built-ins and one registered here, as a user
// would add one) denoises the seeded parity case and agrees with cpu within its TOMOGAN_TOLERANCE entry. A built-in
// that cannot run here skips with its reason, except under CI=true (CI has Dawn on llvmpipe and onnxruntime-node).
import { beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../src/errors.js';
import { registerTomoganBackend, tomoganBackends } from '../../src/tomogan/backends/index.js';
import { setTfBackend, tfForward } from '../../src/tomogan/backends/tfjs.js';
import { denoise } from '../../src/tomogan/denoise.js';
import { createGenerator } from '../../src/tomogan/model.js';
import { TOMOGAN_BACKENDS } from '../../src/tomogan/types.js';
import { randomImage } from '../helpers/tomogan.js';
import { TOMOGAN_PARITY_CASE as CASE, TOMOGAN_TOLERANCE, tomoganRelErr } from './tomogan_tolerance.js';

// A backend of the test's own, at an opt-in priority: the cpu kernels behind its own entry. Adding a backend is
// this and a tolerance entry (CONTRIBUTING.md, "Adding a backend").
registerTomoganBackend({
  name: 'test-double',
  priority: -1,
  load: async () => ({ tile: 64, activate: () => setTfBackend('cpu'), forward: tfForward }),
});

const CI = process.env.CI === 'true';
const model = createGenerator({ seed: CASE.modelSeed });
const img = randomImage(CASE.width, CASE.height, 1, CASE.imageSeed);
let reference: Float32Array;
beforeAll(async () => {
  reference = (await denoise(img, { model, backend: 'cpu' })).image.data;
});

describe('TomoGAN backend parity (one case, every registered backend, one tolerance table)', () => {
  it('the registry holds the built-ins and the test double', () => {
    expect(tomoganBackends.names()).toEqual([...TOMOGAN_BACKENDS, 'test-double']);
  });

  for (const name of tomoganBackends.names()) {
    it(`${name} agrees with cpu within ${TOMOGAN_TOLERANCE[name]}`, async (ctx) => {
      expect(TOMOGAN_TOLERANCE[name], `a tolerance entry for ${name}`).toBeDefined();
      const r = await denoise(img, { model, backend: name }).catch((e: unknown) => {
        if (!(e instanceof BackendUnavailableError) || CI) throw e;
        return e;
      });
      if (r instanceof BackendUnavailableError) {
        console.warn(`skipping ${name}: ${r.message}`);
        return ctx.skip();
      }
      const d = tomoganRelErr(r.image.data, reference);
      console.log(`parity vs cpu (max |Δ| / max |cpu|): ${name} ${d.toExponential(2)}`);
      expect(r.backend).toBe(name);
      expect(r.warnings).toEqual([]);
      expect(reference.some((v) => v !== 0)).toBe(true);
      expect(d).toBeLessThanOrEqual(TOMOGAN_TOLERANCE[name]);
    });
  }
});
