// SPDX-License-Identifier: MIT
// The TensorRT engine cache (native-host/tensorrt/engine_cache.ts) with no TensorRT: a stand-in trtexec
// (test/fixtures/host/trtexec-standin.mjs, behind a sh wrapper written here) that logs its argv and writes a small
// "engine"; platform tags from fake /etc and /proc trees. The runner, the backend and the worker: tensorrt_runner.test.ts.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostError } from '../../../native-host/supervisor.js';
import {
  decodeTrtVersion, defaultCacheDir, defaultTrtexec, engineKey, ensureEngine, type EnsureEngineOptions, platformTag, trtexecVersion,
} from '../../../native-host/tensorrt/engine_cache.js';

const STANDIN = fileURLToPath(new URL('../../fixtures/host/trtexec-standin.mjs', import.meta.url));
let dir: string;
let trtexec: string;
let log: string;
const saved = { ...process.env };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'anyml-trt-'));
  trtexec = join(dir, 'trtexec');
  writeFileSync(trtexec, `#!/bin/sh\nexec "${process.execPath}" "${STANDIN}" "$@"\n`, { mode: 0o755 });
  log = join(dir, 'argv.log');
  process.env.ANYML_STANDIN_LOG = log;
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('ANYML_STANDIN_')) delete process.env[k];
  Object.assign(process.env, saved);
  rmSync(dir, { recursive: true, force: true });
});

/** The stand-in's invocations so far, minus the `--help` version probes. */
const builds = (): string[][] => (readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[])).filter((a) => !a.includes('--help'));

async function rejection(p: Promise<unknown>): Promise<HostError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(HostError);
  return e as HostError;
}

