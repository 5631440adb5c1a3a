// SPDX-License-Identifier: MIT
// Training checkpoints: read back from tensors, the generator they hold, and their file form (JSON + float32 buffer).
import { InvalidInputError } from '../../errors.js';
import { Generator, convWeightsFrom, layerSpecs } from '../model.js';
import type { TrainCheckpoint } from './types.js';

/** The generator stored in a checkpoint (its `g/…` tensors). */
export function generatorFromCheckpoint(c: TrainCheckpoint): Generator {
  const byName = new Map(c.tensors.map((t) => [t.name, t.values]));
  const copy = (n: string) => (byName.has(n) ? Float32Array.from(byName.get(n)!) : undefined);
  return new Generator({ depth: c.depth, widths: c.widths }, convWeightsFrom(layerSpecs({ depth: c.depth, widths: c.widths }), copy, 'checkpoint', 'g/'));
}

/** Serialises a checkpoint as JSON (everything but the arrays) + one little-endian float32 buffer. */
export function encodeCheckpoint(c: TrainCheckpoint): { json: string; bin: Uint8Array } {
  const total = c.tensors.reduce((n, t) => n + t.values.length, 0);
  const buf = new Float32Array(total);
  let off = 0;
  const manifest = c.tensors.map((t) => {
    buf.set(t.values, off);
    off += t.values.length;
    return { name: t.name, shape: t.shape };
  });
  return { json: JSON.stringify({ ...c, tensors: manifest }), bin: new Uint8Array(buf.buffer) };
}

/** Inverse of encodeCheckpoint; checks that the buffer holds exactly the manifest's values. */
export function decodeCheckpoint(json: string, bin: Uint8Array): TrainCheckpoint {
  const meta = JSON.parse(json) as Omit<TrainCheckpoint, 'tensors'> & { tensors: { name: string; shape: number[] }[] };
  if (meta?.format !== 'anyml-tomogan-train-checkpoint') throw new InvalidInputError('checkpoint.json: format', String(meta?.format), "'anyml-tomogan-train-checkpoint'");
  const total = meta.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  if (bin.byteLength !== 4 * total) throw new InvalidInputError('checkpoint.bin', `${bin.byteLength} bytes`, `${4 * total} bytes (the manifest's ${total} float32 values)`);
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  let off = 0;
  const tensors = meta.tensors.map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const values = all.subarray(off, off + n);
    off += n;
    return { name: t.name, shape: t.shape, values };
  });
  return { ...meta, tensors };
}

