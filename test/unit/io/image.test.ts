// SPDX-License-Identifier: MIT
// Image I/O: PNG/TIFF/NPY round trips, the real TomoGAN PNGs, TomoGAN's percentile scaling, and every rejection.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode as decodePng, encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { decodeImage, encodeImage, percentile, scaleToUint8Range, sniffImageFormat, unscale } from '../../../src/io/image.js';
import { readImage, writeImage } from '../../../src/io/node_image.js';
import { formatNpy, parseNpy } from '../../../src/io/npy.js';
import type { Image } from '../../../src/types.js';
import { describeWithSharedData, SHARED_DATA } from '../../helpers/shared_data.js';
import { prng } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'anyml-image-'));

function randomImage(width: number, height: number, depth: number, seed: number, scale = 1000, offset = -200): Image {
  const r = prng(seed);
  const data = new Float32Array(width * height * depth);
  for (let i = 0; i < data.length; i++) data[i] = r() * scale + offset;
  return { width, height, depth, data };
}

/** Runs `f` (and awaits what it returns), expects an InvalidInputError, and returns it. */
async function invalid(f: () => unknown, message: RegExp): Promise<InvalidInputError> {
  let err: unknown = null;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an InvalidInputError').toBeInstanceOf(InvalidInputError);
  expect((err as Error).message).toMatch(message);
  return err as InvalidInputError;
}

