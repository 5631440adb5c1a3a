// SPDX-License-Identifier: MIT
// The Edge TPU runtime and provider without an Edge TPU: a stand-in delegate (test/fixtures/host/edgetpu_standin.c,
// built here with gcc) that exports libedgetpu's plugin ABI, claims no nodes and logs what it was given, so TFLite's
// CPU kernels run the graph and every answer can be checked bit for bit. The real device: the gated describe at the end.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HostError, ProviderProcess, type ProviderProcessOptions } from '../../../native-host/supervisor.js';
import { AnymlError, InvalidInputError } from '../../../src/errors.js';
import { quantizeArray } from '../../../src/quant/reference.js';
import { writeTflite } from '../../../src/quant/tflite.js';
import { openTflite } from '../../../src/quant/tflite_c.js';
import { denoise } from '../../../src/tomogan/denoise.js';
import {
  checkEdgeTpuModel, createEdgeTpuRuntime, findEdgeTpuLibrary, parseEdgeTpuDevice, registerEdgeTpuRuntime,
} from '../../../src/tomogan/edge/edgetpu.js';
import { exportTflite } from '../../../src/tomogan/edge/export.js';
import { loadDefaultEdgeModel } from '../../../src/tomogan/edge/model_file.js';
import type { TomoganEdgeModel } from '../../../src/tomogan/edge/pipeline.js';
import { edgeRuntimes, registerEdgeRuntime } from '../../../src/tomogan/edge/runtimes.js';
import { invalid } from '../../helpers/errors.js';
import { calibrate, missingTflite, seededInput, smallGraph } from '../../helpers/quant.js';
import { randomImage } from '../../helpers/tomogan.js';
import { missingTool } from '../../helpers/tools.js';

const SOURCE = fileURLToPath(new URL('../../fixtures/host/edgetpu_standin.c', import.meta.url));
const worker = new URL('../../../dist/native-host/providers/edgetpu_worker.js', import.meta.url);
const skip = missingTool('/usr/bin/gcc', 'apt-get install gcc') ?? (await missingTflite());
let dir: string;
let standin: string;
let log: string;
let edge: TomoganEdgeModel;
let tileFile: string;
const procs: ProviderProcess[] = [];

const events = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []);
const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function rejection<T extends Error>(p: Promise<unknown>, type: new (...a: never[]) => T): Promise<T> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(type);
  return e as T;
}

function provider(env: Record<string, string>, logs: string[] = []): ProviderProcess {
  const opts: ProviderProcessOptions = { name: 'edgetpu', worker, env, maxStartFailures: 1, stopGraceMs: 500, onLog: (l) => logs.push(l) };
  const p = new ProviderProcess(opts);
  procs.push(p);
  return p;
}

describe('parseEdgeTpuDevice, findEdgeTpuLibrary', () => {
  it("accepts usb, usb:N, pci, pci:N and gives libedgetpu's device option", () => {
    expect(parseEdgeTpuDevice('usb')).toEqual({ type: 'usb', option: 'usb' });
    expect(parseEdgeTpuDevice('usb:0')).toEqual({ type: 'usb', index: 0, option: 'usb:0' });
    expect(parseEdgeTpuDevice('pci')).toEqual({ type: 'pci', option: 'pci' });
    expect(parseEdgeTpuDevice('pci:12')).toEqual({ type: 'pci', index: 12, option: 'pci:12' });
    expect(parseEdgeTpuDevice('usb:007').option).toBe('usb:7');
  });

  it('refuses anything else, naming the value and the accepted forms', () => {
    for (const bad of ['', 'USB', 'usb:', 'usb:-1', 'usb:1.5', 'pci:x', ' usb', 'usb:0:1', 'tpu', ':0', 'usb:99999999999999999999']) {
      const e = invalid(() => parseEdgeTpuDevice(bad));
      expect(e.message).toBe(`edgetpu device: got ${JSON.stringify(bad)}, expected usb, usb:N, pci or pci:N`);
    }
  });

  it('library: the explicit one, else $ANYML_EDGETPU_LIB, else the name the dynamic loader searches', () => {
    const saved = process.env.ANYML_EDGETPU_LIB;
    try {
      process.env.ANYML_EDGETPU_LIB = '/opt/env/libedgetpu.so.1';
      expect(findEdgeTpuLibrary('/x/libedgetpu.so.1')).toBe('/x/libedgetpu.so.1');
      expect(findEdgeTpuLibrary()).toBe('/opt/env/libedgetpu.so.1');
      delete process.env.ANYML_EDGETPU_LIB;
      expect(findEdgeTpuLibrary()).toBe(process.platform === 'darwin' ? 'libedgetpu.1.dylib' : process.platform === 'win32' ? 'edgetpu.dll' : 'libedgetpu.so.1');
    } finally {
      if (saved === undefined) delete process.env.ANYML_EDGETPU_LIB;
      else process.env.ANYML_EDGETPU_LIB = saved;
    }
  });
});

