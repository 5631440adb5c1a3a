// SPDX-License-Identifier: MIT
// SIRT, the simultaneous iterative reconstruction technique (Gilbert, "Iterative methods for the three-dimensional
// reconstruction of an object from projections", J. Theor. Biol. 36, 1972; Kak & Slaney 1988, §7.4), in the form
// ASTRA and TomoPy use:  x ← x + C·Aᵀ·R·(b − A·x),  R = 1/(A·1) per ray, C = 1/(Aᵀ·1) per pixel, x₀ = 0.
// Stopped after k iterations it is a regularised reconstruction whose noise is low-pass, unlike FBP's ramp-shaped
// noise: the frequencies above ≈ k/(views) have not converged (Zeng, "A filtered backprojection algorithm with
// characteristics of the iterative Landweber algorithm", Med. Phys. 39(2), 2012). Beamline pipelines (TomoPy,
// ASTRA) often reconstruct low-dose data this way, so a denoiser must learn that noise too.

import { InvalidInputError } from '../errors.js';
import type { Image } from '../types.js';
import { backProjectSinogram } from './fbp.js';
import { checkSinogram, radon, type Sinogram } from './radon.js';

export interface SirtOptions {
  /** Iterations, an integer ≥ 1. Default 100 (a common TomoPy / ASTRA setting). */
  iterations?: number;
  /** Called after each iteration with (done, total). */
  onIteration?: (done: number, total: number) => void;
}

/**
 * SIRT reconstruction of a [angle][detector] sinogram (see {@link Sinogram}) with {@link radon} as A and
 * the back-projection of {@link fbp} as Aᵀ, onto an N × N image for N detectors, over the pixels inside the
 * inscribed circle (others stay 0), in the sinogram's units (a noise-free sinogram of f converges towards f).
 *
 * @example
 * ```ts
 * const img = sirt(radon(phantom('shepp-logan', 128), anglesFor(64)), { iterations: 50 });
 * ```
 */
export function sirt(sinogram: Sinogram, options: SirtOptions = {}): Image {
  const { n, iterations } = checkSirt(sinogram, options);
  const angles = sinogram.angles;
  const img = (data: Float32Array): Image => ({ width: n, height: n, depth: 1, data });
  const c = n >> 1;
  const disk = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if ((i - c) ** 2 + (j - c) ** 2 <= c * c) disk[i * n + j] = 1;
  const rayLength = radon(img(disk), angles).data;
  const R = rayLength.map((v) => (v > 1e-6 ? 1 / v : 0));
  const coverage = backProjectSinogram({ angles, detectors: n, data: new Float32Array(rayLength.length).fill(1) }, n);
  const C = coverage.map((v) => (v > 1e-6 ? 1 / v : 0));
  const x = new Float32Array(n * n);
  const residual = new Float32Array(rayLength.length);
  for (let k = 0; k < iterations; k++) {
    const ax = radon(img(x), angles).data;
    for (let i = 0; i < residual.length; i++) residual[i] = (sinogram.data[i] - ax[i]) * R[i];
    const update = backProjectSinogram({ angles, detectors: n, data: residual }, n);
    for (let i = 0; i < x.length; i++) x[i] += C[i] * update[i];
    options.onIteration?.(k + 1, iterations);
  }
  return img(x);
}

function checkSirt(sino: Sinogram, options: SirtOptions) {
  const { n } = checkSinogram(sino, 'sirt: sinogram');
  const iterations = options.iterations ?? 100;
  if (!Number.isInteger(iterations) || iterations < 1) throw new InvalidInputError('sirt: options.iterations', String(iterations), 'an integer ≥ 1');
  return { n, iterations };
}
