// SPDX-License-Identifier: MIT
// denoiseVolume: the same slices as one denoise call per slice (1- and 3-slice models, edges replicated), sources
// and sinks, the sliding window's bound, range, abort and the errors that name the slice.
import { describe, expect, it } from 'vitest';
import { AbortError, InvalidInputError } from '../../../src/errors.js';
import { denoise } from '../../../src/tomogan/denoise.js';
import { createGenerator } from '../../../src/tomogan/model.js';
import { denoiseVolume } from '../../../src/tomogan/index.js';
import type { Image } from '../../../src/types.js';
import { SliceWindow } from '../../../src/tomogan/volume_source.js';
import { randomImage } from '../../helpers/tomogan.js';

const g1 = createGenerator({ seed: 41 });
const g3 = createGenerator({ depth: 3, seed: 42 });
const W = 64;
const H = 48;
const N = 16;
const slices = Array.from({ length: N }, (_v, k) => randomImage(W, H, 1, 100 + k).data);
const opts = { backend: 'wasm', tile: 32, halo: 16 } as const;

/** A volume that counts how many of its slices are alive (handed out, not yet garbage): here, how many were read. */
function volume(data: Float32Array[] = slices) {
  const reads: number[] = [];
  return { reads, src: { width: W, height: H, depth: data.length, slice: async (k: number) => (reads.push(k), data[k].slice()) } };
}

async function collect(src: Parameters<typeof denoiseVolume>[0], o: Parameters<typeof denoiseVolume>[2]) {
  const out = new Map<number, Float32Array>();
  const r = await denoiseVolume(src, { write: async (k, im) => void out.set(k, im.data) }, o);
  return { out, r };
}

const stack = (k: number): Image => {
  const at = (i: number) => slices[Math.min(N - 1, Math.max(0, i))];
  const data = new Float32Array(3 * W * H);
  [k - 1, k, k + 1].forEach((i, z) => data.set(at(i), z * W * H));
  return { width: W, height: H, depth: 3, data };
};

describe('denoiseVolume', () => {
  it('1-slice model: 16 slices equal 16 denoise calls, each slice read once, in order', async () => {
    const { src, reads } = volume();
    const { out, r } = await collect(src, { model: g1, ...opts });
    expect(r).toMatchObject({ slices: N, range: [0, N], depth: N, backend: 'wasm' });
    expect(reads).toEqual([...Array(N).keys()]);
    for (let k = 0; k < N; k++) expect(out.get(k)).toEqual((await denoise({ width: W, height: H, depth: 1, data: slices[k] }, { model: g1, ...opts })).image.data);
  });

  it('3-slice model: slice k is denoise of (k−1, k, k+1), slice −1 := 0 and slice n := n−1; no read-ahead past k+1', async () => {
    const { src, reads } = volume();
    const out = new Map<number, Float32Array>();
    await denoiseVolume(src, (k, im) => void (expect(Math.max(...reads)).toBe(Math.min(N - 1, k + 1)), out.set(k, im.data)), { model: g3, ...opts });
    expect(reads).toEqual([...Array(N).keys()]);
    for (const k of [0, 1, 7, N - 2, N - 1]) expect(out.get(k)).toEqual((await denoise(stack(k), { model: g3, ...opts })).image.data);
  });

  it('an async iterable and a callback sink give the same slices; range [a, b) writes only those', async () => {
    async function* gen() {
      for (const d of slices) yield { width: W, height: H, depth: 1, data: d } as Image;
    }
    const got: number[] = [];
    const ref = await collect(volume().src, { model: g3, ...opts, range: [5, 9] });
    const r = await denoiseVolume(gen(), (k, im) => void (got.push(k), expect(im.data).toEqual(ref.out.get(k))), { model: g3, ...opts, range: [5, 9] });
    expect(got).toEqual([5, 6, 7, 8]);
    expect([...ref.out.keys()]).toEqual([5, 6, 7, 8]);
    expect(r.slices).toBe(4);
  });

  it('progress per slice; an abort stops between slices', async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    const p = denoiseVolume(volume().src, () => {}, { model: g1, ...opts, signal: ac.signal, onProgress: (q) => (seen.push(q.slice), q.done === 3 && ac.abort(), expect(q.total).toBe(N)) });
    await expect(p).rejects.toThrow(AbortError);
    expect(seen).toEqual([0, 1, 2]);
  });
});

describe('SliceWindow', () => {
  it('holds at most 3 slices when released before k − 1, as denoiseVolume does', async () => {
    let k0 = 0;
    const win = new SliceWindow({ start: 0, next: async () => (k0 < 40 ? new Float32Array(4).fill(k0++) : undefined) });
    let peak = 0;
    for (let k = 0; k < 40; k++) {
      win.release(k - 1);
      for (const i of [k, k + 1, k - 1]) if (i >= 0) expect((await win.get(i))?.[0] ?? 40).toBe(Math.min(i, 40));
      peak = Math.max(peak, win.size);
    }
    expect(peak).toBe(3);
  });
});

describe('denoiseVolume errors name the slice', () => {
  const err = async (p: Promise<unknown>, re: RegExp) => {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as Error).message).toMatch(re);
  };
  it('a slice of another size, a NaN slice', async () => {
    const bad = slices.slice(0, 6);
    bad[4] = new Float32Array(W * (H - 8));
    await err(denoiseVolume(volume(bad).src, () => {}, { model: g1, ...opts }), /slice 4.*64×48/);
    const nan = slices.slice(0, 6).map((d) => d.slice());
    nan[3][W * 2 + 5] = NaN;
    await err(denoiseVolume(volume(nan).src, () => {}, { model: g1, ...opts }), /slice 3: got NaN at row 2, column 5/);
    const imgs = [randomImage(W, H), randomImage(W, H - 8)];
    await err(denoiseVolume(imgs, () => {}, { model: g1, ...opts }), /slice 1: got 64×40, expected 64×48/);
  });
  it('one slice with a 3-slice model; range out of bounds; slices ≠ model depth', async () => {
    await err(denoiseVolume(volume(slices.slice(0, 1)).src, () => {}, { model: g3, ...opts }), /one slice.*at least 2/);
    await err(denoiseVolume(volume().src, () => {}, { model: g1, ...opts, range: [10, 17] }), /range: got \[10, 17\).*≤ 16/);
    await err(denoiseVolume(slices.map((data) => ({ width: W, height: H, depth: 1, data })), () => {}, { model: g1, ...opts, range: [20, 22] }), /range.*≤ 16/);
    await err(denoiseVolume(volume().src, () => {}, { model: g1, ...opts, slices: 3 }), /slices: got 3, expected 1/);
  });
});
