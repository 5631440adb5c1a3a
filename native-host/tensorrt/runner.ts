// SPDX-License-Identifier: MIT
// The Node side of the TensorRT engine runner (native-host/providers/trt_runner.py): spawns it on one engine, waits
// for its ready frame, then sends one float32 tensor at a time over length-prefixed frames (4-byte little-endian
// header length, UTF-8 JSON header, raw little-endian payload) and resolves each answer.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HostError } from 'anyml';

export interface TrtRunnerOptions {
  /** The serialized engine (ensureEngine's `path`). */
  engine: string;
  /** The Python 3 interpreter. Default 'python3'. */
  python?: string;
  /** The runner script. Default: trt_runner.py, see {@link defaultRunnerScript}. */
  script?: string;
  /** Arguments before the script (e.g. ['-u']). */
  spawnArgs?: string[];
  /** Milliseconds to wait for the ready frame (deserializing an engine takes seconds). Default 120 000. */
  readyMs?: number;
  /** The runner's stderr, line by line. Default: dropped (kept for error messages). */
  onLog?: (line: string) => void;
}

export interface TrtRunResult {
  data: Float32Array;
  shape: number[];
  /** Milliseconds the runner spent (copy in, execute, copy out). */
  ms: number;
}

export interface TrtRunner {
  /** What the ready frame said (`trt`: the TensorRT version; `input` / `output`: the engine's tensor names). */
  readonly info: Record<string, unknown>;
  /** Runs one tensor; calls queue and run one at a time. Rejects with HostError DEVICE_LOST if the runner exits. */
  infer(input: Float32Array, shape: readonly number[]): Promise<TrtRunResult>;
  /** Called once if the runner exits while not being closed. */
  onExit?: (message: string) => void;
  close(): Promise<void>;
}

/**
 * trt_runner.py in this module's sibling providers/ directory: the build copies it to dist/native-host/providers/
 * (scripts/copy-host-assets.mjs), which is what the npm package ships.
 */
export function defaultRunnerScript(): string {
  return fileURLToPath(new URL('../providers/trt_runner.py', import.meta.url));
}

interface Frame { header: Record<string, unknown>; payload: Buffer }

/** Encodes one frame (header.bytes = payload length). */
export function encodeRunnerFrame(header: Record<string, unknown>, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const h = Buffer.from(JSON.stringify({ ...header, bytes: payload.byteLength }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(h.length, 0);
  return Buffer.concat([len, h, payload]);
}

/** Splits a byte stream into frames; `push` returns the frames completed by `chunk`. */
class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    for (;;) {
      if (this.buf.length < 4) return out;
      const hl = this.buf.readUInt32LE(0);
      if (this.buf.length < 4 + hl) return out;
      const header = JSON.parse(this.buf.subarray(4, 4 + hl).toString('utf8')) as Record<string, unknown>;
      const n = Number(header.bytes ?? 0);
      if (this.buf.length < 4 + hl + n) return out;
      out.push({ header, payload: Buffer.from(this.buf.subarray(4 + hl, 4 + hl + n)) });
      this.buf = this.buf.subarray(4 + hl + n);
    }
  }
}

interface Pending { id: number; resolve: (f: Frame) => void; reject: (e: Error) => void }

class Runner implements TrtRunner {
  info: Record<string, unknown> = {};
  onExit?: (message: string) => void;
  private readonly reader = new FrameReader();
  private readonly stderr: string[] = [];
  private pending: Pending | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private exited: string | undefined;
  private closing = false;
  private ready!: { resolve: () => void; reject: (e: Error) => void };
  readonly whenReady = new Promise<void>((resolve, reject) => (this.ready = { resolve, reject }));

