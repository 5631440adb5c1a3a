// SPDX-License-Identifier: MIT
// Classic denoising baselines for bench/tomogan/quality.mjs: plain JS, no dependencies.
//
//  - gaussianFilter(image, sigma): separable Gaussian as scipy.ndimage.gaussian_filter (truncate 4σ, radius
//    ⌊4σ + 0.5⌋, normalised kernel, mode 'reflect' = half-sample symmetric `d c b a | a b c d | d c b a`).
//  - nlMeans(image, { h, sigma, patchRadius, searchRadius }): non-local means (Buades, Coll & Morel 2005) in the
//    per-offset integral-image form (Darbon, Cunha, Chan, Osher & Jensen 2008), O(offsets × pixels).
//
// Images are { width, height, depth?, data } with depth 1 (one slice, row-major); results are
// { width, height, depth: 1, data: Float32Array }. Arithmetic is float64 inside.

/** scipy.ndimage 'reflect' index (half-sample symmetric), valid for any offset, also past a whole period. */
export function reflectIndex(i, n) {
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

function checkSlice(image, fn) {
  const { width, height, data } = image ?? {};
  const depth = image?.depth ?? 1;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || depth !== 1 || !data || data.length !== width * height)
    throw new TypeError(`${fn}: expected one slice { width, height, depth: 1, data } with width·height pixels`);
  return { width, height, data };
}

/** Copies the image into a (height + 2·pad) × (width + 2·pad) float64 array with 'reflect' borders. */
function reflectPad(data, width, height, pad) {
  const W = width + 2 * pad;
  const H = height + 2 * pad;
  const out = new Float64Array(W * H);
  const xs = new Int32Array(W);
  for (let x = 0; x < W; x++) xs[x] = reflectIndex(x - pad, width);
  for (let y = 0; y < H; y++) {
    const row = reflectIndex(y - pad, height) * width;
    const o = y * W;
    for (let x = 0; x < W; x++) out[o + x] = data[row + xs[x]];
  }
  return { padded: out, W, H };
}

/** The normalised 1-D Gaussian kernel scipy uses: radius ⌊truncate·σ + 0.5⌋. */
export function gaussianKernel(sigma, truncate = 4) {
  const r = Math.floor(truncate * sigma + 0.5);
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp((-0.5 * i * i) / (sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/**
 * Separable Gaussian filter, equal to scipy.ndimage.gaussian_filter(img, sigma, mode='reflect', truncate=4) up to
 * float rounding. sigma ≤ 0 returns a copy.
 */
export function gaussianFilter(image, sigma) {
  const { width, height, data } = checkSlice(image, 'gaussianFilter');
  if (!(sigma > 0)) return { width, height, depth: 1, data: Float32Array.from(data) };
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const { padded, W } = reflectPad(data, width, height, r);
  // Rows first (on the padded rows, so the column pass sees reflected rows), then columns.
  const H = height + 2 * r;
  const tmp = new Float64Array(H * width);
  for (let y = 0; y < H; y++) {
    const src = y * W;
    const dst = y * width;
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let j = 0; j < k.length; j++) s += k[j] * padded[src + x + j];
      tmp[dst + x] = s;
    }
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let j = 0; j < k.length; j++) s += k[j] * tmp[(y + j) * width + x];
      out[y * width + x] = s;
    }
  }
  return { width, height, depth: 1, data: out };
}

/**
 * Non-local means for several filter strengths at once (the patch distances are shared; each h costs one exp and
 * two multiply-adds per pixel and offset).
 *
 * Weights: for pixel p and offset δ in the (2·searchRadius + 1)² search window, with d²(p, δ) the MEAN squared
 * difference between the (2·patchRadius + 1)² patches around p and p + δ (uniform patch kernel),
 *
 *     w(p, δ) = exp(−max(d²(p, δ) − 2σ², 0) / h²)
 *
 * the Buades, Coll & Morel (IPOL 2011) form that scikit-image's denoise_nl_means(fast_mode=True, sigma=σ) uses:
 * two patches of pure noise differ by 2σ² on average, so that part is not penalised. sigma = 0 gives the classic
 * exp(−d²/h²). The centre pixel (δ = 0, d² = 0) gets weight 1. The estimate is Σ w·I(p + δ) / Σ w. Borders are
 * 'reflect'-padded by patchRadius + searchRadius, so every pixel sees a full search window.
 *
 * Cost: offsets come in pairs (δ, −δ) with d²(p, −δ) = d²(p − δ, δ), so only half of them are computed: for each,
 * one squared-difference image, its summed-area table (float64) and 4 look-ups per pixel for the patch sums
 * (Darbon et al. 2008), over the image grown by searchRadius on each side (the partners p + δ of border pixels);
 * each weight then serves both p (with I(p + δ)) and p + δ (with I(p)). O(offsets/2 × pixels), independent of the
 * patch size.
 *
 * @param image one slice
 * @param opts { hs: number[] (filter strengths, same units as the pixels), sigma = 0, patchRadius = 2,
 *   searchRadius = 5 }
 * @returns one image per h, in the order of hs
 */
