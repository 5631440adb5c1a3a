// SPDX-License-Identifier: MIT
// The TensorRT engine cache of the `tensorrt` provider: an engine is built once per (ONNX bytes, TensorRT version,
// platform, precision, optimisation-profile shapes) with NVIDIA's `trtexec`, and reused from disk afterwards, since a
// build takes minutes on a Jetson and a serialized engine only loads on the TensorRT version and GPU that built it.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { HostError } from 'anyml';
import { ONNX_INPUT } from 'anyml/tomogan';

/**
 * Engine precision. TensorRT's int8 wants symmetric (zero-point 0) scales, and anyml's QDQ export is asymmetric, so
 * the provider runs the float model at fp16 (default) or fp32; there is deliberately no 'int8'.
 */
export type TrtPrecision = 'fp16' | 'fp32';
export const TRT_PRECISIONS: readonly TrtPrecision[] = ['fp16', 'fp32'];

/** Optimisation-profile dims of ONNX_INPUT, NCHW (`--minShapes` / `--optShapes` / `--maxShapes`). */
export interface TrtShapes {
  min: readonly number[];
  opt: readonly number[];
  max: readonly number[];
}

export interface TrtVersion {
  /** The banner's token, e.g. 'v8502'. */
  raw: string;
  /** Major.minor.patch, e.g. '8.5.2'. */
  version: string;
}

/** Lines of output that a failure message quotes. */
const TAIL_LINES = 12;

interface ToolRun { code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; head: string[]; tail: string[]; error?: Error }

/** Runs `cmd args`, keeping the first and last TAIL_LINES lines of stdout + stderr and handing each line to `log`. */
function runTool(cmd: string, args: string[], timeoutMs: number, log?: (line: string) => void): Promise<ToolRun> {
  return new Promise((resolve) => {
    const head: string[] = [];
    const tail: string[] = [];
    let partial = '';
    let timedOut = false;
    const onData = (b: Buffer) => {
      const lines = (partial + b.toString('utf8')).split(/\r?\n/);
      partial = lines.pop()!;
      for (const l of lines) {
        log?.(l);
        if (head.length < TAIL_LINES) head.push(l);
        tail.push(l);
        if (tail.length > TAIL_LINES) tail.shift();
      }
    };
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let error: Error | undefined;
    child.on('error', (e) => (error = e));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (partial) {
        if (head.length < TAIL_LINES) head.push(partial);
        tail.push(partial);
      }
      resolve({ code, signal, timedOut, head, tail: tail.slice(-TAIL_LINES), ...(error ? { error } : {}) });
    });
  });
}

/** 'v8502' → '8.5.2' (NvInferVersion.h: M·1000 + m·100 + p before TensorRT 10, M·10000 + m·100 + p from 10). */
export function decodeTrtVersion(raw: string): string {
  const n = Number(raw.replace(/^v/, ''));
  const wide = raw.replace(/^v/, '').length >= 6;
  const major = Math.floor(n / (wide ? 10_000 : 1_000));
  const minor = Math.floor((n % (wide ? 10_000 : 1_000)) / 100);
  return `${major}.${minor}.${n % 100}`;
}

/** Runs `trtexec --help` and reads its banner `[TensorRT v8502]`; PROVIDER_UNAVAILABLE when it cannot. */
export async function trtexecVersion(trtexec: string, timeoutMs = 30_000): Promise<TrtVersion> {
  const r = await runTool(trtexec, ['--help'], timeoutMs);
  if (r.error) throw new HostError('PROVIDER_UNAVAILABLE', `tensorrt: cannot run ${trtexec} (${r.error.message}); install TensorRT (JetPack ships /usr/src/tensorrt/bin/trtexec) or set ANYML_TRTEXEC`);
  const m = /\[TensorRT (v\d{4,})\]/.exec([...r.head, ...r.tail].join('\n'));
  if (!m) throw new HostError('PROVIDER_UNAVAILABLE', `tensorrt: ${trtexec} --help printed no "[TensorRT vNNNN]" banner:\n${r.tail.join('\n')}`);
  return { raw: m[1], version: decodeTrtVersion(m[1]) };
}

const slug = (s: string) => s.trim().replace(/\0/g, '').replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-|-$/g, '');

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Jetson: '# R35 (release), REVISION: 3.1, …' → 'l4t-R35.3.1', plus the board from the device tree when present. */
function jetsonTag(root: string): string | undefined {
  const rel = readText(join(root, 'etc/nv_tegra_release'));
  const m = rel && /R(\d+)\s*\(release\),\s*REVISION:\s*([\d.]+)/.exec(rel);
  if (!m) return undefined;
  const model = readText(join(root, 'proc/device-tree/model'));
  return `l4t-R${m[1]}.${m[2]}${model ? `+${slug(model)}` : ''}`;
}

/**
 * Desktop/server: 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  …' → 'driver-535.104.05', plus the
 * GPU models from /proc/driver/nvidia/gpus/<bus>/information, since an engine is specific to the GPU that built it.
 */
function driverTag(root: string): string | undefined {
  const ver = readText(join(root, 'proc/driver/nvidia/version'));
  const m = ver && /Kernel Module\s+(\d+(?:\.\d+)+)/.exec(ver);
  if (!m) return undefined;
  let gpus: string[] = [];
  try {
    const dir = join(root, 'proc/driver/nvidia/gpus');
    gpus = readdirSync(dir).sort().map((bus) => /^Model:\s*(.+)$/m.exec(readText(join(dir, bus, 'information')) ?? '')?.[1]).filter((g): g is string => !!g).map(slug);
  } catch {
    // no per-GPU directory: the driver version alone
  }
  return `driver-${m[1]}${gpus.length ? `+${[...new Set(gpus)].join('+')}` : ''}`;
}