/** A fake file tree under `dir`/`name`: { 'etc/nv_tegra_release': '…' }. */
function tree(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

describe('trtexecVersion', () => {
  it('reads the banner of TensorRT 8 (v8601 → 8.6.1) and 10 (v100300 → 10.3.0) from the head of long help', async () => {
    expect(await trtexecVersion(trtexec)).toEqual({ raw: 'v8601', version: '8.6.1' });
    process.env.ANYML_STANDIN_VERSION = 'v100300';
    expect(await trtexecVersion(trtexec)).toEqual({ raw: 'v100300', version: '10.3.0' });
    expect(decodeTrtVersion('v8502')).toBe('8.5.2');
    expect(decodeTrtVersion('v8205')).toBe('8.2.5');
    expect(decodeTrtVersion('v101201')).toBe('10.12.1');
  });

  it('a missing trtexec or one without a banner is PROVIDER_UNAVAILABLE naming ANYML_TRTEXEC', async () => {
    const e = await rejection(trtexecVersion(join(dir, 'nope')));
    expect(e.code).toBe('PROVIDER_UNAVAILABLE');
    expect(e.message).toMatch(/nope.*ANYML_TRTEXEC/s);
    const e2 = await rejection(trtexecVersion('/bin/true'));
    expect(e2.message).toMatch(/no "\[TensorRT vNNNN\]" banner/);
  });

  it('defaults: $ANYML_TRTEXEC, else trtexec on PATH, else JetPack’s path; the cache under $XDG_CACHE_HOME or ~/.cache', () => {
    expect(defaultTrtexec({ ANYML_TRTEXEC: '/opt/x/trtexec', PATH: dir })).toBe('/opt/x/trtexec');
    expect(defaultTrtexec({ PATH: `/nonexistent:${dir}` })).toBe(trtexec);
    expect(defaultTrtexec({ PATH: '/nonexistent' })).toBe('/usr/src/tensorrt/bin/trtexec');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/anyml/tensorrt');
    expect(defaultCacheDir({})).toMatch(/\.cache\/anyml\/tensorrt$/);
  });
});

describe('platformTag', () => {
  it('Jetson: L4T release from /etc/nv_tegra_release, plus the device-tree board when present', () => {
    const rel = '# R35 (release), REVISION: 3.1, GCID: 32827747, BOARD: t186ref, EABI: aarch64, DATE: Sun Mar 19 15:19:21 UTC 2023\n';
    expect(platformTag(tree('j1', { 'etc/nv_tegra_release': rel }))).toBe('l4t-R35.3.1');
    expect(platformTag(tree('j2', { 'etc/nv_tegra_release': rel, 'proc/device-tree/model': 'NVIDIA Jetson AGX Orin Developer Kit\0' })))
      .toBe('l4t-R35.3.1+NVIDIA-Jetson-AGX-Orin-Developer-Kit');
  });

  it('desktop: the driver version from /proc/driver/nvidia/version, plus each GPU model; neither file: unknown', () => {
    const ver = 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\nGCC version:  gcc version 12.2.0\n';
    expect(platformTag(tree('d1', { 'proc/driver/nvidia/version': ver }))).toBe('driver-535.104.05');
    const gpu = (m: string) => `Model: \t\t ${m}\nIRQ:   \t\t 130\nGPU UUID: \t GPU-1\n`;
    expect(platformTag(tree('d2', {
      'proc/driver/nvidia/version': ver, 'proc/driver/nvidia/gpus/0000:01:00.0/information': gpu('NVIDIA GeForce RTX 4090'),
      'proc/driver/nvidia/gpus/0000:02:00.0/information': gpu('NVIDIA GeForce RTX 4090'),
    }))).toBe('driver-535.104.05+NVIDIA-GeForce-RTX-4090');
    expect(platformTag(tree('none', { 'etc/os-release': 'ID=debian\n' }))).toBe('unknown');
  });
});

describe('engineKey', () => {
  const base = { onnxSha256: 'a'.repeat(64), trtVersion: 'v8601', platform: 'l4t-R35.3.1', precision: 'fp16' as const, shapes: { min: [1, 1, 8, 8], opt: [1, 1, 624, 624], max: [1, 1, 624, 624] } };
  it('is a sha256 hex that changes with each input and not with key order or array identity', () => {
    const k = engineKey(base);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(engineKey({ shapes: { max: [1, 1, 624, 624], opt: [1, 1, 624, 624], min: [1, 1, 8, 8] }, precision: 'fp16', platform: 'l4t-R35.3.1', trtVersion: 'v8601', onnxSha256: 'a'.repeat(64) })).toBe(k);
    const changed = [
      { ...base, onnxSha256: 'b'.repeat(64) }, { ...base, trtVersion: 'v8602' }, { ...base, platform: 'l4t-R36.2.0' },
      { ...base, precision: 'fp32' as const }, { ...base, shapes: { ...base.shapes, max: [1, 1, 632, 624] } },
    ].map(engineKey);
    expect(new Set([k, ...changed]).size).toBe(6);
  });
});

describe('ensureEngine with the stand-in trtexec', () => {
  const shapes = { min: [1, 1, 8, 8], opt: [1, 1, 624, 624], max: [1, 1, 624, 624] };
  const opts = (over: Partial<EnsureEngineOptions> = {}): EnsureEngineOptions => ({
    onnx: new Uint8Array([1, 2, 3, 4]), precision: 'fp16', cacheDir: join(dir, 'cache'), trtexec, shapes, platformRoot: tree('plat', {}), ...over,
  });

  it('builds once with --fp16 and the three shape flags, then hits; new ONNX or fp32 rebuilds (fp32 without --fp16)', async () => {
    const first = await ensureEngine(opts());
    expect(first.built).toBe(true);
    expect(first.path).toBe(join(dir, 'cache', `${first.key}.engine`));
    expect(builds()).toHaveLength(1);
    const args = builds()[0];
    expect(args.filter((a) => !/^--(onnx|saveEngine)=/.test(a))).toEqual(['--fp16', '--minShapes=input:1x1x8x8', '--optShapes=input:1x1x624x624', '--maxShapes=input:1x1x624x624']);
    expect(args.some((a) => a.startsWith('--onnx=')) && args.some((a) => a.startsWith('--saveEngine='))).toBe(true);
    // The engine is the stand-in's: the ONNX bytes it was given, and the flags.
    const eng = JSON.parse(readFileSync(first.path, 'utf8')) as { onnxSha256: string; flags: string[] };
    expect(eng.onnxSha256).toBe('9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a'); // sha256 of 01 02 03 04
    const meta = JSON.parse(readFileSync(join(dir, 'cache', `${first.key}.json`), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ key: first.key, onnxSha256: eng.onnxSha256, tensorrt: '8.6.1', tensorrtRaw: 'v8601', platform: 'unknown', precision: 'fp16', shapes });
    expect(Date.now() - Date.parse(meta.built as string)).toBeLessThan(60_000);

    const hit = await ensureEngine(opts());
    expect(hit).toEqual({ path: first.path, key: first.key, built: false });
    expect(builds()).toHaveLength(1);

    const other = await ensureEngine(opts({ onnx: new Uint8Array([1, 2, 3, 5]) }));
    expect(other.built).toBe(true);
    expect(other.key).not.toBe(first.key);
    const fp32 = await ensureEngine(opts({ precision: 'fp32' }));
    expect(fp32.built).toBe(true);
    expect(builds()).toHaveLength(3);
    expect(builds()[2]).not.toContain('--fp16');
    expect(builds()[2]).toContain('--maxShapes=input:1x1x624x624');
    // A new TensorRT version is a new key too.
    process.env.ANYML_STANDIN_VERSION = 'v100300';
    expect((await ensureEngine(opts())).built).toBe(true);
    expect(readdirSync(join(dir, 'cache')).sort()).toHaveLength(8); // 4 engines + 4 metadata files, no temp left
  });

  it('a failing build is PROVIDER_UNAVAILABLE quoting trtexec, and leaves no engine, metadata or temp file', async () => {
    process.env.ANYML_STANDIN_FAIL = '1'; // the stand-in writes a partial engine, then exits 1
    const e = await rejection(ensureEngine(opts()));
    expect(e.code).toBe('PROVIDER_UNAVAILABLE');
    expect(e.fallback).toBe(true);
    expect(e.message).toMatch(/exited with code 1/);
    expect(e.message).toMatch(/stand-in failure: unsupported operator StandIn/);
    expect(readdirSync(join(dir, 'cache'))).toEqual([]);
    // The next attempt, with a working trtexec, builds.
    delete process.env.ANYML_STANDIN_FAIL;
    expect((await ensureEngine(opts())).built).toBe(true);
  });

  it('exit 0 without an engine, and a build past its timeout, fail the same way and leave the cache empty', async () => {
    process.env.ANYML_STANDIN_NO_ENGINE = '1';
    expect((await rejection(ensureEngine(opts()))).message).toMatch(/wrote no engine/);
    delete process.env.ANYML_STANDIN_NO_ENGINE;
    process.env.ANYML_STANDIN_HANG = '1';
    const t0 = Date.now();
    const e = await rejection(ensureEngine(opts({ buildTimeoutMs: 500 })));
    expect(e.message).toMatch(/timed out/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(readdirSync(join(dir, 'cache'))).toEqual([]);
  });
});
