// SPDX-License-Identifier: MIT
// parseNpy / formatNpy: round trips for every dtype, numpy's exact header layout, the shared .npy files, rejections.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatNpy, parseNpy, type NpyData, type NpyDtype } from '../../../src/io/npy.js';
import { describeWithSharedData, SHARED_DATA } from '../../helpers/shared_data.js';
import { invalid } from '../../helpers/errors.js';

/** Builds a .npy file by hand: any version, any header text, any payload. */
function rawNpy(header: string, payload: Uint8Array, version: 1 | 2 | 3 = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const body = header + ' '.repeat((64 - ((pre + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(pre + body.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, body.length, true);
  else dv.setUint32(8, body.length, true);
  for (let i = 0; i < body.length; i++) out[pre + i] = body.charCodeAt(i);
  out.set(payload, pre + body.length);
  return out;
}


const header = (descr: string, shape: string, fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

describe('formatNpy → parseNpy round trips', () => {
  const cases: Array<[NpyDtype, NpyData, number[]]> = [
    ['float32', Float32Array.from([0, -1.5, 3.25e-8, Math.fround(Math.PI), -0, 1e30]), [2, 3]],
    ['float64', Float64Array.from([Math.PI, -Math.E, 1e-300, Number.MAX_VALUE, 5e-324, -0]), [3, 2]],
    ['uint8', Uint8Array.from([0, 1, 127, 128, 254, 255, 9, 10]), [2, 2, 2]],
    ['uint16', Uint16Array.from([0, 1, 255, 256, 32768, 65535]), [6]],
    ['int32', Int32Array.from([0, -1, 2147483647, -2147483648]), [4, 1]],
  ];
  for (const [dtype, data, shape] of cases) {
    it(`${dtype} ${JSON.stringify(shape)}`, () => {
      const bytes = formatNpy(data, shape);
      expect((bytes.length - data.byteLength) % 64).toBe(0);
      const back = parseNpy(bytes);
      expect(back.dtype).toBe(dtype);
      expect(back.shape).toEqual(shape);
      expect(back.data.constructor).toBe(data.constructor);
      expect(Array.from(back.data)).toEqual(Array.from(data));
      expect(Object.is(back.data[back.data.length - 1], data[data.length - 1])).toBe(true); // -0 survives
    });
  }
  it('bool (Uint8Array of 0/1 with dtype: bool)', () => {
    const data = Uint8Array.from([1, 0, 0, 1, 1]);
    const back = parseNpy(formatNpy(data, [5], { dtype: 'bool' }));
    expect(back).toMatchObject({ dtype: 'bool', shape: [5] });
    expect(Array.from(back.data)).toEqual([1, 0, 0, 1, 1]);
  });
  it('0-d scalars and empty arrays', () => {
    const s = parseNpy(formatNpy(Float64Array.of(2.5), []));
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data)).toEqual([2.5]);
    const e = parseNpy(formatNpy(new Float32Array(0), [0, 5]));
    expect(e.shape).toEqual([0, 5]);
    expect(e.data.length).toBe(0);
  });
  it('writes the same header bytes as numpy.save (sorted keys, growth-axis spaces, 64-byte alignment)', () => {
    // Printed by numpy 2.4 `np.save(b, np.zeros((64, 64), np.float32))` and `np.zeros((3,), np.uint16)`.
    const h64 = "{'descr': '<f4', 'fortran_order': False, 'shape': (64, 64), }" + ' '.repeat(56) + '\n';
    const h3 = "{'descr': '<u2', 'fortran_order': False, 'shape': (3,), }" + ' '.repeat(60) + '\n';
    const text = (b: Uint8Array) => String.fromCharCode(...b.subarray(0, 128));
    expect(text(formatNpy(new Float32Array(64 * 64), [64, 64]))).toBe('\x93NUMPY\x01\x00v\x00' + h64);
    expect(text(formatNpy(new Uint16Array(3), [3]))).toBe('\x93NUMPY\x01\x00v\x00' + h3);
  });
  it('reads format 2.0 and 3.0 headers, a subarray view, and a one-axis fortran_order array', () => {
    const payload = new Uint8Array(Float32Array.from([1, 2, 3]).buffer);
    for (const v of [2, 3] as const) {
      const r = parseNpy(rawNpy(header('<f4', '(3,)'), payload, v));
      expect(r.shape).toEqual([3]);
      expect(Array.from(r.data)).toEqual([1, 2, 3]);
    }
    const inner = formatNpy(Uint16Array.from([7, 8, 9]), [3]);
    const padded = new Uint8Array(inner.length + 3);
    padded.set(inner, 1);
    expect(Array.from(parseNpy(padded.subarray(1, 1 + inner.length)).data)).toEqual([7, 8, 9]);
    expect(Array.from(parseNpy(rawNpy(header('<f4', '(1, 3)', 'True'), payload)).data)).toEqual([1, 2, 3]);
  });
});

describe('parseNpy rejections', () => {
  const f4 = new Uint8Array(Float32Array.from([1, 2, 3, 4]).buffer);
  it('not a .npy file', () => {
    const e = invalid(() => parseNpy(new TextEncoder().encode('P5 64 64 255\n'), 'x.npy'));
    expect(e.where).toBe('x.npy');
    expect(e.message).toMatch(/not a \.npy file.*magic/);
  });
  it('unknown version', () => {
    const b = formatNpy(new Float32Array(1), [1]);
    b[6] = 4;
    expect(invalid(() => parseNpy(b, 'v.npy')).message).toMatch(/v\.npy: format version.*got 4\.0, expected 1\.0, 2\.0 or 3\.0/);
  });
  it('fortran_order True', () => {
    const e = invalid(() => parseNpy(rawNpy(header('<f4', '(2, 2)', 'True'), f4), 'f.npy'));
    expect(e.where).toBe("f.npy: header 'fortran_order'");
    expect(e.message).toMatch(/Fortran-order.*got True, expected False \(C order\)/);
  });
  it('big-endian', () => {
    const e = invalid(() => parseNpy(rawNpy(header('>f4', '(4,)'), f4), 'be.npy'));
    expect(e.where).toBe("be.npy: header 'descr'");
    expect(e.message).toMatch(/big-endian.*got '>f4', expected little-endian '<'/);
  });
  it('unsupported dtypes, with the list of supported ones', () => {
    for (const d of ['<i8', '<c8', '<f2', '|O', '<U4', '|S3']) {
      const e = invalid(() => parseNpy(rawNpy(header(d, '(1,)'), new Uint8Array(16)), 'd.npy'));
      expect(e.got).toBe(`'${d}'`);
      expect(e.expected).toMatch(/'<f4' \(float32\).*'<f8'.*'\|u1'.*'<u2'.*'\|b1'.*'<i4'/);
    }
    const s = invalid(() => parseNpy(rawNpy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", f4), 's.npy'));
    expect(s.message).toMatch(/structured dtypes are not supported/);
  });
  it('truncated payload and header', () => {
    const good = formatNpy(Float32Array.from([1, 2, 3, 4]), [2, 2]);
    const e = invalid(() => parseNpy(good.subarray(0, good.length - 1), 't.npy'));
    expect(e.where).toBe('t.npy: payload');
    expect(e.message).toMatch(/truncated data: got 15 bytes after the 128-byte header, expected 16 bytes \(4 × 4-byte float32 for shape \(2, 2\)\)/);
    expect(invalid(() => parseNpy(good.subarray(0, 60), 't.npy')).message).toMatch(/truncated header/);
  });
  it('malformed header dicts', () => {
    for (const h of ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)", "{'descr': '<f4', 'fortran_order': False}", "{'descr': '<f4', 'fortran_order': 0, 'shape': (4,), }", "{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }"]) {
      const e = invalid(() => parseNpy(rawNpy(h, f4), 'h.npy'));
      expect(e.where).toMatch(/^h\.npy: header/);
    }
  });
});

describe('formatNpy rejections', () => {
  it('shape mismatch, bad shape, bad dtype override', () => {
    expect(invalid(() => formatNpy(new Float32Array(6), [4, 2])).message).toMatch(/\[4,2\] \(8 elements\).*data\.length = 6/);
    expect(invalid(() => formatNpy(new Float32Array(2), [2.5])).where).toBe('formatNpy: shape');
    expect(invalid(() => formatNpy(new Float32Array(2), [2], { dtype: 'bool' })).where).toBe('formatNpy: options.dtype');
    expect(invalid(() => formatNpy(Uint8Array.of(0, 2), [2], { dtype: 'bool' })).where).toBe('formatNpy: data[1]');
  });
});

describeWithSharedData('the shared TomoGAN .npy files', () => {
  const dir = join(SHARED_DATA, 'tomogan');
  // Shapes and dtypes as tabulated in ../shared/data/tomogan/README.md.
  const table: Array<[string, NpyDtype, number[]]> = [
    ['real/ns_gray_619x619_u8.npy', 'uint8', [619, 619]],
    ['real/dn_gray_619x619_u8.npy', 'uint8', [619, 619]],
    ['real/annotation_mask_619x619.npy', 'bool', [619, 619]],
    ['real/ns_crop192_u8.npy', 'uint8', [192, 192]],
    ['real/dn_crop192_u8.npy', 'uint8', [192, 192]],
    ...['phantom', 'clean_fbp', 'lowdose_I0_1000_fbp', 'lowdose_I0_100_fbp', 'sparse_every32_fbp'].map(
      (s) => [`synthetic/${s}_256.npy`, 'float32', [256, 256]] as [string, NpyDtype, number[]],
    ),
    ...['phantom', 'clean_fbp', 'lowdose_I0_10000_fbp', 'lowdose_I0_1000_fbp', 'sparse_every32_fbp'].map(
      (s) => [`synthetic/${s}_1024.npy`, 'float32', [1024, 1024]] as [string, NpyDtype, number[]],
    ),
    ...['p1_disc_noise', 'p2_texture_blur', 'p3_random_contrast'].flatMap((p) => [
      [`ssim-reference/${p}_x.npy`, 'float32', [64, 64]] as [string, NpyDtype, number[]],
      [`ssim-reference/${p}_y.npy`, 'float32', [64, 64]] as [string, NpyDtype, number[]],
      ...['wang2004', 'skimage_default', 'skimage_uniform7_dr1'].map(
        (s) => [`ssim-reference/ssim_map_${p}_${s}.npy`, 'float64', [64, 64]] as [string, NpyDtype, number[]],
      ),
    ]),
  ];
  it('lists every .npy in the folder', async () => {
    const { readdirSync } = await import('node:fs');
    const all = ['real', 'synthetic', 'ssim-reference'].flatMap((d) => readdirSync(join(dir, d)).filter((f) => f.endsWith('.npy')).map((f) => `${d}/${f}`));
    expect(all.sort()).toEqual(table.map((t) => t[0]).sort());
  });
  for (const [file, dtype, shape] of table) {
    it(`${file}: ${dtype} ${shape.join('×')}, and formatNpy writes it back byte for byte`, () => {
      const bytes = new Uint8Array(readFileSync(join(dir, file)));
      const a = parseNpy(bytes, file);
      expect(a.dtype).toBe(dtype);
      expect(a.shape).toEqual(shape);
      expect(a.data.length).toBe(shape[0] * shape[1]);
      if (dtype === 'bool') expect(a.data.every((v) => v === 0 || v === 1)).toBe(true);
      const out = formatNpy(a.data, a.shape, { dtype: a.dtype });
      expect(out.length).toBe(bytes.length);
      expect(Buffer.compare(out, bytes)).toBe(0); // byte-compare: toEqual on MB arrays is very slow
    });
  }
  it('value ranges match the README (phantom_256 0…1, clean_fbp_256 −0.053…1.038, u8 crop within 0…255)', () => {
    const range = (f: string) => {
      const d = parseNpy(new Uint8Array(readFileSync(join(dir, f))), f).data;
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of d) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return [lo, hi];
    };
    const [plo, phi] = range('synthetic/phantom_256.npy');
    expect(plo).toBeCloseTo(0, 6);
    expect(phi).toBeCloseTo(1, 3);
    const [clo, chi] = range('synthetic/clean_fbp_256.npy');
    expect(clo).toBeCloseTo(-0.053, 3);
    expect(chi).toBeCloseTo(1.038, 3);
    const [ulo, uhi] = range('real/ns_crop192_u8.npy');
    expect(ulo).toBeGreaterThanOrEqual(0);
    expect(uhi).toBeLessThanOrEqual(255);
  });
});

describe('parseNpy with Node Buffers', () => {
  it('reads a small pooled Buffer (Buffer.from shares a pool: slice() would be a view)', async () => {
    const { formatNpy, parseNpy } = await import('../../../src/io/npy.js');
    const bytes = formatNpy(Float32Array.from([1.5, -2, 3.25]), [3]);
    const pooled = Buffer.from(bytes); // small Buffers live at an offset inside a shared 8 KiB pool
    expect(pooled.byteOffset).toBeGreaterThanOrEqual(0);
    expect(Array.from(parseNpy(pooled).data)).toEqual([1.5, -2, 3.25]);
  });
});
