// SPDX-License-Identifier: MIT
// Filtered back-projection, a port of scikit-image 0.19 `iradon(sinogram, theta, circle=True,
// filter_name=…, interpolation='linear')`. Kak & Slaney, "Principles of Computerized Tomographic Imaging",
// IEEE Press 1988, ch. 3 (eq. 61 for the discrete ramp filter).

import { InvalidInputError } from '../errors.js';
import type { Image } from '../types.js';
import { fft } from './fft.js';
import { checkSinogram, type Sinogram } from './radon.js';

export type FbpFilter = 'ramp' | 'shepp-logan' | 'cosine' | 'hamming' | 'hann';

export const FBP_FILTERS: readonly FbpFilter[] = ['ramp', 'shepp-logan', 'cosine', 'hamming', 'hann'];
const FILTERS = FBP_FILTERS;

export interface FbpOptions {
  /** Frequency-domain filter, as scikit-image's `filter_name`. Default `'ramp'`. */
  filter?: FbpFilter;
  /** Output size (rows = columns). Default: the detector count, as `iradon(..., circle=True)`. */
  size?: number;
  /** Interpolation along the detector. Only `'linear'` (np.interp) is implemented; the default. */
  interpolation?: 'linear';
}

/**
 * scikit-image's `_get_fourier_filter(size, name)`. The ramp is not the naive |ω| but the DFT of the band-limited
 * ramp's sampled impulse response (Kak & Slaney eq. 61): h[0] = 1/4, h[k] = −1/(πk)² for odd k, 0 for even k,
 * indexed circularly (k and size − k alike), and H = 2·Re(DFT(h)). That removes the DC bias the naive ramp has.
 * The windows multiply it: shepp-logan sinc(ω/2), cosine, and numpy's `hamming`/`hanning`, all fftshift-ed.
 */
export function fourierFilter(size: number, filter: FbpFilter = 'ramp'): Float64Array {
  if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
    throw new InvalidInputError('fourierFilter: size', String(size), 'a power of two ≥ 2');
  }
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re[0] = 0.25;
  for (let k = 1; k < size; k += 2) {
    const m = Math.min(k, size - k); // skimage's n = [1, 3, 5, …, size/2 − 1, …, 5, 3, 1]
    re[k] = -1 / (Math.PI * m) ** 2;
  }
  fft(re, im);
  const h = new Float64Array(size);
  for (let k = 0; k < size; k++) h[k] = 2 * re[k];
  const half = size / 2;
  const shifted = (k: number): number => (k + half) % size; // fftshift index for even sizes
  for (let k = 0; k < size; k++) {
    if (filter === 'shepp-logan') {
      if (k === 0) continue;
      const omega = Math.PI * ((k < half ? k : k - size) / size); // π · fftfreq(size)[k]
      h[k] *= Math.sin(omega) / omega;
    } else if (filter === 'cosine') {
      h[k] *= Math.sin((Math.PI * shifted(k)) / size); // fftshift(sin(linspace(0, π, size, endpoint=False)))
    } else if (filter === 'hamming') {
      h[k] *= 0.54 - 0.46 * Math.cos((2 * Math.PI * shifted(k)) / (size - 1));
    } else if (filter === 'hann') {
      h[k] *= 0.5 - 0.5 * Math.cos((2 * Math.PI * shifted(k)) / (size - 1));
    }
  }
  return h;
}

/**
 * Filtered back-projection of a [angle][detector] sinogram (see {@link Sinogram}) to a size × size image, equal to
 * scikit-image 0.19 `iradon(sino.T, theta, circle=True, filter_name, interpolation='linear')` up to rounding:
 *
 * 1. pad each projection to the square's diagonal ⌈√2·N⌉ (centre to centre), then with zeros to
 *    max(64, 2^⌈log2(2·⌈√2·N⌉)⌉) (1024 for N = 256) and filter in the Fourier domain;
 * 2. back-project: pixel (row i, col j) takes the filtered projection at t = (j − r)·cos θ − (i − r)·sin θ,
 *    r = size//2, linearly interpolated on the detector grid k − ⌈√2·N⌉//2 (zero beyond its ends);
 * 3. zero the pixels outside the inscribed circle and multiply by π / (2·n_angles).
 *
 * @example
 * ```ts
 * const img = fbp(radon(phantom('shepp-logan', 128), anglesFor(201)), { filter: 'ramp' });
 * ```
 */
