// SPDX-License-Identifier: MIT
// Node only: page-wise TIFF reading with positional reads, so a stack of any size is read one page at a time
// (decodeTiffImage in src/io/tiff.ts decodes whole files). TIFF 6.0 Section 2 (file structure), Section 8 (IFD
// fields). Uncompressed grey pages: uint8, uint16, float32, float64.
import { type FileHandle, open } from 'node:fs/promises';
import { InvalidInputError } from '../errors.js';
import { osReason } from './files.js';

export type PageKind = 'uint8' | 'uint16' | 'float32' | 'float64';

/** One page's layout: where its strips are and how its samples are stored. */
export interface TiffPage {
  /** Byte offset of the page's IFD. */
  ifd: number;
  width: number;
  height: number;
  kind: PageKind;
  whiteIsZero: boolean;
  strips: { offset: number; count: number }[];
  /** The last byte (exclusive) of the IFD or of its strips, whichever is later. */
  end: number;
  /** Byte offset of the IFD's next-IFD link. */
  nextAt: number;
}

/** Bytes per value of the TIFF field types used here (TIFF 6.0 Section 2, "Types"). */
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 16: 8 };

export async function readAt(fh: FileHandle, pos: number, n: number, name: string): Promise<Buffer> {
  const buf = Buffer.alloc(n);
  const { bytesRead } = await fh.read(buf, 0, n, pos);
  if (bytesRead < n) throw new InvalidInputError(name, `${bytesRead} bytes at byte ${pos}`, `${n} bytes (the TIFF structure points past the end)`, 'truncated TIFF');
  return buf;
}

interface Ifd {
  tags: Map<number, { type: number; count: number; at: number; inline: Buffer | undefined }>;
  next: number;
  end: number;
}

async function readIfd(fh: FileHandle, off: number, le: boolean, name: string): Promise<Ifd> {
  const n = (await readAt(fh, off, 2, name))[le ? 'readUInt16LE' : 'readUInt16BE'](0);
  const body = await readAt(fh, off + 2, n * 12 + 4, name);
  const tags: Ifd['tags'] = new Map();
  for (let i = 0; i < n; i++) {
    const p = i * 12;
    const type = le ? body.readUInt16LE(p + 2) : body.readUInt16BE(p + 2);
    const count = le ? body.readUInt32LE(p + 4) : body.readUInt32BE(p + 4);
    const size = (TYPE_SIZE[type] ?? 1) * count;
    const at = le ? body.readUInt32LE(p + 8) : body.readUInt32BE(p + 8);
    tags.set(le ? body.readUInt16LE(p) : body.readUInt16BE(p), { type, count, at, inline: size <= 4 ? body.subarray(p + 8, p + 12) : undefined });
  }
  return { tags, next: le ? body.readUInt32LE(n * 12) : body.readUInt32BE(n * 12), end: off + 2 + n * 12 + 4 };
}

/** A SHORT or LONG field's values (read from the file when they do not fit in the entry). */
async function values(fh: FileHandle, ifd: Ifd, t: number, le: boolean, name: string): Promise<number[] | undefined> {
  const e = ifd.tags.get(t);
  if (!e) return undefined;
  const sz = e.type === 3 ? 2 : e.type === 4 ? 4 : e.type === 1 ? 1 : 0;
  if (sz === 0) throw new InvalidInputError(name, `tag ${t} of type ${e.type}`, 'a BYTE, SHORT or LONG field', 'corrupt TIFF');
  const buf = e.inline ?? (await readAt(fh, e.at, sz * e.count, name));
  const out: number[] = [];
  for (let i = 0; i < e.count; i++)
    out.push(sz === 1 ? buf[i] : sz === 2 ? (le ? buf.readUInt16LE(2 * i) : buf.readUInt16BE(2 * i)) : le ? buf.readUInt32LE(4 * i) : buf.readUInt32BE(4 * i));
  return out;
}

function pageKind(bps: number, fmt: number, where: string): PageKind {
  const kind = fmt === 1 && bps === 8 ? 'uint8' : fmt === 1 && bps === 16 ? 'uint16' : fmt === 3 && bps === 32 ? 'float32' : fmt === 3 && bps === 64 ? 'float64' : undefined;
  if (!kind) throw new InvalidInputError(where, `${bps}-bit samples of sample format ${fmt}`, 'uint8, uint16, float32 or float64 grey samples', 'unsupported TIFF sample format');
  return kind;
}