describe.skipIf(skip)('the stand-in delegate (TFLite external-delegate plugin ABI)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anyml-edgetpu-'));
    standin = join(dir, 'libedgetpu_standin.so');
    execFileSync('/usr/bin/gcc', ['-shared', '-fPIC', '-Wall', '-Werror', '-o', standin, SOURCE]);
    log = join(dir, 'standin.log');
    process.env.ANYML_STANDIN_LOG = log;
    edge = await loadDefaultEdgeModel();
    tileFile = join(dir, 'tomogan_64_int8.tflite');
    writeFileSync(tileFile, exportTflite(edge)); // what `anyml tomogan export x.tflite --int8` writes
  }, 60_000);
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    rmSync(log, { force: true });
  });
  afterAll(() => {
    delete process.env.ANYML_STANDIN_LOG;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('openTflite with the delegate: output byte-identical to without; created with device=usb:0, destroyed at close', async () => {
    const q = calibrate(smallGraph(), [seededInput(16, 16, 2, 1)], 16, 16);
    const file = writeTflite(q.graph, { height: 16, width: 16, quantized: q });
    const x = quantizeArray(seededInput(16, 16, 2, 2), q.params[q.graph.input]);
    const plain = await openTflite(file);
    const want = plain.run(x);
    plain.close();
    const it = await openTflite(file, { delegate: { library: standin, options: { device: 'usb:0' } } });
    expect(events()).toEqual(['create device=usb:0', 'prepare']); // TFLite applied it (its Prepare ran)
    const got = it.run(x);
    expect(got).toBeInstanceOf(Int8Array);
    expect(bytesOf(got).equals(bytesOf(want))).toBe(true);
    expect(new Set(got).size).toBeGreaterThan(4);
    it.close();
    expect(events()).toEqual(['create device=usb:0', 'prepare', 'destroy']);
  });

  it("device usb:7 (the stand-in's missing device) and a missing library are RUNTIME_UNAVAILABLE saying what is wrong", async () => {
    const file = exportTflite(edge);
    const e = await rejection(openTflite(file, { delegate: { library: standin, options: { device: 'usb:7' } } }), AnymlError);
    expect(e.code).toBe('RUNTIME_UNAVAILABLE');
    expect(e.message).toBe(`the TFLite delegate '${standin}' could not be created with device=usb:7: stand-in: no Edge TPU at usb:7 (no device matches device=usb:7, or it is in use or not accessible)`);
    expect(events()).toEqual(['create device=usb:7', 'refused usb:7']);
    const gone = join(dir, 'nope', 'libedgetpu.so.1');
    const e2 = await rejection(openTflite(file, { delegate: { library: gone } }), AnymlError);
    expect(e2.code).toBe('RUNTIME_UNAVAILABLE');
    expect(e2.message).toContain(`cannot load the TFLite delegate library '${gone}'`);
    expect(e2.message).toContain('install the Edge TPU runtime libedgetpu1-std');
  });

  it("createEdgeTpuRuntime on the tile export: denoise equals runtime 'tflite' bit for bit; compiledForEdgeTpu false", async () => {
    const rt = await createEdgeTpuRuntime({ edge, compiled: new Uint8Array(readFileSync(tileFile)), device: 'usb:0', library: standin });
    expect({ compiled: rt.compiledForEdgeTpu, device: rt.device, h: rt.height, w: rt.width, c: rt.channels }).toEqual({ compiled: false, device: 'usb:0', h: 64, w: 64, c: 1 });
    registerEdgeRuntime({ name: 'edgetpu-test', priority: -1, load: async () => rt });
    try {
      const image = randomImage(96, 80, 1, 5);
      const want = await denoise(image, { model: edge, runtime: 'tflite' });
      const got = await denoise(image, { model: edge, runtime: 'edgetpu-test' });
      expect(got.backend).toBe('edgetpu-test');
      expect(bytesOf(got.image.data).equals(bytesOf(want.image.data))).toBe(true);
      expect(events()).toEqual(['create device=usb:0', 'prepare']);
    } finally {
      edgeRuntimes.unregister('edgetpu-test');
      rt.close();
    }
    expect(events().at(-1)).toBe('destroy');
  });

  it('the tiles run from the compiled file: a file with a shifted output bias changes them, the fine-tune stays on the CPU', async () => {
    const q = edge.tomogan.quantized;
    const last = q.convs.length - 1;
    const shifted = { ...q, convs: q.convs.map((c, i) => (i === last && c ? { ...c, bias: c.bias.map((b) => b + 2 ** 20) } : c)) };
    const rt = await createEdgeTpuRuntime({ edge, compiled: writeTflite(q.graph, { height: 64, width: 64, quantized: shifted }), library: standin });
    try {
      const tiles = quantizeArray(seededInput(64, 64, 1, 9), q.params[q.graph.input]);
      const own = await edgeRuntimes.resolve('tflite', 'test');
      const ref = await own.impl.run(q, tiles, 1, 64, 64);
      expect(bytesOf(await rt.run(q, tiles, 1, 64, 64)).equals(bytesOf(ref))).toBe(false);
      expect(bytesOf(await rt.run(q, tiles, 1, 64, 64)).equals(bytesOf(await createAndRun(shifted, tiles)))).toBe(true);
      const ft = edge.finetune!.quantized;
      const codes = ref.slice();
      expect(bytesOf(await rt.run(ft, codes, 1, 64, 64)).equals(bytesOf(await own.impl.run(ft, codes, 1, 64, 64)))).toBe(true);
    } finally {
      rt.close();
    }
  });

  it('a compiled file that is not the edge model’s tile model is InvalidInputError naming its shape and the expected one', async () => {
    const compiled = (o: Parameters<typeof exportTflite>[1]) => exportTflite(edge, o);
    const e = invalid(() => checkEdgeTpuModel(edge, compiled({ inputShape: 32 })));
    expect(e.message).toMatch(/^edgetpu model: input: got INT8 1×32×32×1, expected INT8 1×64×64×1 \(the tile model of `anyml tomogan export x.tflite --int8`/);
    expect(invalid(() => checkEdgeTpuModel(edge, compiled({ quantized: false }))).got).toBe('FLOAT32 1×64×64×1');
    expect(invalid(() => checkEdgeTpuModel(edge, compiled({ network: 'finetune' }))).where).toBe('edgetpu model: output quantization');
    expect(invalid(() => checkEdgeTpuModel(edge, new Uint8Array(64))).where).toMatch(/^readTflite: edgetpu model/);
    await rejection(createEdgeTpuRuntime({ edge, compiled: compiled({ inputShape: [64, 32] }), library: standin }), InvalidInputError);
    expect(events()).toEqual([]); // refused before the delegate was created
  });

  it("registerEdgeTpuRuntime: 'edgetpu' with a negative priority that 'auto' never picks; unregister frees the delegate", async () => {
    const reg = registerEdgeTpuRuntime({ edge, compiled: exportTflite(edge), library: standin });
    try {
      expect({ device: reg.device, compiled: reg.compiledForEdgeTpu }).toEqual({ device: 'usb', compiled: false });
      expect(edgeRuntimes.names().at(-1)).toBe('edgetpu');
      expect((await edgeRuntimes.resolve('auto', 'test')).name).not.toBe('edgetpu');
      expect(events()).toEqual([]); // the delegate is created at the first use
      const r = await denoise(randomImage(64, 64, 1, 2), { model: edge, runtime: 'edgetpu' });
      expect(r.backend).toBe('edgetpu');
      expect(events()).toEqual(['create device=usb', 'prepare']);
    } finally {
      await reg.unregister();
    }
    expect(edgeRuntimes.names()).not.toContain('edgetpu');
    expect(events()).toEqual(['create device=usb', 'prepare', 'destroy']);
  });

  it('the edgetpu worker answers like the tflite runtime for a 96×80 image, and warns that the file is not compiled', async () => {
    const logs: string[] = [];
    const p = provider({ ANYML_EDGETPU_MODEL: tileFile, ANYML_EDGETPU_LIB: standin, ANYML_EDGETPU_DEVICE: 'usb:0', ANYML_STANDIN_LOG: log }, logs);
    await p.start();
    expect(logs.some((l) => l.includes(`warning: ${tileFile} has no edgetpu-custom-op`))).toBe(true);
    const image = randomImage(96, 80, 1, 7);
    const want = await denoise(image, { model: edge, runtime: 'tflite' });
    const got = await p.run({ id: 1, ...image, data: image.data.slice() });
    expect(got.backend).toBe('edgetpu:usb:0');
    expect(Object.keys(got.stages).sort()).toEqual(['finetune', 'model', 'stitch', 'total']);
    expect(got.stages.total).toBeGreaterThanOrEqual(got.stages.model);
    expect(bytesOf(got.data).equals(bytesOf(want.image.data))).toBe(true);
    expect(events()).toEqual(['create device=usb:0', 'prepare']);
  }, 60_000);

  it('start fails clearly without ANYML_EDGETPU_MODEL, with an unreadable one, and with a missing device', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /ANYML_EDGETPU_MODEL is not set \(expected the path of the edgetpu_compiler output/],
      [{ ANYML_EDGETPU_MODEL: join(dir, 'absent_edgetpu.tflite') }, /cannot read ANYML_EDGETPU_MODEL '.*absent_edgetpu\.tflite': ENOENT/],
      [{ ANYML_EDGETPU_MODEL: tileFile, ANYML_EDGETPU_DEVICE: 'usb:7' }, /could not be created with device=usb:7: stand-in: no Edge TPU at usb:7/],
      [{ ANYML_EDGETPU_MODEL: tileFile, ANYML_EDGETPU_DEVICE: 'tpu' }, /edgetpu device: got "tpu", expected usb, usb:N, pci or pci:N/],
    ];
    for (const [env, message] of cases) {
      const e = await rejection(provider({ ANYML_EDGETPU_MODEL: '', ANYML_EDGETPU_LIB: standin, ...env }).start(), HostError);
      expect(e.code).toBe('PROVIDER_UNAVAILABLE');
      expect(e.message).toMatch(message);
    }
  }, 120_000);

  it('ANYML_STANDIN_SEGV=1: the child dies by SIGSEGV inside create, start() rejects naming it, the host is unaffected', async () => {
    const p = provider({ ANYML_EDGETPU_MODEL: tileFile, ANYML_EDGETPU_LIB: standin, ANYML_STANDIN_SEGV: '1' });
    const e = await rejection(p.start(), HostError);
    expect(e.code).toBe('PROVIDER_UNAVAILABLE');
    expect(e.message).toMatch(/the worker was killed by SIGSEGV before it was ready/);
    expect(p.state).toBe('unavailable');
    // This process loaded the same stand-in and still uses it.
    const it = await openTflite(exportTflite(edge), { delegate: { library: standin, options: { device: 'usb' } } });
    expect(it.run(new Int8Array(64 * 64)).length).toBe(64 * 64);
    it.close();
  }, 60_000);
});