/** The platform an engine is tied to: 'l4t-R35.3.1…' (Jetson), 'driver-535.104.05…' (dGPU), or 'unknown'. */
export function platformTag(root = '/'): string {
  return jetsonTag(root) ?? driverTag(root) ?? 'unknown';
}

export interface EngineKeyInput {
  onnxSha256: string;
  /** The raw banner token ('v8502'). */
  trtVersion: string;
  platform: string;
  precision: TrtPrecision;
  shapes: TrtShapes;
}

/** The cache key: sha256 hex of a canonical JSON (fixed key order, shapes as plain arrays). */
export function engineKey(k: EngineKeyInput): string {
  const canonical = JSON.stringify([
    ['onnxSha256', k.onnxSha256], ['platform', k.platform], ['precision', k.precision],
    ['shapes', [['max', [...k.shapes.max]], ['min', [...k.shapes.min]], ['opt', [...k.shapes.opt]]]], ['trtVersion', k.trtVersion],
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** $XDG_CACHE_HOME/anyml/tensorrt, else ~/.cache/anyml/tensorrt. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'anyml', 'tensorrt');
}

/** $ANYML_TRTEXEC, else `trtexec` on PATH, else /usr/src/tensorrt/bin/trtexec (where JetPack installs it). */
export function defaultTrtexec(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ANYML_TRTEXEC) return env.ANYML_TRTEXEC;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const p = join(dir, 'trtexec');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return '/usr/src/tensorrt/bin/trtexec';
}

export interface EnsureEngineOptions {
  onnx: Uint8Array;
  precision: TrtPrecision;
  cacheDir: string;
  trtexec: string;
  shapes: TrtShapes;
  /** Root of the tree platformTag reads (tests pass a fake one). Default '/'. */
  platformRoot?: string;
  /** trtexec's output, line by line, and what the cache does. */
  log?: (line: string) => void;
  /** Milliseconds a build may take before it is killed. Default 30 minutes (a Jetson Nano takes several). */
  buildTimeoutMs?: number;
}

export interface EnsuredEngine {
  path: string;
  key: string;
  built: boolean;
}

/** The trtexec arguments for one build (input name ONNX_INPUT, dims joined by 'x'). */
export function trtexecArgs(onnxPath: string, enginePath: string, precision: TrtPrecision, shapes: TrtShapes): string[] {
  const dims = (d: readonly number[]) => `${ONNX_INPUT}:${d.join('x')}`;
  return [`--onnx=${onnxPath}`, `--saveEngine=${enginePath}`, ...(precision === 'fp16' ? ['--fp16'] : []),
    `--minShapes=${dims(shapes.min)}`, `--optShapes=${dims(shapes.opt)}`, `--maxShapes=${dims(shapes.max)}`];
}

/**
 * Returns the cached engine for these inputs, building it with trtexec on a miss. The build writes into a
 * private directory inside `cacheDir` and renames the finished engine into place (atomic on one file system), so a
 * failed or killed build leaves nothing under `<key>.engine`. Cache layout: `<cacheDir>/<key>.engine` and
 * `<cacheDir>/<key>.json` (what the key was made of, and when).
 * @throws HostError PROVIDER_UNAVAILABLE when trtexec is missing, fails, times out or writes no engine.
 */
export async function ensureEngine(o: EnsureEngineOptions): Promise<EnsuredEngine> {
  const onnxSha256 = createHash('sha256').update(o.onnx).digest('hex');
  const trt = await trtexecVersion(o.trtexec);
  const platform = platformTag(o.platformRoot);
  const key = engineKey({ onnxSha256, trtVersion: trt.raw, platform, precision: o.precision, shapes: o.shapes });
  const path = join(o.cacheDir, `${key}.engine`);
  if (existsSync(path)) {
    o.log?.(`tensorrt: engine cache hit ${path}`);
    return { path, key, built: false };
  }
  await mkdir(o.cacheDir, { recursive: true });
  const tmp = join(o.cacheDir, `.build-${key.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    const onnxPath = join(tmp, 'model.onnx');
    const tmpEngine = join(tmp, 'model.engine');
    await writeFile(onnxPath, o.onnx);
    const args = trtexecArgs(onnxPath, tmpEngine, o.precision, o.shapes);
    o.log?.(`tensorrt: building engine ${key} (TensorRT ${trt.version}, ${platform}, ${o.precision}): ${o.trtexec} ${args.join(' ')}`);
    const r = await runTool(o.trtexec, args, o.buildTimeoutMs ?? 30 * 60_000, o.log);
    const size = await stat(tmpEngine).then((s) => s.size, () => 0);
    const why = r.error ? `could not start (${r.error.message})` : r.timedOut ? 'timed out' : r.code !== 0 ? (r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`) : size === 0 ? 'wrote no engine' : undefined;
    if (why) throw new HostError('PROVIDER_UNAVAILABLE', `tensorrt: trtexec ${why} building the ${o.precision} engine:\n${r.tail.join('\n')}`);
    const meta = { key, onnxSha256, tensorrt: trt.version, tensorrtRaw: trt.raw, platform, precision: o.precision, shapes: o.shapes, inputName: ONNX_INPUT, built: new Date().toISOString() };
    await writeFile(join(tmp, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
    // The metadata lands first: an engine in place is always complete and described.
    await rename(join(tmp, 'meta.json'), join(o.cacheDir, `${key}.json`));
    await rename(tmpEngine, path);
    return { path, key, built: true };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