export function nlMeansMulti(image, { hs, sigma = 0, patchRadius = 2, searchRadius = 5 }) {
  const { width, height, data } = checkSlice(image, 'nlMeans');
  if (!Array.isArray(hs) || !hs.length || hs.some((h) => !(h > 0))) throw new TypeError('nlMeans: h must be > 0');
  const P = patchRadius;
  const S = searchRadius;
  if (!Number.isInteger(P) || P < 0 || !Number.isInteger(S) || S < 0) throw new TypeError('nlMeans: patchRadius and searchRadius must be integers ≥ 0');
  // Domain D: image pixels grown by S per side (DW × DH); SAT region R: D grown by P (RW × RH); padded image: R
  // grown by S more (the shifted patches), i.e. the image grown by pad = 2S + P.
  const pad = 2 * S + P;
  const { padded, W } = reflectPad(data, width, height, pad);
  const DW = width + 2 * S;
  const DH = height + 2 * S;
  const RW = DW + 2 * P;
  const RH = DH + 2 * P;
  const SW = RW + 1;
  const sat = new Float64Array((RH + 1) * SW); // zero first row and column
  const A = 2 * P + 1;
  const nh = hs.length;
  const invH2 = Float64Array.from(hs, (h) => 1 / (h * h));
  const twoVar = 2 * sigma * sigma;
  const invArea = 1 / (A * A);
  const nd = DW * DH;
  // Accumulators over D, interleaved per h: acc[i·nh + j]; the centre pixel (δ = 0) has weight 1.
  const acc = new Float64Array(nd * nh);
  const wsum = new Float64Array(nd * nh).fill(1);
  for (let y = 0; y < DH; y++) {
    const o = (y + S + P) * W + S + P;
    for (let x = 0; x < DW; x++) for (let j = 0; j < nh; j++) acc[(y * DW + x) * nh + j] = padded[o + x];
  }
  for (let dy = 0; dy <= S; dy++) {
    for (let dx = -S; dx <= S; dx++) {
      if (dy === 0 && dx <= 0) continue; // the other half of each (δ, −δ) pair, and δ = 0
      // Region pixel (ry, rx) is padded (ry + S, rx + S); its partner is padded (ry + S + dy, rx + S + dx).
      for (let ry = 0; ry < RH; ry++) {
        const p0 = (ry + S) * W + S;
        const q0 = p0 + dy * W + dx;
        const s0 = ry * SW;
        const s1 = s0 + SW;
        let row = 0;
        for (let rx = 0; rx < RW; rx++) {
          const d = padded[p0 + rx] - padded[q0 + rx];
          row += d * d;
          sat[s1 + rx + 1] = sat[s0 + rx + 1] + row;
        }
      }
      // Domain pixel (y, x) (padded (y + S + P, x + S + P)): its patch is region rows y … y + 2P, cols x … x + 2P.
      // Its partner p + δ is domain pixel (y + dy, x + dx) when inside D (outside D it never reaches the image).
      const yEnd = DH - dy;
      const x0 = Math.max(0, -dx);
      const x1 = Math.min(DW, DW - dx);
      const shift = dy * DW + dx;
      for (let y = 0; y < yEnd; y++) {
        const top = y * SW;
        const bot = (y + A) * SW;
        const prow = (y + S + P) * W + S + P;
        for (let x = x0; x < x1; x++) {
          const ssd = sat[bot + x + A] - sat[bot + x] - sat[top + x + A] + sat[top + x];
          const excess = ssd * invArea - twoVar;
          const vp = padded[prow + x];
          const vq = padded[prow + x + dy * W + dx];
          const i = (y * DW + x) * nh;
          const k = i + shift * nh;
          if (nh === 1) {
            const w = excess <= 0 ? 1 : Math.exp(-excess * invH2[0]);
            acc[i] += w * vq;
            wsum[i] += w;
            acc[k] += w * vp;
            wsum[k] += w;
          } else {
            for (let j = 0; j < nh; j++) {
              const w = excess <= 0 ? 1 : Math.exp(-excess * invH2[j]);
              acc[i + j] += w * vq;
              wsum[i + j] += w;
              acc[k + j] += w * vp;
              wsum[k + j] += w;
            }
          }
        }
      }
    }
  }
  return hs.map((_, j) => {
    const out = new Float32Array(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const i = ((y + S) * DW + x + S) * nh + j;
        out[y * width + x] = acc[i] / wsum[i];
      }
    return { width, height, depth: 1, data: out };
  });
}

/** Non-local means with one filter strength h; see {@link nlMeansMulti} for the weights and options. */
export function nlMeans(image, { h, sigma = 0, patchRadius = 2, searchRadius = 5 }) {
  return nlMeansMulti(image, { hs: [h], sigma, patchRadius, searchRadius })[0];
}
