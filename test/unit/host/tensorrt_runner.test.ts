// SPDX-License-Identifier: MIT
// The TensorRT runner's frames (native-host/providers/trt_runner.py ↔ native-host/tensorrt/runner.ts), the backend's
// NHWC → NCHW batching, and the whole `tensorrt` worker under ProviderProcess, all without TensorRT: a stand-in
// trtexec and a stand-in runner (test/fixtures/host/) that answers 2 × channel 0. Then, gated on real TensorRT, the
// real engine against the default backend.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostError, ProviderProcess } from '../../../native-host/supervisor.js';
import { nhwcToNchw, tensorrtBackend, trtShapes } from '../../../native-host/tensorrt/backend.js';
import { defaultTrtexec } from '../../../native-host/tensorrt/engine_cache.js';
import { defaultRunnerScript, encodeRunnerFrame, startTrtRunner } from '../../../native-host/tensorrt/runner.js';
import { loadDefaultWeights } from '../../../src/tomogan/default_weights.js';
import { denoise } from '../../../src/tomogan/denoise.js';
import type { Generator } from '../../../src/tomogan/model.js';
import { missingTool } from '../../helpers/tools.js';
import { randomImage } from '../../helpers/tomogan.js';

const PY = '/usr/bin/python3';
const noPython = missingTool(PY, 'apt install python3');
const fixture = (f: string) => fileURLToPath(new URL(`../../fixtures/host/${f}`, import.meta.url));
const RUNNER_STANDIN = fixture('trt-runner-standin.py');
const worker = new URL('../../../dist/native-host/providers/tensorrt_worker.js', import.meta.url);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anyml-trt-run-'));
  writeFileSync(join(dir, 'fake.engine'), 'not a real engine');
});
afterAll(() => {
  delete process.env.ANYML_STANDIN_RUNNER_MODE;
  rmSync(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<HostError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(HostError);
  return e as HostError;
}

describe.skipIf(noPython)('trt_runner.py frames (plain python3, no TensorRT)', () => {
  it('read_frame reads a request runner.ts encoded; write_frame answers one runner.ts can decode', () => {
    const req = encodeRunnerFrame({ id: 7, shape: [1, 1, 1, 3], dtype: 'float32' }, new Uint8Array(Float32Array.from([1.5, -2, 3]).buffer));
    const code = [
      'import sys, struct', `sys.path.insert(0, ${JSON.stringify(join(defaultRunnerScript(), '..'))})`, 'from trt_runner import read_frame, write_frame',
      'h, p = read_frame(sys.stdin.buffer)', 'x = struct.unpack("<3f", p)',
      'write_frame(sys.stdout.buffer, {"id": h["id"], "shape": h["shape"], "got": [h["dtype"], h["bytes"]], "ms": 0.5}, struct.pack("<3f", *[v * 2 for v in x]))',
      'assert read_frame(sys.stdin.buffer) is None',
    ].join('\n');
    const r = spawnSync(PY, ['-c', code], { input: req });
    expect(r.stderr.toString()).toBe('');
    const out = r.stdout;
    const hl = out.readUInt32LE(0);
    const header = JSON.parse(out.subarray(4, 4 + hl).toString()) as Record<string, unknown>;
    expect(header).toEqual({ id: 7, shape: [1, 1, 1, 3], got: ['float32', 12], ms: 0.5, bytes: 12 });
    const payload = out.subarray(4 + hl);
    expect([0, 1, 2].map((i) => payload.readFloatLE(4 * i))).toEqual([3, -4, 6]);
  });
});

describe.skipIf(noPython)('startTrtRunner against the stand-in runner', () => {
  const start = (mode = '') => {
    process.env.ANYML_STANDIN_RUNNER_MODE = mode;
    return startTrtRunner({ engine: join(dir, 'fake.engine'), python: PY, script: RUNNER_STANDIN });
  };

  it('waits for ready, then answers queued calls one at a time with the right values; a bad request is INTERNAL', async () => {
    const r = await start();
    expect(r.info).toMatchObject({ ready: true, trt: 'standin', engine_bytes: 17 });
    const x = Float32Array.from({ length: 2 * 2 * 3 * 4 }, (_, i) => i - 5.25);
    const [a, b] = await Promise.all([r.infer(x, [2, 2, 3, 4]), r.infer(x.subarray(0, 12), [1, 1, 3, 4])]);
    expect(a.shape).toEqual([2, 1, 3, 4]);
    const ch0 = [...x.subarray(0, 12), ...x.subarray(24, 36)].map((v) => 2 * v);
    expect([...a.data]).toEqual(ch0);
    expect([...b.data]).toEqual([...x.subarray(0, 12)].map((v) => 2 * v));
    expect(a.ms).toBeGreaterThanOrEqual(0);
    const e = await rejection(r.infer(x, [1, 1, 3, 3]));
    expect(e.code).toBe('INTERNAL');
    expect(e.message).toMatch(/needs 36 bytes, got 192/);
    expect([...(await r.infer(Float32Array.from([4]), [1, 1, 1, 1])).data]).toEqual([8]);
    await r.close();
  });

  it('a runner that exits mid-job rejects that job and later ones with DEVICE_LOST, quoting its stderr', async () => {
    const r = await start('exit-after=1');
    const exits: string[] = [];
    r.onExit = (m) => exits.push(m);
    expect([...(await r.infer(Float32Array.from([1]), [1, 1, 1, 1])).data]).toEqual([2]);
    const e = await rejection(r.infer(Float32Array.from([1]), [1, 1, 1, 1]));
    expect(e.code).toBe('DEVICE_LOST');
    expect(e.message).toMatch(/exited with code 7[\s\S]*exiting mid-job/);
    expect((await rejection(r.infer(Float32Array.from([1]), [1, 1, 1, 1]))).code).toBe('DEVICE_LOST');
    expect(exits).toHaveLength(1);
  });

  it('a runner that reports missing TensorRT bindings fails to start with PROVIDER_UNAVAILABLE and its reason', async () => {
    const e = await rejection(start('no-trt'));
    expect(e.code).toBe('PROVIDER_UNAVAILABLE');
    expect(e.message).toMatch(/TensorRT Python bindings are missing/);
    // The real runner with no TensorRT installed here says the same kind of thing (or, with TensorRT, cannot load the fake engine).
    const real = await rejection(startTrtRunner({ engine: join(dir, 'fake.engine'), python: PY }));
    expect(real.message).toMatch(/TensorRT Python bindings are missing|cuda-python nor pycuda|deserialize/);
  });
});

describe('the runner script path', () => {
  it('the compiled dist/native-host/tensorrt/runner.js finds the copy the build puts beside it, equal to the source', () => {
    const dist = new URL('../../../dist/native-host/tensorrt/runner.js', import.meta.url).href;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(dist)}).then((m) => console.log(m.defaultRunnerScript()))`], { encoding: 'utf8' });
    const copy = fileURLToPath(new URL('../../../dist/native-host/providers/trt_runner.py', import.meta.url));
    expect(r.stdout.trim()).toBe(copy);
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(defaultRunnerScript(), 'utf8'));
  });
});

describe('the tensorrt backend (a fake runner)', () => {
  it('sends NCHW batches of at most maxBatch windows and returns n × th × tw', async () => {
    const calls: number[][] = [];
    const fake = {
      infer: async (x: Float32Array, shape: readonly number[]) => {
        calls.push([...shape]);
        const [n, c, h, w] = shape;
        const data = new Float32Array(n * h * w);
        for (let b = 0; b < n; b++) for (let p = 0; p < h * w; p++) data[b * h * w + p] = x[(b * c + 2) * h * w + p] * 10; // channel 2
        return { data, shape: [n, 1, h, w], ms: 0 };
      },
    };
    const [n, th, tw, d] = [3, 2, 4, 3];
    const nhwc = Float32Array.from({ length: n * th * tw * d }, (_, i) => i);
    const out = await tensorrtBackend(fake, d, 2).forward(undefined as unknown as Generator, nhwc, n, th, tw, {});
    expect(calls).toEqual([[2, 3, 2, 4], [1, 3, 2, 4]]);
    expect([...out]).toEqual(Array.from({ length: n * th * tw }, (_, i) => nhwc[i * d + 2] * 10));
    expect(nhwcToNchw(Float32Array.from([1, 2, 3, 4, 5, 6]), 1, 1, 2, 3)).toEqual(Float32Array.from([1, 4, 2, 5, 3, 6]));
    expect(trtShapes(1)).toEqual({ min: [1, 1, 8, 8], opt: [1, 1, 624, 624], max: [1, 1, 624, 624] });
  });
});

describe.skipIf(noPython)('the tensorrt worker under ProviderProcess, with the stand-ins', () => {
  const trtexec = () => {
    const p = join(dir, 'trtexec');
    writeFileSync(p, `#!/bin/sh\nexec "${process.execPath}" "${fixture('trtexec-standin.mjs')}" "$@"\n`, { mode: 0o755 });
    return p;
  };
  const provider = (env: Record<string, string>) => new ProviderProcess({
    name: 'tensorrt', worker, onLog: () => {}, stopGraceMs: 500, maxStartFailures: 1,
    env: { ANYML_TRTEXEC: trtexec(), ANYML_TENSORRT_CACHE: join(dir, 'cache'), ANYML_TENSORRT_PYTHON: PY, ANYML_TENSORRT_RUNNER: RUNNER_STANDIN, ANYML_STANDIN_LOG: join(dir, 'argv.log'), ANYML_STANDIN_RUNNER_MODE: '', ...env },
  });
  const builds = () => readFileSync(join(dir, 'argv.log'), 'utf8').trim().split('\n').filter((l) => !l.includes('--help'));

  it('builds the engine once, tiles through the runner (output = 2 × input exactly), and reuses the engine on restart', async () => {
    const image = randomImage(700, 90, 1, 3); // two 624-px windows across: tiles, halo and stitching all run
    for (const round of [1, 2]) {
      const p = provider({});
      const r = await p.run({ id: 1, width: 700, height: 90, depth: 1, data: image.data.slice(), options: { scale: 'none' } });
      expect(r.backend).toBe('tensorrt');
      expect(r.stages.total).toBeGreaterThanOrEqual(r.stages.model);
      expect(r.data).toEqual(image.data.map((v) => 2 * v));
      await p.stop();
      expect(builds()).toHaveLength(1); // round 2: a cache hit
      if (round === 1) expect(JSON.parse(builds()[0]) as string[]).toContain('--fp16');
    }
    const files = readdirSync(join(dir, 'cache')).sort();
    expect(files.map((f) => f.replace(/^[0-9a-f]{64}/, 'KEY'))).toEqual(['KEY.engine', 'KEY.json']);
  });

  it('a runner that dies mid-job is DEVICE_LOST; a bad precision fails the start naming fp16/fp32', async () => {
    const p = provider({ ANYML_STANDIN_RUNNER_MODE: 'exit-after=1' }); // the start's warm-up is request 1
    const e = await rejection(p.run({ id: 1, width: 8, height: 8, depth: 1, data: new Float32Array(64), options: { scale: 'none' } }));
    expect(e.code).toBe('DEVICE_LOST');
    await p.stop();
    const q = provider({ ANYML_TENSORRT_PRECISION: 'int8' });
    const f = await rejection(q.run({ id: 1, width: 8, height: 8, depth: 1, data: new Float32Array(64) }));
    expect(f.code).toBe('PROVIDER_UNAVAILABLE');
    expect(f.message).toMatch(/ANYML_TENSORRT_PRECISION="int8".*fp16, fp32/);
    await q.stop();
  });
});

/** Real TensorRT: trtexec found, and the Python bindings plus a CUDA binding import. */
function hardware(): string | null {
  const trtexec = defaultTrtexec();
  if (!existsSync(trtexec)) return `no trtexec (${trtexec}; set ANYML_TRTEXEC)`;
  const py = spawnSync('python3', ['-c', 'import tensorrt\ntry:\n  from cuda import cudart\nexcept ImportError:\n  import pycuda.driver'], { encoding: 'utf8' });
  return py.status === 0 ? null : `python3 cannot import tensorrt with cuda-python or pycuda (${py.stderr.trim().split('\n').pop()})`;
}
const noHardware = hardware();
if (noHardware)
  console.warn(`skipping the real TensorRT engine: ${noHardware}. Verified without it: trtexec banner parsing (8.x, 10.x), platform tags, ` +
    'cache keys, build/hit/rebuild with the exact trtexec flags, failed builds leaving the cache clean, the Python frame format, ' +
    'the runner protocol (values, queueing, DEVICE_LOST), NHWC → NCHW batching, and the worker end to end with stand-ins.');

describe.skipIf(!!noHardware)('tensorrt on real TensorRT (fp16)', () => {
  let model: Generator;
  beforeAll(async () => {
    model = await loadDefaultWeights();
  });
  afterAll(() => model?.dispose());

  // fp16 keeps 11 significant bits (a step of 0.125 at 128…255) through ~16 conv layers; TensorRT's fp16 kernels
  // accumulate in fp32. 2 % of the 0…255 range (5.1) bounds the worst pixel, 0.25 % (0.64) the mean.
  it('denoise through the engine matches the default backend within fp16 tolerance', { timeout: 40 * 60_000 }, async () => {
    const cache = mkdtempSync(join(tmpdir(), 'anyml-trt-real-'));
    const p = new ProviderProcess({ name: 'tensorrt', worker, startMs: 35 * 60_000, env: { ANYML_TENSORRT_CACHE: cache } });
    try {
      const image = randomImage(700, 640, 1, 11);
      const [ref, got] = await Promise.all([denoise(image, { model, scale: 'none' }), p.run({ id: 1, ...image, data: image.data.slice(), options: { scale: 'none' } })]);
      let max = 0;
      let sum = 0;
      for (let i = 0; i < got.data.length; i++) {
        const d = Math.abs(got.data[i] - ref.image.data[i]);
        max = Math.max(max, d);
        sum += d;
      }
      console.log(`tensorrt fp16 vs ${ref.backend}: max |Δ| ${max.toFixed(3)}, mean |Δ| ${(sum / got.data.length).toFixed(4)}, ${got.stages.model.toFixed(1)} ms`);
      expect(max).toBeLessThanOrEqual(0.02 * 255);
      expect(sum / got.data.length).toBeLessThanOrEqual(0.0025 * 255);
    } finally {
      await p.stop();
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
