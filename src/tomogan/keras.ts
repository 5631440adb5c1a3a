// SPDX-License-Identifier: MIT
// Keras HDF5 checkpoint import for the TomoGAN generator (docs/tomogan.md "Generator").
import { InvalidInputError } from '../errors.js';
import { DECODER_WIDTHS, Generator, layerSpecs, type ConvWeights, type DecoderWidths } from './model.js';

export interface ImportKerasOptions {
  /** Label for the checkpoint in error messages (e.g. its file name). Default 'Keras checkpoint'. */
  name?: string;
}

/** The parts of h5wasm we use; typed loosely so that this module only loads h5wasm when called (lazy import). */
type H5 = typeof import('h5wasm').default;
type H5Group = InstanceType<H5['Group']>;
type H5Dataset = InstanceType<H5['Dataset']>;

let h5Promise: Promise<{ h5: H5; FS: { writeFile(p: string, d: Uint8Array): void; unlink(p: string): void } }> | undefined;

/** h5wasm's wasm module loads once; the import is dynamic so that users without HDF5 checkpoints never pay for it. */
function loadH5() {
  h5Promise ??= import('h5wasm').then(async (m) => {
    const h5 = m.default;
    const mod = await h5.ready;
    return { h5, FS: mod.FS as unknown as { writeFile(p: string, d: Uint8Array): void; unlink(p: string): void } };
  });
  return h5Promise;
}

/** HDF5 superblock signature; it sits at byte 0 or at 512·2ⁿ after a user block (HDF5 spec, "Format Signature"). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
function isHdf5(bytes: Uint8Array): boolean {
  for (let off = 0; off + 8 <= bytes.byteLength; off = off === 0 ? 512 : off * 2)
    if (SIGNATURE.every((b, i) => bytes[off + i] === b)) return true;
  return false;
}

/** h5py writes string lists as fixed-length byte strings (NUL-padded); h5wasm may also hand back a lone string. */
function stringList(v: unknown): string[] | undefined {
  if (v === null || v === undefined) return undefined;
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((s) => String(s).replace(/[\0 ]+$/, ''));
}

function attrStrings(obj: H5Group, attr: string): string[] | undefined {
  if (!(attr in obj.attrs)) return undefined;
  return stringList(obj.get_attribute(attr, true));
}

function isGroup(e: unknown, h5: H5): e is H5Group {
  return e instanceof h5.Group;
}

interface FoundLayer {
  /** Layer name in the checkpoint. */
  name: string;
  kernel: { shape: number[]; data: Float32Array };
  bias: { shape: number[]; data: Float32Array };
}

const fmt = (shape: readonly number[]) => `[${shape.join(',')}]`;

/**
 * Imports a TomoGAN generator from a Keras 2 / tf.keras HDF5 file: `generator.save(…h5)` (weights under
 * `model_weights/`, as tf2/main-gan.py L130–131 writes every 500 iterations) or `save_weights(…h5)` (weights at the
 * root). Conv layers are taken by their Keras auto-names conv2d … conv2d_15 when all are present, otherwise in
 * `layer_names` order (a renamed model, or one built after other models in the same Python session, whose auto-names
 * start past conv2d_15). Depth (1 or 3) and decoder widths (repo / paper) come from the kernel shapes; every shape is
 * checked against `layerSpecs`.
 */
export async function importKerasH5(bytes: Uint8Array, opts: ImportKerasOptions = {}): Promise<Generator> {
  const label = opts.name ?? 'Keras checkpoint';
  const where = `importKerasH5: ${label}`;
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0)
    throw new InvalidInputError(where, bytes instanceof Uint8Array ? 'empty bytes' : typeof bytes, 'the bytes of an HDF5 (.h5) file');
  // Checked here because HDF5 prints a long diagnostic stack to stderr before failing on a non-HDF5 file.
  if (!isHdf5(bytes)) throw new InvalidInputError(where, 'no HDF5 signature', 'an HDF5 (.h5) file as written by Keras model.save / save_weights');
  const { h5, FS } = await loadH5();
  // A unique in-memory path, so that concurrent imports do not overwrite each other's file.
  const path = `/anyml-keras-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.h5`;
  FS.writeFile(path, bytes);
  let file: InstanceType<H5['File']> | undefined;
  try {
    file = new h5.File(path, 'r');
    if (file.file_id < 0n) throw new InvalidInputError(where, 'a file HDF5 could not open', 'a readable HDF5 file');
    return buildGenerator(readLayers(file, h5, where), where);
  } finally {
    if (file && file.file_id >= 0n) file.close();
    FS.unlink(path);
  }
}

