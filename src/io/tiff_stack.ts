// SPDX-License-Identifier: MIT
// Node only: a float32 TIFF stack written page after page (classic TIFF 6.0, little-endian, one strip per page).
// Each append writes the page's pixels, then its IFD, and only then links it from the previous IFD (or the header),
// so a file cut at any point is a valid TIFF of the pages linked so far (plus unreferenced trailing bytes).
import { type FileHandle, open } from 'node:fs/promises';
import { endianness } from 'node:os';
import { InvalidInputError } from '../errors.js';
import { unwritable } from './atomic.js';
import { openTiffPages } from './tiff_pages.js';

const ENTRIES = 11;
const IFD_SIZE = 2 + ENTRIES * 12 + 4;

export interface TiffStackWriter {
  readonly width: number;
  readonly height: number;
  /** Pages in the file so far (including those found by `resume`). */
  readonly pages: number;
  append(data: Float32Array): Promise<void>;
  close(): Promise<void>;
}

/** The IFD of one page (the tags encodeTiffFloat32 in src/io/tiff.ts writes, in ascending order), next offset 0. */
function ifdBytes(width: number, height: number, dataAt: number): Buffer {
  const b = Buffer.alloc(IFD_SIZE);
  b.writeUInt16LE(ENTRIES, 0);
  let p = 2;
  const put = (t: number, type: 3 | 4, v: number): void => {
    b.writeUInt16LE(t, p); b.writeUInt16LE(type, p + 2); b.writeUInt32LE(1, p + 4);
    if (type === 3) b.writeUInt16LE(v, p + 8); else b.writeUInt32LE(v, p + 8);
    p += 12;
  };
  const plane = width * height * 4;
  put(256, 4, width); put(257, 4, height); put(258, 3, 32); put(259, 3, 1); put(262, 3, 1);
  put(273, 4, dataAt); put(277, 3, 1); put(278, 4, height); put(279, 4, plane); put(284, 3, 1); put(339, 3, 3);
  return b;
}

function pageBytes(data: Float32Array): Uint8Array {
  if (endianness() === 'LE') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const b = Buffer.alloc(data.byteLength);
  for (let i = 0; i < data.length; i++) b.writeFloatLE(data[i], 4 * i);
  return b;
}

/** State of an open stack: where the next page goes and which 4 bytes link to it. */
interface State { fh: FileHandle; end: number; link: number; pages: number }

function writer(path: string, width: number, height: number, s: State): TiffStackWriter {
  const plane = width * height * 4;
  return {
    width, height,
    get pages() { return s.pages; },
    async append(data) {
      if (data.length !== width * height) throw new InvalidInputError(`${path}: page ${s.pages}`, `${data.length} values`, `${width}×${height}`);
      const dataAt = s.end + (s.end & 1); // word boundary (TIFF 6.0 Section 2)
      const ifdAt = dataAt + plane + (plane & 1);
      if (ifdAt + IFD_SIZE > 0xffffffff) throw new InvalidInputError(path, `${ifdAt + IFD_SIZE} bytes`, 'under 4 GiB (classic TIFF offsets are 32-bit)', 'stack too large for TIFF');
      try {
        await s.fh.write(pageBytes(data), 0, plane, dataAt);
        await s.fh.write(ifdBytes(width, height, dataAt), 0, IFD_SIZE, ifdAt);
        const link = Buffer.alloc(4);
        link.writeUInt32LE(ifdAt, 0);
        await s.fh.write(link, 0, 4, s.link);
      } catch (err) {
        throw unwritable(path, err);
      }
      s.end = ifdAt + IFD_SIZE;
      s.link = ifdAt + 2 + ENTRIES * 12;
      s.pages++;
    },
    close: () => s.fh.close(),
  };
}

/** Creates (or truncates) `path` as an empty stack: a header whose first-IFD offset is patched by the first append. */
export async function createTiffStack(path: string, width: number, height: number): Promise<TiffStackWriter> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'w');
    const head = Buffer.from([0x49, 0x49, 42, 0, 0, 0, 0, 0]);
    await fh.write(head, 0, 8, 0);
  } catch (err) {
    throw unwritable(path, err);
  }
  return writer(path, width, height, { fh, end: 8, link: 4, pages: 0 });
}

/** Whether `path` is a stack cut before its first page was linked (a header with first-IFD offset 0). */
async function noPages(path: string): Promise<boolean> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return false;
  try {
    const b = Buffer.alloc(8);
    const { bytesRead } = await fh.read(b, 0, 8, 0);
    return bytesRead === 8 && b[0] === 0x49 && b[1] === 0x49 && b.readUInt32LE(4) === 0;
  } finally {
    await fh.close();
  }
}

/**
 * Reopens a stack this writer made (a partial file) to append to it: it must be little-endian float32 pages of
 * width × height; bytes past the last linked page (an append cut short) are dropped.
 */
export async function resumeTiffStack(path: string, width: number, height: number): Promise<TiffStackWriter> {
  if (await noPages(path)) return createTiffStack(path, width, height);
  const t = await openTiffPages(path);
  await t.close();
  const last = t.pages[t.pages.length - 1];
  const bad = t.pages.find((p) => p.kind !== 'float32' || p.width !== width || p.height !== height);
  if (!t.littleEndian || bad)
    throw new InvalidInputError(`${path}`, bad ? `a ${bad.width}×${bad.height} ${bad.kind} page` : 'a big-endian TIFF', `little-endian float32 pages of ${width}×${height} (the partial output of this run)`, 'cannot resume');
  let fh: FileHandle;
  try {
    fh = await open(path, 'r+');
    await fh.truncate(last.end);
  } catch (err) {
    throw unwritable(path, err);
  }
  return writer(path, width, height, { fh, end: last.end, link: last.nextAt, pages: t.pages.length });
}
