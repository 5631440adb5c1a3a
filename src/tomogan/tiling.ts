// SPDX-License-Identifier: MIT
// Halo tiling for the TomoGAN generator (docs/tomogan.md "Tiling"): origins and sizes on multiples
// of 8 so the three 2×2 pools keep their grid, windows shifted inside the image (never zero-padded), cores stitched.
import { InvalidInputError } from '../errors.js';

/** Receptive-field reach per side of the generator, half-pixel bilinear: 50 px (docs/tomogan.md "Tiling"). */
export const RECEPTIVE_REACH = 50;
/** Default halo: ≥ reach and a multiple of 8 (docs/tomogan.md "Tiling"). */
export const DEFAULT_HALO = 56;

export const roundUp8 = (n: number): number => Math.ceil(n / 8) * 8;

/** One tile: the input window [y, y+h) × [x, x+w) and the core [cy, cy+ch) × [cx, cx+cw) it writes, in padded-image pixels. */
export interface Tile {
  y: number;
  x: number;
  h: number;
  w: number;
  cy: number;
  cx: number;
  ch: number;
  cw: number;
}

/**
 * Tiles a `height` × `width` image (both multiples of 8) into cores of `tile` px (rounded up to 8) with `halo` px of
 * context (rounded up to 8). Every window has the same size min(dim, tile + 2·halo), so tiles can be batched; windows
 * at the border are shifted inside the image, which keeps ≥ halo context or the true image edge on every side.
 */
export function planTiles(height: number, width: number, tile: number, halo: number): Tile[] {
  if (height % 8 || width % 8 || height <= 0 || width <= 0)
    throw new InvalidInputError('planTiles: size', `${height}×${width}`, 'positive multiples of 8');
  if (!(tile > 0) || !Number.isFinite(tile)) throw new InvalidInputError('planTiles: tile', String(tile), 'a positive number of pixels');
  if (!(halo >= 0) || !Number.isFinite(halo)) throw new InvalidInputError('planTiles: halo', String(halo), 'a number of pixels ≥ 0');
  const t = roundUp8(tile);
  const hl = roundUp8(halo);
  const axis = (n: number) => {
    const size = Math.min(n, t + 2 * hl);
    const out: { o: number; s: number; c: number; cs: number }[] = [];
    for (let c = 0; c < n; c += t) {
      const cs = Math.min(t, n - c);
      const o = Math.max(0, Math.min(c - hl, n - size));
      out.push({ o, s: size, c, cs });
    }
    return out;
  };
  const tiles: Tile[] = [];
  for (const a of axis(height)) for (const b of axis(width)) tiles.push({ y: a.o, x: b.o, h: a.s, w: b.s, cy: a.c, cx: b.c, ch: a.cs, cw: b.cs });
  return tiles;
}

/** Reflect index (edge not repeated, like numpy 'reflect' / tf.mirrorPad 'reflect'), valid for any i and n ≥ 1. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const p = 2 * (n - 1);
  i = ((i % p) + p) % p;
  return i < n ? i : p - i;
}

/** Reflect-pads each of `depth` planes (H × W) on the bottom and right to multiples of 8. */
export function padTo8(data: Float32Array, depth: number, height: number, width: number): { data: Float32Array; height: number; width: number } {
  return padToMultiple(data, depth, height, width, 8);
}

/** Reflect-pads each of `depth` planes (H × W) on the bottom and right to multiples of `m`. */
export function padToMultiple(data: Float32Array, depth: number, height: number, width: number, m: number): { data: Float32Array; height: number; width: number } {
  const H = Math.ceil(height / m) * m;
  const W = Math.ceil(width / m) * m;
  if (H === height && W === width) return { data, height, width };
  const out = new Float32Array(depth * H * W);
  for (let z = 0; z < depth; z++)
    for (let y = 0; y < H; y++) {
      const sy = reflect(y, height);
      const src = (z * height + sy) * width;
      const dst = (z * H + y) * W;
      out.set(data.subarray(src, src + width), dst);
      for (let x = width; x < W; x++) out[dst + x] = data[src + reflect(x, width)];
    }
  return { data: out, height: H, width: W };
}

/** Copies a tile's window from planar [depth][H][W] into NHWC at `out[offset…]` ([h][w][depth]). */
export function extractWindow<T extends Float32Array | Int8Array>(src: T, depth: number, H: number, W: number, t: Tile, out: T, offset: number): void {
  if (depth === 1) {
    for (let y = 0; y < t.h; y++) out.set(src.subarray((t.y + y) * W + t.x, (t.y + y) * W + t.x + t.w), offset + y * t.w);
    return;
  }
  for (let y = 0; y < t.h; y++)
    for (let x = 0; x < t.w; x++) {
      const o = offset + (y * t.w + x) * depth;
      for (let z = 0; z < depth; z++) out[o + z] = src[(z * H + t.y + y) * W + t.x + x];
    }
}

/** Writes the core of one tile's single-channel output (h × w at `res[offset…]`) into the H × W plane `dst`. */
export function stitchCore<T extends Float32Array | Int8Array>(res: T, offset: number, t: Tile, dst: T, W: number): void {
  const dy = t.cy - t.y;
  const dx = t.cx - t.x;
  for (let y = 0; y < t.ch; y++) {
    const s = offset + (dy + y) * t.w + dx;
    dst.set(res.subarray(s, s + t.cw), (t.cy + y) * W + t.cx);
  }
}