/** Reads every layer that has weights, in `layer_names` order. */
function readLayers(file: InstanceType<H5['File']>, h5: H5, where: string): FoundLayer[] {
  // model.save puts the weights in 'model_weights' (with layer_names there); save_weights puts them at the root.
  const mw = file.get('model_weights');
  const root: H5Group = isGroup(mw, h5) ? mw : file;
  let names = attrStrings(root, 'layer_names');
  if (!names) {
    // Without layer_names the only order left is the auto-name suffix; key order is alphabetical (conv2d_10 < conv2d_2).
    const keys = root.keys().filter((k) => isGroup(root.get(k), h5));
    if (!keys.every((k) => /^conv2d(_\d+)?$/.test(k)))
      throw new InvalidInputError(`${where}: ${root.path}`, `no 'layer_names' attribute and groups ${keys.slice(0, 20).join(', ')}`, "a Keras .h5 with 'layer_names' (model.save or save_weights)");
    names = keys.sort((a, b) => suffix(a) - suffix(b));
  }
  const layers: FoundLayer[] = [];
  for (const name of names) {
    const g = root.get(name);
    if (!isGroup(g, h5))
      throw new InvalidInputError(`${where}: layer '${name}'`, 'no group of that name', `a group ${root.path === '/' ? '' : root.path}/${name} (listed in layer_names)`);
    // Keras reads g[weight_name] for each entry of weight_names (hdf5_format.load_weights_from_hdf5_group).
    const wn = attrStrings(g, 'weight_names') ?? [];
    if (wn.length === 0) continue; // Input, MaxPooling2D, UpSampling2D, Concatenate carry no weights.
    const ds = wn.map((n) => {
      const d = g.get(n);
      if (!(d instanceof h5.Dataset)) throw new InvalidInputError(`${where}: layer '${name}'`, `no dataset '${n}'`, 'every weight listed in weight_names');
      return { n, d };
    });
    const kernel = ds.find(({ n, d }) => /kernel(:\d+)?$/.test(n) || d.shape?.length === 4);
    const bias = ds.find(({ n, d }) => /bias(:\d+)?$/.test(n) || d.shape?.length === 1);
    if (!kernel || !bias || ds.length !== 2)
      throw new InvalidInputError(`${where}: layer '${name}'`, `weights ${wn.join(', ')}`, 'a Conv2D with kernel:0 and bias:0 (TomoGAN has no other weighted layers)');
    layers.push({ name, kernel: readFloat(kernel.d, name, kernel.n, where), bias: readFloat(bias.d, name, bias.n, where) });
  }
  return layers;
}

function suffix(name: string): number {
  const m = /_(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}

function readFloat(d: H5Dataset, layer: string, wname: string, where: string): { shape: number[]; data: Float32Array } {
  const v = d.value;
  const shape = d.shape ?? [];
  // float64 checkpoints are narrowed to float32; float16 comes back as raw bytes from h5wasm and is refused.
  if (v instanceof Float32Array) return { shape, data: v };
  if (v instanceof Float64Array) return { shape, data: Float32Array.from(v) };
  throw new InvalidInputError(`${where}: layer '${layer}' weight '${wname}'`, `dtype ${JSON.stringify(d.dtype)}`, 'float32 or float64');
}

/** Maps the found conv layers onto layerSpecs, infers depth and widths, and checks every shape. */
function buildGenerator(found: FoundLayer[], where: string): Generator {
  const autoNames = layerSpecs({ depth: 1, widths: 'repo' }).map((s) => s.name);
  const byName = new Map(found.map((l) => [l.name, l]));
  const allAuto = autoNames.every((n) => byName.has(n));
  if (!allAuto && found.length !== autoNames.length) {
    const present = autoNames.filter((n) => byName.has(n));
    // When most auto-names are there, the useful message is which ones are missing.
    const missing = present.length > 0 ? `; missing ${autoNames.filter((n) => !byName.has(n)).join(', ')}` : '';
    throw new InvalidInputError(
      `${where}: conv layers`,
      `${found.length} (${found.map((l) => l.name).join(', ')})${missing}`,
      `${autoNames.length} Conv2D layers of the TomoGAN generator (conv2d … conv2d_15)`,
    );
  }
  const ordered = allAuto ? autoNames.map((n) => byName.get(n)!) : found;
  const depth = ordered[0].kernel.shape[2];
  if (depth !== 1 && depth !== 3)
    throw new InvalidInputError(`${where}: layer '${ordered[0].name}' kernel`, `shape ${fmt(ordered[0].kernel.shape)} (depth ${depth})`, 'input depth 1 or 3: [1,1,1,8] or [1,1,3,8]');
  // Row 9 (up1 a) is the first layer whose width differs between the two decoders.
  const d1 = ordered[8].kernel.shape[3];
  const widths = (Object.keys(DECODER_WIDTHS) as DecoderWidths[]).find((w) => DECODER_WIDTHS[w][0] === d1);
  if (!widths)
    throw new InvalidInputError(
      `${where}: layer '${ordered[8].name}' kernel`,
      `shape ${fmt(ordered[8].kernel.shape)}`,
      `[3,3,256,${DECODER_WIDTHS.repo[0]}] (repo widths) or [3,3,256,${DECODER_WIDTHS.paper[0]}] (paper widths)`,
    );
  const specs = layerSpecs({ depth, widths });
  const problems: string[] = [];
  const weights = new Map<string, ConvWeights>();
  specs.forEach((s, i) => {
    const l = ordered[i];
    const ek = [s.k, s.k, s.cin, s.cout];
    const tag = `'${l.name}'${l.name === s.name ? '' : ` (as ${s.name})`}, ${s.role}`;
    if (fmt(l.kernel.shape) !== fmt(ek)) problems.push(`${tag}: kernel ${fmt(l.kernel.shape)}, expected ${fmt(ek)}`);
    if (fmt(l.bias.shape) !== fmt([s.cout])) problems.push(`${tag}: bias ${fmt(l.bias.shape)}, expected [${s.cout}]`);
    weights.set(s.name, { kernel: l.kernel.data, bias: l.bias.data });
  });
  if (problems.length > 0)
    throw new InvalidInputError(`${where}: weight shapes`, problems.join('; '), `the TomoGAN generator (depth ${depth}, ${widths} widths)`);
  return new Generator({ depth, widths }, weights);
}
