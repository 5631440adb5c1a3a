// SPDX-License-Identifier: MIT
// Node only: 3-D HDF5 datasets read and written one slice at a time with h5wasm's Node build, which opens real
// paths through Emscripten's NODERAWFS (no copy of the file in memory). A slice is one hyperslab [k, k+1) × H × W
// (HDF5 H5Sselect_hyperslab, via Dataset.slice / write_slice). Default dataset: /exchange/data (DXchange layout).
import { InvalidInputError } from '../errors.js';

type H5 = typeof import('h5wasm').default;
type H5File = InstanceType<H5['File']>;
type H5Dataset = InstanceType<H5['Dataset']>;

let h5Promise: Promise<H5> | undefined;

/** Loaded on first use, so that the CLI's other paths never load HDF5's wasm. */
function loadH5(): Promise<H5> {
  h5Promise ??= import('h5wasm/node').then(async (m) => {
    await m.default.ready;
    return m.default as unknown as H5;
  });
  return h5Promise;
}

/** The DXchange layout's projection/reconstruction dataset (DXchange, "Exchange" group). */
export const DEFAULT_DATASET = '/exchange/data';

export interface Hdf5Volume {
  readonly width: number;
  readonly height: number;
  readonly depth: number;
  /** The dataset's path in the file (with a leading /). */
  readonly dataset: string;
  slice(k: number): Promise<Float32Array>;
  close(): void;
}

function openFile(h5: H5, path: string, mode: 'r' | 'a' | 'w'): H5File {
  try {
    return new h5.File(path, mode);
  } catch (err) {
    throw new InvalidInputError(path, `a file HDF5 cannot open (${(err as Error).message ?? err})`, mode === 'r' ? 'a readable HDF5 file' : 'a writable path', 'cannot open HDF5');
  }
}

/** Every numeric dataset of 2 or 3 dimensions in the file, by path. */
function volumes(h5: H5, f: H5File): { path: string; ds: H5Dataset }[] {
  const out: { path: string; ds: H5Dataset }[] = [];
  for (const p of f.paths()) {
    const e = f.get(p);
    if (e instanceof h5.Dataset && (e.shape?.length === 3 || e.shape?.length === 2)) out.push({ path: `/${p.replace(/^\//, '')}`, ds: e });
  }
  return out;
}

/** The dataset to read: the one named, else /exchange/data, else the only 3-D dataset; errors list what is there. */
function findDataset(h5: H5, f: H5File, path: string, name: string | undefined): { path: string; ds: H5Dataset } {
  const all = volumes(h5, f);
  const listed = all.length ? all.map((v) => `${v.path} [${v.ds.shape!.join('×')}]`).join(', ') : 'no 2-D or 3-D datasets';
  const want = name ?? (all.some((v) => v.path === DEFAULT_DATASET) ? DEFAULT_DATASET : undefined);
  if (want !== undefined) {
    const hit = all.find((v) => v.path === `/${want.replace(/^\//, '')}`);
    if (!hit) throw new InvalidInputError(`${path}: dataset ${want}`, 'no such 2-D or 3-D dataset', `one of: ${listed}`, 'missing dataset');
    return hit;
  }
  const three = all.filter((v) => v.ds.shape!.length === 3);
  if (three.length !== 1) throw new InvalidInputError(`${path}: --dataset`, `${three.length} 3-D datasets and no ${DEFAULT_DATASET}`, `a dataset path, one of: ${listed}`, 'which dataset?');
  return three[0];
}

/** Opens a 2-D (one slice) or 3-D (slices × height × width) numeric dataset for slice-by-slice reading. */
export async function openHdf5Volume(path: string, dataset?: string): Promise<Hdf5Volume> {
  const h5 = await loadH5();
  const f = openFile(h5, path, 'r');
  try {
    const { path: dsPath, ds } = findDataset(h5, f, path, dataset);
    const meta = ds.metadata;
    if (meta.type !== 0 && meta.type !== 1) throw new InvalidInputError(`${path}: ${dsPath}`, `HDF5 type class ${meta.type}`, 'integer or float values');
    const shape = ds.shape!;
    const [depth, height, width] = shape.length === 3 ? shape : [1, shape[0], shape[1]];
    const slice = async (k: number): Promise<Float32Array> => {
      const v = ds.slice(shape.length === 3 ? [[k, k + 1], [], []] : [[], []]) as ArrayLike<number | bigint>;
      return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>, Number);
    };
    return { width, height, depth, dataset: dsPath, slice, close: () => void f.close() };
  } catch (err) {
    f.close();
    throw err;
  }
}

export interface Hdf5StackWriter {
  readonly pages: number;
  append(data: Float32Array): Promise<void>;
  close(): Promise<void>;
}

/**
 * Writes a float32 dataset slice by slice: chunked [1, height, width] and resizable along slices, so the dataset
 * always holds exactly the slices written; the file is flushed after each. `resume` reopens a partial file.
 */
export async function createHdf5Stack(path: string, dataset: string, width: number, height: number, resume = false): Promise<Hdf5StackWriter> {
  const h5 = await loadH5();
  const f = openFile(h5, path, resume ? 'a' : 'w');
  const name = dataset.replace(/^\//, '');
  let ds = f.get(name) as H5Dataset | null;
  if (resume && ds) {
    const s = ds.shape ?? [];
    if (!(ds instanceof h5.Dataset) || s.length !== 3 || s[1] !== height || s[2] !== width || ds.metadata.type !== 1) {
      f.close();
      throw new InvalidInputError(`${path}: ${dataset}`, `shape [${s.join('×')}]`, `float slices of ${height}×${width} (the partial output of this run)`, 'cannot resume');
    }
  }
  let pages = ds?.shape?.[0] ?? 0;
  const groups = name.split('/').slice(0, -1);
  for (let i = 1; i <= groups.length; i++) if (!f.get(groups.slice(0, i).join('/'))) f.create_group(groups.slice(0, i).join('/'));
  return {
    get pages() { return pages; },
    async append(data) {
      if (!ds) ds = f.create_dataset({ name, data, shape: [1, height, width], maxshape: [null, height, width], chunks: [1, height, width], dtype: '<f' });
      else {
        ds.resize([pages + 1, height, width]);
        ds.write_slice([[pages, pages + 1], [], []], data);
      }
      pages++;
      f.flush();
    },
    close: async () => void f.close(),
  };
}