describe('PNG', () => {
  it('round-trips 16-bit exactly for integer values in 0…65535 with range [0, 65535]', async () => {
    const img = randomImage(37, 23, 1, 1, 65535, 0);
    for (let i = 0; i < img.data.length; i++) img.data[i] = Math.round(img.data[i]);
    const bytes = (await encodeImage(img, { format: 'png16', range: [0, 65535] }));
    expect(sniffImageFormat(bytes)).toBe('png');
    const png = decodePng(bytes);
    expect(png.depth).toBe(16);
    expect(png.channels).toBe(1);
    const back = (await decodeImage(bytes, { format: 'png' }));
    expect(back).toEqual({ width: 37, height: 23, depth: 1, data: img.data });
  });

  it('16-bit with an explicit range: max error half a step', async () => {
    const img = randomImage(31, 17, 1, 2);
    let lo = Infinity, hi = -Infinity;
    for (const v of img.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const back = await decodeImage(await encodeImage(img, { format: 'png16', range: [lo, hi] }));
    const step = (hi - lo) / 65535;
    let maxErr = 0;
    for (let i = 0; i < img.data.length; i++) maxErr = Math.max(maxErr, Math.abs(back.data[i] * step + lo - img.data[i]));
    expect(maxErr).toBeLessThanOrEqual(step / 2 + 1e-6);
    expect(Math.min(...back.data)).toBe(0);
    expect(Math.max(...back.data)).toBe(65535);
  });

  it('without a range the values are the codes: a flat or 1×1 image keeps its intensity (no min–max stretch)', async () => {
    const flat = { width: 7, height: 5, depth: 1, data: new Float32Array(35).fill(100) };
    for (const format of ['png8', 'png16'] as const) expect(Array.from((await decodeImage(await encodeImage(flat, { format }))).data)).toEqual(Array(35).fill(100));
    const dot = { width: 1, height: 1, depth: 1, data: new Float32Array([1234.4]) };
    expect(Array.from((await decodeImage(await encodeImage(dot, { format: 'png16' }))).data)).toEqual([1234]);
    const out = { width: 3, height: 1, depth: 1, data: new Float32Array([-5, 300.6, 70000]) };
    expect(Array.from((await decodeImage(await encodeImage(out, { format: 'png16' }))).data)).toEqual([0, 301, 65535]); // clipped
  });

  it('8-bit: quantises with rounding and clips outside the range', async () => {
    const img: Image = { width: 6, height: 1, depth: 1, data: new Float32Array([-5, 0, 0.49, 0.51, 10, 20]) };
    const back = (await decodeImage((await encodeImage(img, { format: 'png8', range: [0, 10] }))));
    expect(decodePng((await encodeImage(img, { format: 'png8', range: [0, 10] }))).depth).toBe(8);
    // (v - 0) * 255 / 10, rounded: 0.49 → 12.495 → 12, 0.51 → 13.005 → 13; -5 → 0, 20 → 255.
    expect(Array.from(back.data)).toEqual([0, 0, 12, 13, 255, 255]);
  });

  it('8-bit round trip of uint8 values is exact', async () => {
    const img = randomImage(19, 11, 1, 3, 255, 0);
    for (let i = 0; i < img.data.length; i++) img.data[i] = Math.round(img.data[i]);
    expect((await decodeImage((await encodeImage(img, { format: 'png8', range: [0, 255] })))).data).toEqual(img.data);
  });

  it('accepts RGB(A) only when R == G == B, and grey+alpha', async () => {
    const rgba = new Uint8Array([10, 10, 10, 255, 200, 200, 200, 128]);
    const ok = (await decodeImage(encodePng({ width: 2, height: 1, data: rgba, depth: 8, channels: 4 })));
    expect(Array.from(ok.data)).toEqual([10, 200]);
    const ga = (await decodeImage(encodePng({ width: 2, height: 1, data: new Uint16Array([7, 65535, 60000, 0]), depth: 16, channels: 2 })));
    expect(Array.from(ga.data)).toEqual([7, 60000]);
    const bad = encodePng({ width: 2, height: 1, data: new Uint8Array([10, 10, 10, 20, 20, 21]), depth: 8, channels: 3 });
    await invalid(() => decodeImage(bad, { name: 'rgb.png' }), /rgb\.png: the image is not grey: got R,G,B = 20,20,21 at pixel index 1/);
  });

  it('rejects unsupported bit depths, truncation and stacks', async () => {
    const four = encodePng({ width: 4, height: 2, data: new Uint8Array(4), depth: 4, channels: 1 });
    await invalid(() => decodeImage(four), /unsupported bit depth: got a 4-bit PNG/);
    const good = (await encodeImage(randomImage(8, 8, 1, 4), { format: 'png16' }));
    await invalid(() => decodeImage(good.subarray(0, good.length - 20), { name: 'cut.png' }), /cut\.png: corrupt or truncated PNG/);
    await invalid(() => encodeImage(randomImage(4, 4, 2, 5), { format: 'png16' }), /image\.depth: got 2, expected 1/);
    await invalid(() => encodeImage(randomImage(4, 4, 1, 5), { format: 'png8', range: [3, 1] }), /options\.range/);
  });
});

describe('TIFF', () => {
  it('round-trips float32 exactly (single page)', async () => {
    const img = randomImage(33, 21, 1, 6);
    img.data[0] = -0;
    img.data[1] = 3.4e38;
    img.data[2] = 1e-42; // subnormal
    const bytes = (await encodeImage(img, { format: 'tiff' }));
    expect(sniffImageFormat(bytes)).toBe('tiff');
    const back = (await decodeImage(bytes, { format: 'tiff' }));
    expect(back.width).toBe(33);
    expect(back.height).toBe(21);
    expect(back.depth).toBe(1);
    expect(Object.is(back.data[0], -0)).toBe(true);
    expect(back.data).toEqual(img.data);
  });

  it('round-trips a 3-slice float32 stack (multi-page)', async () => {
    const img = randomImage(17, 9, 3, 7);
    const back = (await decodeImage((await encodeImage(img, { format: 'tiff' }))));
    expect(back.depth).toBe(3);
    expect(back.data).toEqual(img.data);
  });

  it('writes more pages than utif2’s encoder could (200)', async () => {
    const img = randomImage(3, 2, 200, 8);
    expect((await decodeImage((await encodeImage(img, { format: 'tiff' })))).data).toEqual(img.data);
  });

  it('reads uint8 and uint16 TIFFs written by utif2 (big-endian)', async () => {
    const UTIF = (await import('utif2')).default;
    const mk = (bps: number, raw: Uint8Array) => {
      const ifd = { t256: [3], t257: [1], t258: [bps], t259: [1], t262: [1], t273: [1000], t277: [1], t278: [1], t279: [raw.length] };
      const head = new Uint8Array(UTIF.encode([ifd as never]));
      const out = new Uint8Array(1000 + raw.length);
      out.set(head);
      out.set(raw, 1000);
      return out;
    };
    expect(Array.from((await decodeImage(mk(8, new Uint8Array([0, 128, 255])))).data)).toEqual([0, 128, 255]);
    // Big-endian 16-bit: 0x0102 = 258, 0xffff = 65535, 0x0001 = 1.
    expect(Array.from((await decodeImage(mk(16, new Uint8Array([1, 2, 255, 255, 0, 1])))).data)).toEqual([258, 65535, 1]);
  });

  /** Patches the value of `tagId` in the first IFD of a file written by encodeImage (little-endian, 11 entries). */
  function patchTag(bytes: Uint8Array, tagId: number, value: number): Uint8Array {
    const out = bytes.slice();
    const dv = new DataView(out.buffer);
    for (let e = 0; e < 11; e++) {
      const p = 10 + e * 12;
      if (dv.getUint16(p, true) === tagId) {
        if (dv.getUint16(p + 2, true) === 3) dv.setUint16(p + 8, value, true);
        else dv.setUint32(p + 8, value, true);
        return out;
      }
    }
    throw new Error(`tag ${tagId} not found`);
  }

  it('rejects unsupported sample formats, colour, truncation, and Inf pixels', async () => {
    const good = (await encodeImage(randomImage(4, 3, 1, 9), { format: 'tiff' }));
    await invalid(() => decodeImage(patchTag(patchTag(good, 339, 2), 258, 16)), /unsupported TIFF sample format: got 16-bit signed int samples/);
    await invalid(() => decodeImage(patchTag(good, 258, 12)), /unsupported TIFF sample format: got 12-bit float samples/);
    await invalid(() => decodeImage(patchTag(good, 277, 3)), /the image is not grey: got 3 samples per pixel/);
    await invalid(() => decodeImage(good.subarray(0, good.length - 4), { name: 't.tif' }), /t\.tif: truncated TIFF: got strip 0 ending at byte/);
    await invalid(() => decodeImage(good.subarray(0, 6)), /truncated TIFF/);
    const inf = randomImage(4, 3, 2, 10);
    inf.data[12 + 5] = Infinity;
    const bytes = (await encodeImage({ ...inf, data: new Float32Array(inf.data.length) }, { format: 'tiff' }));
    // Plant +Inf in slice 1, pixel 5 (row 1, column 1) of an otherwise valid file.
    new DataView(bytes.buffer).setFloat32(bytes.length - 4 * 12 + 4 * 5, Infinity, true);
    await invalid(() => decodeImage(bytes, { name: 'inf.tif' }), /inf\.tif: non-finite pixel: got Infinity at pixel index 17 \(slice 1, row 1, column 1\)/);
    const big = good.slice();
    big[2] = 0x2b;
    await invalid(() => decodeImage(big), /BigTIFF/);
  });
});

describe('NPY', () => {
  it('round-trips 2-D and 3-D float32', async () => {
    const one = randomImage(7, 5, 1, 11);
    const b1 = (await encodeImage(one, { format: 'npy' }));
    expect(parseNpy(b1).shape).toEqual([5, 7]);
    expect((await decodeImage(b1))).toEqual(one);
    const three = randomImage(7, 5, 3, 12);
    const b3 = (await encodeImage(three, { format: 'npy' }));
    expect(parseNpy(b3).shape).toEqual([3, 5, 7]);
    expect((await decodeImage(b3, { format: 'npy' }))).toEqual(three);
  });

  it('reads uint8, uint16 and float64 arrays as float32 in their own units', async () => {
    const u8 = (await decodeImage(formatNpy(new Uint8Array([0, 1, 254, 255]), [2, 2])));
    expect(Array.from(u8.data)).toEqual([0, 1, 254, 255]);
    const u16 = (await decodeImage(formatNpy(new Uint16Array([0, 65535]), [1, 1, 2])));
    expect(u16.depth).toBe(1);
    expect(Array.from(u16.data)).toEqual([0, 65535]);
    const f64 = (await decodeImage(formatNpy(new Float64Array([0.5, -2.25]), [2, 1])));
    expect(Array.from(f64.data)).toEqual([0.5, -2.25]);
  });

  it('rejects NaN (naming the pixel), 0-size, wrong rank and truncation', async () => {
    const d = new Float32Array(12);
    d[7] = NaN;
    await invalid(() => decodeImage(formatNpy(d, [3, 4]), { name: 'nan.npy' }), /nan\.npy: non-finite pixel: got NaN at pixel index 7 \(slice 0, row 1, column 3\)/);
    await invalid(() => decodeImage(formatNpy(new Float32Array(0), [0, 4])), /0-size image/);
    await invalid(() => decodeImage(formatNpy(new Float32Array(4), [4])), /shape \[4\], expected a 2-D/);
    const ok = formatNpy(new Float32Array(12), [3, 4]);
    await expect(decodeImage(ok.subarray(0, ok.length - 3))).rejects.toThrow(InvalidInputError);
  });
});

describe('Node Buffer input', () => {
  it('decodes small pooled Buffers (byteOffset ≠ 0, shared slab) for every format', async () => {
    const img = randomImage(9, 7, 3, 19);
    for (const format of ['tiff', 'npy'] as const) {
      const buf = Buffer.from((await encodeImage(img, { format })));
      expect((await decodeImage(buf))).toEqual(img);
    }
    const one = randomImage(5, 4, 1, 20, 255, 0).data.map(Math.round);
    const png = Buffer.from((await encodeImage({ width: 5, height: 4, depth: 1, data: one }, { format: 'png8', range: [0, 255] })));
    expect((await decodeImage(png)).data).toEqual(one);
  });
});

describe('format sniffing and generic rejections', () => {
  it('rejects empty files, unknown formats and format mismatches', async () => {
    await invalid(() => decodeImage(new Uint8Array(0), { name: 'e.png' }), /e\.png: got an empty file \(0 bytes\)/);
    await invalid(() => decodeImage(new TextEncoder().encode('GIF89a...'), { name: 'x.gif' }), /x\.gif: unknown image format: got bytes 47 49 46 38 39 61 2e 2e/);
    const png = (await encodeImage(randomImage(2, 2, 1, 13), { format: 'png8' }));
    await invalid(() => decodeImage(png, { format: 'tiff' }), /format mismatch: got a PNG file, expected a TIFF file/);
  });

  it('encodeImage rejects 0-size, inconsistent and non-finite images', async () => {
    await invalid(() => encodeImage({ width: 0, height: 3, depth: 1, data: new Float32Array(0) }, { format: 'tiff' }), /width: got 0/);
    await invalid(() => encodeImage({ width: 2, height: 3, depth: 1, data: new Float32Array(5) }, { format: 'npy' }), /got 5 values/);
    await invalid(() => encodeImage({ width: 2, height: 1, depth: 1, data: new Float32Array([1, -Infinity]) }, { format: 'png16' }), /-Infinity at pixel index 1/);
    await invalid(() => encodeImage(randomImage(2, 2, 1, 14), { format: 'tiff', range: [0, 1] }), /no range for 'tiff'/);
  });
});

describe('TomoGAN scaling', () => {
  it('matches numpy percentile (linear) on hand-computed cases', async () => {
    // np.percentile(np.arange(2000), [0.05, 99.95]) == [0.9995, 1998.0005]
    const ramp = new Float32Array(2000).map((_, i) => i);
    expect(percentile(ramp, 0.05)).toBeCloseTo(0.9995, 10);
    expect(percentile(ramp, 99.95)).toBeCloseTo(1998.0005, 10);
    expect(percentile(new Float32Array([3, 1, 2]), 50)).toBe(2);
    expect(percentile(new Float32Array([3, 1, 2]), 100)).toBe(3);
  });

  it('clips to the percentiles and maps to 0…255 like util.scale2uint8, without truncation', async () => {
    // values 40,0,20,30,10; p10 → position 0.4 → 4, p90 → position 3.6 → 36; (v − 4) · 255 / 32.
    const img: Image = { width: 5, height: 1, depth: 1, data: new Float32Array([40, 0, 20, 30, 10]) };
    const { image, lo, hi } = scaleToUint8Range(img, { lowPercentile: 10, highPercentile: 90 });
    expect(lo).toBeCloseTo(4, 12);
    expect(hi).toBeCloseTo(36, 12);
    expect(Array.from(image.data)).toEqual([255, 0, 127.5, 207.1875, 47.8125]);
    const back = unscale(image, { lo, hi });
    expect(Array.from(back.data)).toEqual([36, 4, 20, 30, 10]); // inverse, inside the clip range
  });

  it('defaults to 0.05 / 99.95 over all slices, and unscale inverts it', async () => {
    const img = randomImage(40, 30, 2, 15, 5000, -1000);
    const { image, lo, hi } = scaleToUint8Range(img);
    const sorted = Float64Array.from(img.data).sort();
    const n = sorted.length;
    const pos = 0.0005 * (n - 1);
    expect(lo).toBeCloseTo(sorted[Math.floor(pos)] + (sorted[Math.floor(pos) + 1] - sorted[Math.floor(pos)]) * (pos - Math.floor(pos)), 6);
    expect(Math.min(...image.data)).toBe(0);
    expect(Math.max(...image.data)).toBe(255);
    const back = unscale(image, { lo, hi });
    for (let i = 0; i < n; i++) {
      const clipped = Math.min(hi, Math.max(lo, img.data[i]));
      expect(Math.abs(back.data[i] - clipped)).toBeLessThan(1e-3);
    }
  });

  it('maps a flat image to 0 and rejects bad options', async () => {
    const flat: Image = { width: 3, height: 1, depth: 1, data: new Float32Array([7, 7, 7]) };
    const r = scaleToUint8Range(flat);
    expect(Array.from(r.image.data)).toEqual([0, 0, 0]);
    expect(Array.from(unscale(r.image, r).data)).toEqual([7, 7, 7]);
    await invalid(() => scaleToUint8Range(flat, { lowPercentile: 60, highPercentile: 40 }), /lowPercentile 60/);
    await invalid(() => unscale(flat, { lo: 2, hi: 1 }), /unscale: range/);
  });
});

describe('readImage / writeImage', () => {
  it('writes by extension and reads back', async () => {
    const img = randomImage(9, 7, 3, 16);
    for (const name of ['s.tif', 's.tiff', 's.npy']) {
      await writeImage(join(dir, name), img);
      expect(await readImage(join(dir, name))).toEqual(img);
    }
    const one = randomImage(9, 7, 1, 17, 65535, 0).data.map(Math.round);
    await writeImage(join(dir, 'p.png'), { width: 9, height: 7, depth: 1, data: one });
    expect(decodePng(readFileSync(join(dir, 'p.png'))).depth).toBe(16);
    expect((await readImage(join(dir, 'p.png'))).data).toEqual(one);
    // An image whose values fit 0…255 is written as an 8-bit PNG, values unchanged.
    const flat = { width: 7, height: 5, depth: 1, data: new Float32Array(35).fill(100) };
    await writeImage(join(dir, 'f.png'), flat);
    expect(decodePng(readFileSync(join(dir, 'f.png'))).depth).toBe(8);
    expect((await readImage(join(dir, 'f.png'))).data).toEqual(flat.data);
  });

  it('errors name the path and the OS reason', async () => {
    const missing = join(dir, 'missing.png');
    await expect(readImage(missing)).rejects.toThrow(new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read image: got an unreadable file \\(ENOENT`));
    await expect(readImage(dir)).rejects.toThrow(/EISDIR/);
    const junk = join(dir, 'junk.tif');
    writeFileSync(junk, 'hello');
    await expect(readImage(junk)).rejects.toThrow(/junk\.tif: unknown image format/);
    await expect(writeImage(join(dir, 'x.jpg'), randomImage(2, 2, 1, 18))).rejects.toThrow(/x\.jpg: unknown image format: got extension '\.jpg'/);
    const bad = join(dir, 'no-such-dir', 'x.tif');
    const e = await writeImage(bad, randomImage(2, 2, 1, 18)).catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as Error).message).toMatch(/x\.tif: cannot write: got an unwritable path \(ENOENT: no such file or directory\)/);
    expect((e as Error).message.startsWith(bad)).toBe(true); // the user's path, not the temp file
    expect((e as Error).message).not.toMatch(/\.tmp|ENOENT: ENOENT/);
  });
});

describeWithSharedData('real TomoGAN PNGs', () => {
  const real = join(SHARED_DATA, 'tomogan', 'real');

  it('rejects the 640×640 RGBA renderings as not grey (yellow annotations)', async () => {
    for (const f of ['ns-w016-i10-r25-s0364.png', 'dn-w016-i10-r25-s0364.png']) {
      await expect(readImage(join(real, f))).rejects.toThrow(/the image is not grey: got R,G,B = \d+,\d+,\d+ at pixel index \d+/);
    }
  });

  it('a grey PNG made from the R channel decodes to the reference uint8 crop', async () => {
    const png = decodePng(readFileSync(join(real, 'ns-w016-i10-r25-s0364.png')));
    expect([png.width, png.height, png.channels]).toEqual([640, 640, 4]);
    const grey = new Uint8Array(640 * 640);
    for (let i = 0; i < grey.length; i++) grey[i] = png.data[4 * i];
    const path = join(dir, 'ns_grey.png');
    writeFileSync(path, encodePng({ width: 640, height: 640, data: grey, depth: 8, channels: 1 }));
    const img = await readImage(path);
    expect([img.width, img.height, img.depth]).toEqual([640, 640, 1]);
    const ref = await readImage(join(real, 'ns_gray_619x619_u8.npy'));
    expect([ref.width, ref.height]).toEqual([619, 619]);
    for (let y = 0; y < 619; y++) {
      for (let x = 0; x < 619; x++) {
        if (img.data[(y + 11) * 640 + x + 11] !== ref.data[y * 619 + x]) throw new Error(`mismatch at ${y},${x}`);
      }
    }
    // TomoGAN scaling of the real slice stays inside 0…255 and inverts.
    const s = scaleToUint8Range(ref);
    expect(s.lo).toBeGreaterThanOrEqual(0);
    expect(s.hi).toBeLessThanOrEqual(255);
    const back = unscale(s.image, s);
    for (let i = 0; i < ref.data.length; i += 97) {
      expect(Math.abs(back.data[i] - Math.min(s.hi, Math.max(s.lo, ref.data[i])))).toBeLessThan(1e-3);
    }
  });
});
