// SPDX-License-Identifier: MIT
// TIFF for image I/O: decoding (utif2: uint8/16, float32/64, multi-page stacks) and a float32 multi-page writer of our
// own (utif2 only encodes 8-bit colour with a fixed 20 kB header, so it cannot write float32 stacks).

import UTIF from 'utif2';
import { InvalidInputError } from '../errors.js';
import type { Image } from '../types.js';
import { errText } from './errors.js';

type UtifIfd = UTIF.IFD & { isLE?: boolean };

function tag(ifd: UtifIfd, t: number): number | undefined {
  const v = ifd[`t${t}`] as number[] | undefined;
  return v === undefined ? undefined : Number(v[0]);
}

type SampleKind = 'uint8' | 'uint16' | 'float32' | 'float64';

/** The file's IFDs parsed by utif2, after the header checks utif2 does not make (it reads past the end as zeros). */
function readIfds(bytes: Uint8Array, name: string): { ifds: UtifIfd[]; buf: ArrayBuffer; le: boolean } {
  if (bytes[2] === 0x2b || bytes[3] === 0x2b) throw new InvalidInputError(name, 'a BigTIFF file', 'a classic TIFF file', 'unsupported TIFF variant');
  const le = bytes[0] === 0x49;
  if (bytes.length < 8) throw new InvalidInputError(name, `${bytes.length} bytes`, 'at least an 8-byte TIFF header', 'truncated TIFF');
  const firstIfd = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, le);
  if (firstIfd + 2 > bytes.length) throw new InvalidInputError(name, `first IFD at byte ${firstIfd} of ${bytes.length}`, 'an IFD inside the file', 'truncated TIFF');
  // utif2 wraps its buffer at offset 0 (deflate strips are read through `.buffer`), so give it an exact copy.
  // `new Uint8Array(bytes)` copies even for a Node Buffer, whose slice() would share the pooled memory.
  const buf: ArrayBuffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : new Uint8Array(bytes).buffer;
  try {
    return { ifds: UTIF.decode(buf) as UtifIfd[], buf, le };
  } catch (err) {
    throw new InvalidInputError(name, `an unreadable TIFF (${errText(err)})`, 'a complete, valid TIFF file', 'corrupt or truncated TIFF');
  }
}

/** A page's sample kind, after checking it is grey with a predictor anyml decodes; throws naming the page. */
function sampleKind(ifd: UtifIfd, where: string): { kind: SampleKind; bps: number; photometric: number } {
  const spp = tag(ifd, 277) ?? 1;
  if (spp !== 1) throw new InvalidInputError(where, `${spp} samples per pixel`, '1 (a grey TIFF)', 'the image is not grey');
  const bps = tag(ifd, 258) ?? 1;
  const fmt = tag(ifd, 339) ?? 1;
  const photometric = tag(ifd, 262) ?? 1;
  if (photometric !== 1 && photometric !== 0) throw new InvalidInputError(where, `photometric interpretation ${photometric}`, '0 or 1 (grey)', 'the image is not grey');
  const kind = fmt === 1 && bps === 8 ? 'uint8' : fmt === 1 && bps === 16 ? 'uint16' : fmt === 3 && bps === 32 ? 'float32' : fmt === 3 && bps === 64 ? 'float64' : undefined;
  if (kind === undefined) {
    const fmtName = ({ 1: 'unsigned int', 2: 'signed int', 3: 'float', 4: 'undefined' } as Record<number, string>)[fmt] ?? `format ${fmt}`;
    throw new InvalidInputError(where, `${bps}-bit ${fmtName} samples`, 'uint8, uint16, float32 or float64 samples', 'unsupported TIFF sample format');
  }
  const predictor = tag(ifd, 317) ?? 1;
  if (predictor !== 1 && !(predictor === 2 && bps <= 16)) {
    throw new InvalidInputError(where, `predictor ${predictor} with ${bps}-bit samples`, 'no predictor, or horizontal differencing on 8/16-bit', 'unsupported TIFF predictor');
  }
  return { kind, bps, photometric };
}

/** Strips must lie inside the file: utif2 would otherwise fill the missing bytes with zeros. */
function checkStrips(ifd: UtifIfd, where: string, size: number): void {
  if (ifd['t322'] !== undefined) return; // tiled: utif2 checks tiles itself
  const offs = (ifd['t273'] as number[] | undefined) ?? [];
  const counts = (ifd['t279'] as number[] | undefined) ?? [];
  if (offs.length === 0) throw new InvalidInputError(where, 'no strip offsets', 'a StripOffsets tag', 'corrupt TIFF');
  for (let s = 0; s < offs.length; s++) {
    const end = offs[s] + (counts[s] ?? 0);
    if (end > size) throw new InvalidInputError(where, `strip ${s} ending at byte ${end} of ${size}`, 'strips inside the file', 'truncated TIFF');
  }
}