/** Reads and checks one IFD as a page; throws naming the page. */
async function readPage(fh: FileHandle, ifd: Ifd, off: number, le: boolean, where: string): Promise<TiffPage | undefined> {
  const v = async (t: number, dflt?: number) => (await values(fh, ifd, t, le, where))?.[0] ?? dflt;
  if (((await v(254, 0))! & 1) === 1) return undefined; // a reduced-resolution copy (NewSubfileType bit 0)
  const compression = (await v(259, 1))!;
  if (compression !== 1)
    throw new InvalidInputError(where, `compression ${compression}`, '1 (uncompressed; page-wise reading does not decompress — decompress the stack, e.g. tiffcp -c none)', 'compressed TIFF page');
  if (ifd.tags.has(322)) throw new InvalidInputError(where, 'a tiled page', 'strips', 'unsupported TIFF layout');
  const spp = (await v(277, 1))!;
  const photometric = (await v(262, 1))!;
  if (spp !== 1 || (photometric !== 0 && photometric !== 1)) throw new InvalidInputError(where, `${spp} samples, photometric ${photometric}`, 'one grey sample (photometric 0 or 1)', 'the image is not grey');
  if ((await v(317, 1)) !== 1) throw new InvalidInputError(where, `predictor ${await v(317)}`, 'no predictor', 'unsupported TIFF predictor');
  const width = (await v(256, 0))!;
  const height = (await v(257, 0))!;
  if (!(width > 0 && height > 0)) throw new InvalidInputError(where, `a ${width}×${height} page`, 'at least 1×1 pixels');
  const kind = pageKind((await v(258, 1))!, (await v(339, 1))!, where);
  const offs = (await values(fh, ifd, 273, le, where)) ?? [];
  const counts = (await values(fh, ifd, 279, le, where)) ?? [];
  if (offs.length === 0 || counts.length !== offs.length) throw new InvalidInputError(where, `${offs.length} strip offsets, ${counts.length} byte counts`, 'one byte count per strip', 'corrupt TIFF');
  const strips = offs.map((offset, i) => ({ offset, count: counts[i] }));
  const end = Math.max(ifd.end, ...strips.map((s) => s.offset + s.count));
  return { ifd: off, width, height, kind, whiteIsZero: photometric === 0, strips, end, nextAt: ifd.end - 4 };
}

/** A TIFF opened for page-wise reading: the pages' layout, and `page(k)` reading one page's pixels. */
export interface TiffPages {
  readonly name: string;
  readonly littleEndian: boolean;
  readonly pages: readonly TiffPage[];
  readonly size: number;
  page(k: number): Promise<Float32Array>;
  close(): Promise<void>;
}

/** Opens `path` and walks its IFD chain; every page is checked (and must match page 0's size) before any is read. */
export async function openTiffPages(path: string): Promise<TiffPages> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new InvalidInputError(path, `an unreadable file (${osReason(err)})`, 'a readable TIFF file', 'cannot read image');
  }
  try {
    return await walk(fh, path);
  } catch (err) {
    await fh.close();
    throw err;
  }
}

async function walk(fh: FileHandle, name: string): Promise<TiffPages> {
  const size = (await fh.stat()).size;
  const head = await readAt(fh, 0, 8, name);
  const le = head[0] === 0x49 && head[1] === 0x49;
  if (!le && !(head[0] === 0x4d && head[1] === 0x4d)) throw new InvalidInputError(name, 'no TIFF byte-order mark', "'II' or 'MM'", 'not a TIFF file');
  const magic = le ? head.readUInt16LE(2) : head.readUInt16BE(2);
  if (magic !== 42) throw new InvalidInputError(name, magic === 43 ? 'a BigTIFF file' : `version ${magic}`, 'a classic TIFF file (42)', 'unsupported TIFF variant');
  const pages: TiffPage[] = [];
  const seen = new Set<number>();
  for (let off = le ? head.readUInt32LE(4) : head.readUInt32BE(4); off !== 0; ) {
    if (seen.has(off)) throw new InvalidInputError(name, `an IFD chain that loops back to byte ${off}`, 'a chain ending with offset 0', 'corrupt TIFF');
    seen.add(off);
    const ifd = await readIfd(fh, off, le, name);
    const where = `${name}: page ${pages.length}`;
    const p = await readPage(fh, ifd, off, le, where);
    if (p && pages.length && (p.width !== pages[0].width || p.height !== pages[0].height))
      throw new InvalidInputError(where, `${p.width}×${p.height}`, `${pages[0].width}×${pages[0].height} like page 0 (all pages of a stack must match)`);
    if (p && p.end > size) throw new InvalidInputError(where, `pixels ending at byte ${p.end} of ${size}`, 'strips inside the file', 'truncated TIFF');
    if (p) pages.push(p);
    off = ifd.next;
  }
  if (pages.length === 0) throw new InvalidInputError(name, 'a TIFF with no image', 'at least one image page', 'empty TIFF');
  return { name, littleEndian: le, pages, size, page: (k) => decodePage(fh, pages, k, le, name), close: () => fh.close() };
}

const BYTES: Record<PageKind, number> = { uint8: 1, uint16: 2, float32: 4, float64: 8 };

async function decodePage(fh: FileHandle, pages: readonly TiffPage[], k: number, le: boolean, name: string): Promise<Float32Array> {
  const p = pages[k];
  if (!p) throw new InvalidInputError(`${name}: page ${k}`, 'no such page', `a page in 0…${pages.length - 1}`);
  const n = p.width * p.height;
  const bytes = Buffer.alloc(n * BYTES[p.kind]);
  let at = 0;
  for (const s of p.strips) {
    const len = Math.min(s.count, bytes.length - at);
    if (len > 0) (await readAt(fh, s.offset, len, `${name}: page ${k}`)).copy(bytes, at);
    at += len;
  }
  if (at < bytes.length) throw new InvalidInputError(`${name}: page ${k}`, `${at} bytes of pixels`, `${bytes.length} (${n} pixels)`, 'truncated TIFF');
  const out = new Float32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (p.kind === 'uint8') out.set(bytes.subarray(0, n));
  else if (p.kind === 'uint16') for (let i = 0; i < n; i++) out[i] = dv.getUint16(2 * i, le);
  else if (p.kind === 'float32') for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, le);
  else for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i, le);
  if (p.whiteIsZero) {
    // As decodeTiffImage (src/io/tiff.ts): larger values are brighter for every format.
    const max = p.kind === 'uint8' ? 255 : p.kind === 'uint16' ? 65535 : 1;
    for (let i = 0; i < n; i++) out[i] = max - out[i];
  }
  return out;
}