/** anyml's tflite runtime on `q` (a fresh one: its cache is keyed by graph object). */
async function createAndRun(q: TomoganEdgeModel['tomogan']['quantized'], tiles: Int8Array): Promise<Int8Array> {
  const it = await openTflite(writeTflite(q.graph, { height: 64, width: 64, quantized: q }));
  try {
    return it.run(tiles) as Int8Array;
  } finally {
    it.close();
  }
}

/** An Edge TPU on this machine: a PCIe/M.2 one (/dev/apex_0) or a USB Accelerator (18d1:9302 running, 1a6e:089a before its firmware loads). */
function edgeTpuPresent(): string | null {
  if (existsSync('/dev/apex_0')) return '/dev/apex_0';
  const root = '/sys/bus/usb/devices';
  const read = (d: string, f: string) => (existsSync(join(root, d, f)) ? readFileSync(join(root, d, f), 'utf8').trim() : '');
  const ids = existsSync(root) ? readdirSync(root).map((d) => `${read(d, 'idVendor')}:${read(d, 'idProduct')}`) : [];
  return ids.find((id) => id === '18d1:9302' || id === '1a6e:089a') ?? null;
}

async function libedgetpuLoads(): Promise<boolean> {
  try {
    const k = (await import('koffi')) as unknown as { default?: { load(p: string): unknown }; load(p: string): unknown };
    (k.default ?? k).load('libedgetpu.so.1');
    return true;
  } catch {
    return false;
  }
}