/** Decodes one page's pixels into `dst` (float32, the file's own units; WhiteIsZero inverted). */
function decodePage(buf: ArrayBuffer, ifd: UtifIfd, dst: Float32Array, fileLE: boolean, where: string, size: number): void {
  const { kind, bps, photometric } = sampleKind(ifd, where);
  checkStrips(ifd, where, size);
  try {
    UTIF.decodeImage(buf, ifd);
  } catch (err) {
    throw new InvalidInputError(where, `undecodable pixel data (${errText(err)})`, 'valid TIFF pixel data', 'corrupt TIFF');
  }
  const plane = dst.length;
  const bytesPer = bps / 8;
  const raw = ifd.data;
  if (!raw || raw.length < plane * bytesPer) throw new InvalidInputError(where, `${raw ? raw.length : 0} bytes of pixels`, `${plane * bytesPer} (${plane} pixels × ${bytesPer})`, 'truncated TIFF');
  const rv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  // utif2 swaps 16-bit samples to little-endian itself but leaves 32/64-bit samples in the file's byte order.
  if (kind === 'uint8') for (let i = 0; i < plane; i++) dst[i] = raw[i];
  else if (kind === 'uint16') for (let i = 0; i < plane; i++) dst[i] = rv.getUint16(2 * i, true);
  else if (kind === 'float32') for (let i = 0; i < plane; i++) dst[i] = rv.getFloat32(4 * i, fileLE);
  else for (let i = 0; i < plane; i++) dst[i] = rv.getFloat64(8 * i, fileLE);
  if (photometric === 0) {
    // WhiteIsZero: invert so that larger values are brighter, as for every other format.
    const max = kind === 'uint8' ? 255 : kind === 'uint16' ? 65535 : 1;
    for (let i = 0; i < plane; i++) dst[i] = max - dst[i];
  }
}

/** Decodes a grey TIFF (uint8/16, float32/64; a multi-page file is a stack: depth = pages) into float32. */
export function decodeTiffImage(bytes: Uint8Array, name: string): Image {
  const { ifds, buf, le } = readIfds(bytes, name);
  // Pages are the full-resolution images; NewSubfileType bit 0 marks thumbnails/reduced copies, which are skipped.
  const pages = ifds.filter((d) => d['t256'] !== undefined && ((tag(d, 254) ?? 0) & 1) === 0);
  if (pages.length === 0) throw new InvalidInputError(name, 'a TIFF with no image', 'at least one image page', 'empty TIFF');
  const width = tag(pages[0], 256)!;
  const height = tag(pages[0], 257) ?? 0;
  if (!(width > 0) || !(height > 0)) throw new InvalidInputError(name, `a ${width}×${height} TIFF page`, 'at least 1×1 pixels');
  const plane = width * height;
  const out = new Float32Array(plane * pages.length);
  pages.forEach((ifd, z) => {
    const where = pages.length > 1 ? `${name}: page ${z}` : name;
    const w = tag(ifd, 256), h = tag(ifd, 257);
    if (w !== width || h !== height) throw new InvalidInputError(where, `${w}×${h}`, `${width}×${height} like page 0 (all pages of a stack must match)`);
    decodePage(buf, ifd, out.subarray(z * plane, (z + 1) * plane), ifd.isLE ?? le, where, bytes.length);
  });
  return { width, height, depth: pages.length, data: out };
}

/**
 * Writes an uncompressed little-endian float32 TIFF, one page per slice, one strip per page. Written here rather
 * than with utif2 because utif2's encoder only writes RGBA8 images and lays IFDs out in a fixed 20 kB buffer
 * (about 140 pages); decoding still goes through utif2.
 */
export function encodeTiffFloat32(image: Image): Uint8Array {
  const { width, height, depth, data } = image;
  const entries = 11;
  const ifdSize = 2 + entries * 12 + 4 + 2; // +2 keeps every IFD on a word boundary
  const plane = width * height * 4;
  const dataStart = 8 + depth * ifdSize;
  const total = dataStart + depth * plane;
  if (total > 0xffffffff) throw new InvalidInputError('encodeImage', `${total} bytes`, 'under 4 GiB (classic TIFF offsets are 32-bit)', 'image too large for TIFF');
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out[0] = 0x49; out[1] = 0x49; dv.setUint16(2, 42, true); dv.setUint32(4, 8, true);
  for (let z = 0; z < depth; z++) {
    let p = 8 + z * ifdSize;
    dv.setUint16(p, entries, true); p += 2;
    // Tags in ascending order, as TIFF requires. Types: 3 = SHORT, 4 = LONG.
    const put = (t: number, type: 3 | 4, v: number): void => {
      dv.setUint16(p, t, true); dv.setUint16(p + 2, type, true); dv.setUint32(p + 4, 1, true);
      if (type === 3) dv.setUint16(p + 8, v, true); else dv.setUint32(p + 8, v, true);
      p += 12;
    };
    put(256, 4, width);
    put(257, 4, height);
    put(258, 3, 32); // BitsPerSample
    put(259, 3, 1); // Compression: none
    put(262, 3, 1); // Photometric: BlackIsZero
    put(273, 4, dataStart + z * plane); // StripOffsets
    put(277, 3, 1); // SamplesPerPixel
    put(278, 4, height); // RowsPerStrip
    put(279, 4, plane); // StripByteCounts
    put(284, 3, 1); // PlanarConfiguration: chunky
    put(339, 3, 3); // SampleFormat: IEEE float
    dv.setUint32(p, z + 1 < depth ? 8 + (z + 1) * ifdSize : 0, true);
  }
  for (let i = 0; i < data.length; i++) dv.setFloat32(dataStart + 4 * i, data[i], true);
  return out;
}