  constructor(private readonly child: ChildProcess, onLog?: (line: string) => void) {
    this.whenReady.catch(() => {}); // a start that timed out still rejects this later
    child.stdout!.on('data', (b: Buffer) => this.onData(b));
    let partial = '';
    child.stderr!.on('data', (b: Buffer) => {
      const lines = (partial + b.toString('utf8')).split(/\r?\n/);
      partial = lines.pop()!;
      for (const l of lines) {
        onLog?.(l);
        this.stderr.push(l);
        if (this.stderr.length > 12) this.stderr.shift();
      }
    });
    child.stdin!.on('error', () => {}); // EPIPE after the runner died: reported by 'exit'
    child.on('error', (e) => this.onGone(`could not start (${e.message})`));
    // 'close', not 'exit': it comes after stdout has drained, so an error frame sent just before exiting is read.
    child.on('close', (code, signal) => this.onGone(signal ? `was killed by ${signal}` : `exited with code ${code}`));
  }

  private onData(b: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(b);
    } catch (e) {
      this.child.kill('SIGKILL');
      return this.onGone(`sent a malformed frame (${(e as Error).message})`);
    }
    for (const f of frames) {
      if (f.header.ready === true) {
        this.info = f.header;
        this.ready.resolve();
      } else if (f.header.id === undefined && typeof f.header.error === 'string') {
        this.ready.reject(new HostError('PROVIDER_UNAVAILABLE', `tensorrt runner: ${f.header.error}`));
      } else if (this.pending && f.header.id === this.pending.id) {
        const p = this.pending;
        this.pending = undefined;
        p.resolve(f);
      }
    }
  }

  private onGone(how: string): void {
    if (this.exited !== undefined) return;
    const tail = this.stderr.length ? `:\n${this.stderr.join('\n')}` : '';
    this.exited = `tensorrt runner ${how}${tail}`;
    this.ready.reject(new HostError('PROVIDER_UNAVAILABLE', `${this.exited} before it was ready`));
    this.pending?.reject(new HostError('DEVICE_LOST', this.exited));
    this.pending = undefined;
    if (!this.closing) this.onExit?.(this.exited);
  }

  infer(input: Float32Array, shape: readonly number[]): Promise<TrtRunResult> {
    const run = this.chain.then(() => this.send(input, shape));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async send(input: Float32Array, shape: readonly number[]): Promise<TrtRunResult> {
    if (this.exited !== undefined) throw new HostError('DEVICE_LOST', this.exited);
    const id = this.nextId++;
    const f = await new Promise<Frame>((resolve, reject) => {
      this.pending = { id, resolve, reject };
      const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
      this.child.stdin!.write(encodeRunnerFrame({ id, shape: [...shape], dtype: 'float32' }, bytes));
    });
    if (typeof f.header.error === 'string') throw new HostError('INTERNAL', `tensorrt runner: ${f.header.error}`);
    const oshape = (f.header.shape as number[]).map(Number);
    const count = oshape.reduce((a, b) => a * b, 1);
    if (count * 4 !== f.payload.length) throw new HostError('INTERNAL', `tensorrt runner: answer shape [${oshape}] with ${f.payload.length} bytes`);
    // A copy into a fresh, aligned buffer: the frame's payload may sit at any offset of a pooled Buffer.
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(f.payload);
    return { data, shape: oshape, ms: Number(f.header.ms ?? 0) };
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.exited !== undefined) return;
    const gone = new Promise<void>((r) => this.child.once('close', () => r()));
    this.child.stdin!.end(); // the runner ends at the end of its input
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
    await gone;
    clearTimeout(timer);
  }
}

/**
 * Starts the runner on `engine` and resolves once it has loaded it.
 * @throws HostError PROVIDER_UNAVAILABLE when it cannot start, says why not (TensorRT bindings or CUDA missing), or
 *   is not ready within `readyMs`.
 */
export async function startTrtRunner(o: TrtRunnerOptions): Promise<TrtRunner> {
  const script = o.script ?? defaultRunnerScript();
  const child = spawn(o.python ?? 'python3', [...(o.spawnArgs ?? []), script, '--engine', o.engine], { stdio: ['pipe', 'pipe', 'pipe'] });
  const r = new Runner(child, o.onLog);
  const readyMs = o.readyMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HostError('PROVIDER_UNAVAILABLE', `tensorrt runner: not ready after ${readyMs} ms`)), readyMs);
  });
  try {
    await Promise.race([r.whenReady, timeout]);
    return r;
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