const device = edgeTpuPresent();
const hwModel = process.env.ANYML_TEST_EDGETPU_MODEL;
const hwReason = skip ?? (!device ? 'no Edge TPU (/dev/apex_0, or USB 18d1:9302 / 1a6e:089a under /sys/bus/usb/devices)'
  : !(await libedgetpuLoads()) ? 'libedgetpu.so.1 does not load (install libedgetpu1-std)'
  : !hwModel ? 'ANYML_TEST_EDGETPU_MODEL is not set (the edgetpu_compiler output of `anyml tomogan export x.tflite --int8`)' : null);
if (hwReason)
  console.warn(`skipping the Edge TPU hardware tests: ${hwReason}. Verified without it, with a stand-in delegate: the plugin ABI ` +
    '(create with device=…, destroy after close, NULL → RUNTIME_UNAVAILABLE with its report_error message), bit-identical ' +
    "output to runtime 'tflite' in process and through the edgetpu worker, the compiled-file checks, and a SIGSEGV in create " +
    'failing only the child.');

describe.skipIf(hwReason !== null)('on a real Edge TPU (ANYML_TEST_EDGETPU_MODEL)', () => {
  it('the compiled file has the Edge TPU op, and the worker denoises close to the CPU int8 result', async () => {
    const model = edge ?? (await loadDefaultEdgeModel());
    expect(checkEdgeTpuModel(model, new Uint8Array(readFileSync(hwModel!))).compiledForEdgeTpu).toBe(true);
    const p = provider({ ANYML_EDGETPU_MODEL: hwModel!, ANYML_EDGETPU_DEVICE: device === '/dev/apex_0' ? 'pci' : 'usb' });
    await p.start();
    const image = randomImage(96, 80, 1, 7);
    const want = await denoise(image, { model, runtime: 'tflite' });
    const got = await p.run({ id: 1, ...image, data: image.data.slice() });
    let sum = 0;
    for (let i = 0; i < got.data.length; i++) sum += Math.abs(got.data[i] - want.image.data[i]);
    expect(sum / got.data.length).toBeLessThan(1); // on the 0…255 scale: the TPU's int8 arithmetic may differ by an LSB
    await p.stop();
  }, 120_000);
});