export function fbp(sinogram: Sinogram, options: FbpOptions = {}): Image {
  const { n, angles, size, filter } = checkFbp(sinogram, options);
  const nAng = angles.length;
  const diag = Math.ceil(Math.SQRT2 * n); // _sinogram_circle_to_square
  const padBefore = (diag >> 1) - (n >> 1);
  let padded = 64;
  while (padded < 2 * diag) padded *= 2;
  const H = fourierFilter(padded, filter);
  // Filtered projections, one row of `stride` per view; the extra trailing zero lets t at the last grid point
  // read q[k + 1] with weight 0, as np.interp returns fp[-1] there.
  const stride = diag + 1;
  const q = new Float64Array(nAng * stride);
  const re = new Float64Array(padded);
  const im = new Float64Array(padded);
  const src = sinogram.data;
  // The filter is real and even, so one complex FFT filters two real projections: view a in the real part,
  // view a + 1 in the imaginary part (Press et al., Numerical Recipes, §12.3 "FFT of two real functions").
  for (let a = 0; a < nAng; a += 2) {
    re.fill(0);
    im.fill(0);
    for (let d = 0; d < n; d++) {
      re[padBefore + d] = src[a * n + d];
      if (a + 1 < nAng) im[padBefore + d] = src[(a + 1) * n + d];
    }
    fft(re, im);
    for (let k = 0; k < padded; k++) {
      re[k] *= H[k];
      im[k] *= H[k];
    }
    fft(re, im, true);
    for (let k = 0; k < diag; k++) {
      q[a * stride + k] = re[k];
      if (a + 1 < nAng) q[(a + 1) * stride + k] = im[k];
    }
  }
  const acc = backProject(q, stride, diag, angles, size);
  const out = new Float32Array(size * size);
  const scale = Math.PI / (2 * nAng);
  for (let i = 0; i < out.length; i++) out[i] = acc[i] * scale;
  return { width: size, height: size, depth: 1, data: out };
}

/**
 * The unfiltered back-projection Σ_θ p(θ, t) of a [angle][detector] sinogram onto a size × size image (pixels
 * outside the inscribed circle 0), with FBP's geometry and detector interpolation: the transpose of {@link radon}
 * up to its bilinear weights (an unmatched pair, as most iterative codes use).
 */
export function backProjectSinogram(sino: Sinogram, size: number): Float64Array {
  const n = sino.detectors;
  const stride = n + 1; // a trailing zero per view, as in fbp
  const q = new Float64Array(sino.angles.length * stride);
  for (let a = 0; a < sino.angles.length; a++) for (let d = 0; d < n; d++) q[a * stride + d] = sino.data[a * n + d];
  return backProject(q, stride, n, Float64Array.from(sino.angles), size);
}

/** Σ over views of the filtered projection at t, for the pixels inside the circle of radius size//2 (others 0). */
function backProject(q: Float64Array, stride: number, diag: number, angles: Float64Array, size: number): Float64Array {
  const r = size >> 1;
  const half = diag >> 1; // detector grid x_k = k − half, k = 0…diag−1
  const last = diag - 1;
  const acc = new Float64Array(size * size);
  const span = circleSpans(size, r);
  for (let a = 0; a < angles.length; a++) {
    const th = angles[a] * (Math.PI / 180);
    const cos = Math.cos(th);
    const sin = Math.sin(th);
    const base = a * stride;
    for (let i = 0; i < size; i++) {
      const j0 = span[2 * i];
      const j1 = span[2 * i + 1];
      const rowTerm = half - (i - r) * sin; // u = t + half is the fractional index into the grid
      for (let j = j0; j <= j1; j++) {
        const u = (j - r) * cos + rowTerm;
        if (!(u >= 0 && u <= last)) continue; // np.interp(left=0, right=0)
        const k = u | 0; // floor, as u ≥ 0
        const f0 = q[base + k];
        acc[i * size + j] += f0 + (q[base + k + 1] - f0) * (u - k);
      }
    }
  }
  return acc;
}

/** Per row i, the columns [j0, j1] with (i − r)² + (j − r)² ≤ r², clamped to the image (j0 > j1 when empty). */
function circleSpans(size: number, r: number): Int32Array {
  const span = new Int32Array(2 * size);
  for (let i = 0; i < size; i++) {
    const rest = r * r - (i - r) * (i - r);
    let m = rest < 0 ? -1 : Math.floor(Math.sqrt(rest));
    while (m >= 0 && m * m > rest) m--; // exact integer test, whatever sqrt rounds to
    while ((m + 1) * (m + 1) <= rest) m++;
    span[2 * i] = Math.max(0, r - m);
    span[2 * i + 1] = Math.min(size - 1, r + m);
  }
  return span;
}

function checkFbp(sino: Sinogram, options: FbpOptions) {
  const { n, angles } = checkSinogram(sino, 'fbp: sinogram');
  const filter = options.filter ?? 'ramp';
  if (!FILTERS.includes(filter)) {
    throw new InvalidInputError('fbp: options.filter', JSON.stringify(filter), `one of ${FILTERS.join(', ')}`);
  }
  const interp = options.interpolation ?? 'linear';
  if (interp !== 'linear') throw new InvalidInputError('fbp: options.interpolation', JSON.stringify(interp), "'linear'");
  const size = options.size ?? n;
  if (!Number.isInteger(size) || size < 1) throw new InvalidInputError('fbp: options.size', String(size), 'an integer ≥ 1');
  return { n, angles, size, filter };
}
