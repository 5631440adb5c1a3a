// SPDX-License-Identifier: MIT
// Page-wise TIFF stacks (src/io/tiff_pages.ts, src/io/tiff_stack.ts) checked against utif2 (decodeTiffImage), and
// slice-by-slice HDF5 (src/io/hdf5_volume.ts).
import { mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { createHdf5Stack, openHdf5Volume } from '../../../src/io/hdf5_volume.js';
import { decodeTiffImage, encodeTiffFloat32 } from '../../../src/io/tiff.js';
import { openTiffPages } from '../../../src/io/tiff_pages.js';
import { createTiffStack, resumeTiffStack } from '../../../src/io/tiff_stack.js';
import { randomImage } from '../../helpers/tomogan.js';

const dir = mkdtempSync(join(tmpdir(), 'anyml-volio-'));
const W = 37; // odd: pages and IFDs land on odd offsets unless word-aligned
const H = 5;
const pages = Array.from({ length: 6 }, (_v, k) => randomImage(W, H, 1, 7 + k).data.map((v, i) => (i === 0 ? -1e30 * k : v)));

/** An uncompressed grey TIFF of uint8 / uint16 pages with the given byte order and compression tag. */
function greyTiff(bps: 8 | 16, le: boolean, data: number[][], w: number, h: number, compression = 1): Uint8Array {
  const plane = w * h * (bps / 8);
  const ifd = 2 + 9 * 12 + 4;
  const out = new DataView(new ArrayBuffer(8 + data.length * (ifd + plane)));
  const u8 = new Uint8Array(out.buffer);
  u8[0] = u8[1] = le ? 0x49 : 0x4d;
  out.setUint16(2, 42, le); out.setUint32(4, 8, le);
  data.forEach((px, z) => {
    let p = 8 + z * (ifd + plane);
    const dataAt = p + ifd;
    out.setUint16(p, 9, le); p += 2;
    for (const [t, type, v] of [[256, 3, w], [257, 3, h], [258, 3, bps], [259, 3, compression], [262, 3, 1], [273, 4, dataAt], [277, 3, 1], [278, 3, h], [279, 4, plane]]) {
      out.setUint16(p, t, le); out.setUint16(p + 2, type, le); out.setUint32(p + 4, 1, le);
      if (type === 3) out.setUint16(p + 8, v, le); else out.setUint32(p + 8, v, le);
      p += 12;
    }
    out.setUint32(p, z + 1 < data.length ? dataAt + plane : 0, le);
    px.forEach((v, i) => (bps === 8 ? out.setUint8(dataAt + i, v) : out.setUint16(dataAt + 2 * i, v, le)));
  });
  return u8;
}

describe('page-wise TIFF', () => {
  it('the stack writer: utif2 reads back exactly what was appended; the reader agrees page by page', async () => {
    const path = join(dir, 'a.tif');
    const w = await createTiffStack(path, W, H);
    for (const p of pages) await w.append(p);
    await w.close();
    const all = decodeTiffImage(readFileSync(path), path);
    expect([all.width, all.height, all.depth]).toEqual([W, H, pages.length]);
    pages.forEach((p, z) => expect(all.data.subarray(z * W * H, (z + 1) * W * H)).toEqual(p));
    const t = await openTiffPages(path);
    for (let z = 0; z < pages.length; z++) expect(await t.page(z)).toEqual(pages[z]);
    await t.close();
  });

  it('a file cut anywhere after page k is a valid k-page TIFF; resume drops the tail and appends the rest', async () => {
    const path = join(dir, 'cut.tif');
    const w = await createTiffStack(path, W, H);
    for (const p of pages.slice(0, 4)) await w.append(p);
    await w.close();
    const full = statSync(path).size;
    truncateSync(path, full - 50); // page 3's IFD cut: pages 0–2 remain linked
    // utif2 would follow the dangling link, so the cut-page guarantee is checked with the page reader
    await expect(openTiffPages(path)).rejects.toThrow(/truncated TIFF/);
    const r = await createTiffStack(join(dir, 'cut2.tif'), W, H);
    for (const p of pages.slice(0, 3)) await r.append(p);
    await r.close();
    const three = readFileSync(join(dir, 'cut2.tif'));
    writeFileSync(path, Buffer.concat([three, Buffer.alloc(1000, 7)])); // an append cut after its pixels
    expect(decodeTiffImage(readFileSync(path), path).depth).toBe(3);
    const s = await resumeTiffStack(path, W, H);
    expect(s.pages).toBe(3);
    for (const p of pages.slice(3)) await s.append(p);
    await s.close();
    const ref = join(dir, 'ref.tif');
    writeFileSync(ref, encodeTiffFloat32({ width: W, height: H, depth: 6, data: Float32Array.from(pages.flatMap((p) => [...p])) }));
    expect(decodeTiffImage(readFileSync(path), path).data).toEqual(decodeTiffImage(readFileSync(ref), ref).data);
    await expect(resumeTiffStack(path, W + 1, H)).rejects.toThrow(/cannot resume/);
  });

  it('reads uint8 / uint16 pages in both byte orders like utif2; refuses compressed pages and mismatched sizes, naming the page', async () => {
    const px = [[...Array(12).keys()].map((i) => i * 1000 + 7), [...Array(12).keys()].map((i) => 65535 - i)];
    for (const [bps, le] of [[8, true], [16, true], [16, false], [8, false]] as const) {
      const data = px.map((p) => p.map((v) => (bps === 8 ? v % 256 : v)));
      const path = join(dir, `g${bps}${le}.tif`);
      writeFileSync(path, greyTiff(bps, le, data, 4, 3));
      const t = await openTiffPages(path);
      const ref = decodeTiffImage(readFileSync(path), path);
      expect([...(await t.page(0)), ...(await t.page(1))]).toEqual([...ref.data]);
      await t.close();
    }
    const lzw = join(dir, 'lzw.tif');
    writeFileSync(lzw, greyTiff(8, true, [[1, 2, 3, 4], [1, 2, 3, 4]], 2, 2, 5));
    await expect(openTiffPages(lzw)).rejects.toThrow(/page 0: compressed TIFF page: got compression 5/);
    const mixed = join(dir, 'mixed.tif');
    const a = greyTiff(8, true, [[1, 2, 3, 4]], 2, 2);
    const b = greyTiff(8, true, [[1, 2, 3, 4, 5, 6]], 3, 2);
    // chain b's IFD after a's: rebase b's offsets by a's length
    const bb = new DataView(b.buffer.slice(0));
    bb.setUint32(8 + 2 + 5 * 12 + 8, bb.getUint32(8 + 2 + 5 * 12 + 8, true) + a.length, true);
    const joined = new Uint8Array(a.length + b.length - 8);
    joined.set(a);
    joined.set(new Uint8Array(bb.buffer).subarray(8), a.length);
    new DataView(joined.buffer).setUint32(8 + 2 + 9 * 12, a.length, true);
    writeFileSync(mixed, joined);
    const e = await openTiffPages(mixed).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as Error).message).toMatch(/page 1: got 3×2, expected 2×2 like page 0/);
  });
});

describe('HDF5 slice by slice', () => {
  it('writes a resizable dataset one slice at a time and reads it back one hyperslab at a time', async () => {
    const path = join(dir, 'v.h5');
    const w = await createHdf5Stack(path, '/exchange/data', W, H);
    for (const p of pages.slice(0, 4)) await w.append(p);
    await w.close();
    const r = await createHdf5Stack(path, '/exchange/data', W, H, true);
    expect(r.pages).toBe(4);
    for (const p of pages.slice(4)) await r.append(p);
    await r.close();
    const v = await openHdf5Volume(path);
    expect([v.width, v.height, v.depth, v.dataset]).toEqual([W, H, 6, '/exchange/data']);
    for (let k = 0; k < 6; k++) expect(await v.slice(k)).toEqual(pages[k]);
    v.close();
    await expect(openHdf5Volume(path, '/exchange/nope')).rejects.toThrow(/dataset \/exchange\/nope: missing dataset: got no such 2-D or 3-D dataset, expected one of: \/exchange\/data \[6×5×37\]/);
  });
});
