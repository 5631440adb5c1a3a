// SPDX-License-Identifier: MIT
// The edge path from the command line: tomogan quantize writes an edge model and its report, tomogan export writes
// .tflite and QDQ .onnx files that checkEdgeTpu / readTflite accept, denoise --edge runs the shipped edge model and
// prints the stage times; bad input is refused before any work.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeImage } from '../../src/io/image.js';
import { checkEdgeTpu } from '../../src/quant/edgetpu.js';
import { readTflite } from '../../src/quant/tflite_read.js';
import { onnxNodeCounts } from '../../src/quant/onnx_qdq.js';
import { anyml } from './run_cli.js';

let dir: string;
let input: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anyml-edge-'));
  const w = 150;
  const h = 100; // not multiples of 64: the padding path runs
  const data = new Float32Array(w * h);
  for (let i = 0; i < data.length; i++) data[i] = 128 + 90 * Math.sin(i * 0.05) * Math.cos(i * 0.0031);
  input = join(dir, 'in.png');
  writeFileSync(input, await encodeImage({ width: w, height: h, depth: 1, data }, { format: 'png8' }));
});

describe('anyml denoise --edge', () => {
  it('runs the shipped int8 edge model on its own base weights (tomogan-sim-v1, not the default) and prints the stage times', () => {
    const out = join(dir, 'edge.npy');
    const r = anyml(['denoise', input, out, '--edge', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ width: 150, height: 100, edge: 'tomogan-sim-v1-edge', weights: 'tomogan-sim-v1', finetune: true, tiles: 6 });
    const st = r.json!.stages as Record<string, number>;
    for (const k of ['model', 'stitch', 'finetune', 'total']) expect(st[k]).toBeGreaterThanOrEqual(0);
    expect(st.total).toBeGreaterThanOrEqual(st.model + st.stitch);
    const plain = anyml(['denoise', input, join(dir, 'edge2.npy'), '--edge', '--runtime', 'reference', '--no-finetune']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/int8 edge, reference.*model \d+, stitch \d+, fine-tune \d+ ms \(6 tiles\)/);
  });

  it('refuses float-path flags with --edge and edge flags without it', () => {
    const out = join(dir, 'x.npy');
    expect(anyml(['denoise', input, out, '--edge', '--tile', '128']).stderr).toMatch(/--tile: got a value with --edge, expected nothing/);
    expect(anyml(['denoise', input, out, '--runtime', 'tflite']).stderr).toMatch(/--runtime: got a value without --edge, expected --edge/);
  });

  it('refuses an edge.json whose base is not shipped weights unless --weights names them', () => {
    const edge = join(dir, 'foreign-edge.json');
    writeFileSync(edge, JSON.stringify({ format: 'anyml-tomogan-edge', version: 1, tile: 64, depth: 1, base: 'lab/model.json' }));
    const r = anyml(['denoise', input, join(dir, 'y.npy'), '--edge', '--edge-model', edge]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--edge-model: .*foreign-edge\.json base: got "lab\/model\.json", expected the name of shipped weights, or --weights/);
  });
});

describe('anyml tomogan export', () => {
  it('writes the int8 .tflite that checkEdgeTpu passes, the float one it flags, and QDQ ONNX', () => {
    const int8 = join(dir, 'tomogan_int8.tflite');
    expect(anyml(['tomogan', 'export', int8, '--int8', '--json']).json).toMatchObject({ int8: true, network: 'tomogan', tile: 64 });
    const report = checkEdgeTpu(new Uint8Array(readFileSync(int8)));
    expect(report.issues).toEqual([]);
    expect(report.ok).toBe(true);
    const flt = join(dir, 'tomogan.tflite');
    expect(anyml(['tomogan', 'export', flt, '--tile', '128']).code).toBe(0);
    const m = readTflite(new Uint8Array(readFileSync(flt)));
    expect(m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]].shape).toEqual([1, 128, 128, 1]);
    expect(checkEdgeTpu(m).ok).toBe(false);
    const ft = join(dir, 'finetune_int8.tflite');
    expect(anyml(['tomogan', 'export', ft, '--int8', '--finetune', '--tile', '256']).code).toBe(0);
    expect(checkEdgeTpu(new Uint8Array(readFileSync(ft))).ok).toBe(true);
    const onnx = join(dir, 'tomogan_int8.onnx');
    expect(anyml(['tomogan', 'export', onnx, '--int8']).code).toBe(0);
    const ops = onnxNodeCounts(new Uint8Array(readFileSync(onnx)));
    expect(ops.get('Conv')).toBe(16);
    expect(ops.get('QuantizeLinear')).toBeGreaterThan(16);
  });

  it('refuses an unknown extension and a tile that breaks the pools', () => {
    expect(anyml(['tomogan', 'export', join(dir, 'x.pb')]).stderr).toMatch(/\.tflite|\.onnx/);
    expect(anyml(['tomogan', 'export', join(dir, 'x.tflite'), '--tile', '60']).stderr).toMatch(/--tile: got 60, expected a multiple of 8/);
  });
});

describe('anyml tomogan quantize', () => {
  it('writes edge.json and report.json; the edge model runs in denoise', { timeout: 300_000 }, () => {
    const out = join(dir, 'q');
    const r = anyml(['tomogan', 'quantize', '--out', out, '--calibration', '1', '--finetune-images', '1', '--finetune-steps', '3', '--report', '0', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ method: 'percentile', tile: 64, finetune: true, quality: [] });
    const edge = JSON.parse(readFileSync(join(out, 'edge.json'), 'utf8'));
    expect(edge).toMatchObject({ format: 'anyml-tomogan-edge', version: 1, tile: 64, base: 'tomogan-sim-v2' });
    expect(edge.tomogan.ranges).toHaveLength(26);
    const d = anyml(['denoise', input, join(dir, 'q.npy'), '--edge', '--edge-model', join(out, 'edge.json'), '--json']);
    expect(d.code).toBe(0);
  });

  it('refuses an empty calibration folder, a bad tile and a missing folder before any work', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    expect(anyml(['tomogan', 'quantize', '--out', join(dir, 'q2'), '--calibration', empty]).stderr).toMatch(/--calibration: got .*empty, a folder with no .png/);
    expect(anyml(['tomogan', 'quantize', '--out', join(dir, 'q2'), '--tile', '60']).stderr).toMatch(/--tile: got 60, expected a multiple of 8/);
    expect(anyml(['tomogan', 'quantize', '--out', join(dir, 'q2'), '--calibration', join(dir, 'nope')]).stderr).toMatch(/--calibration: got .*nope, expected a count of simulated slices or an existing folder/);
  });
});
