#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Host overhead on loopback: a 1024² float32 image through `anyml host` (WebSocket, from Node) and through native
// messaging (--stdio, Chrome framing), round trip minus the provider's own time (its `stages.total`): framing,
// the socket or pipe, the scheduler and the IPC to the provider's child process. Providers: cpu and tflite.
// Usage: node bench/host/run.mjs [--size 1024] [--reps 5]   (needs a built dist/)
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const flag = (k, d) => (argv.includes(k) ? Number(argv[argv.indexOf(k) + 1]) : d);
const size = flag('--size', 1024);
const reps = flag('--reps', 5);
const bin = fileURLToPath(new URL('../../bin/anyml.js', import.meta.url));
const a = await import('anyml');
const env = { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'anyml-host-bench-')) };
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const data = Float32Array.from({ length: size * size }, (_, i) => (i * 37) % 251);
const image = { width: size, height: size, depth: 1, data };

const host = spawn(process.execPath, [bin, 'host', '--port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => host.stdout.once('data', (d) => resolve(JSON.parse(d.toString()).url)));
const pair = await new Promise((resolve) => {
  const p = spawn(process.execPath, [bin, 'host', 'pair', '--json'], { env });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  p.on('exit', () => resolve(JSON.parse(out)));
});
const h = await a.connectHost({ url, token: pair.token, timeoutMs: 5000 });
const rows = [];
for (const provider of h.providers.filter((p) => p.available).map((p) => p.name)) {
  await h.infer(image, { provider }); // warm-up: the child loads its model
  const over = [];
  const model = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    const res = await h.infer(image, { provider });
    over.push(performance.now() - t - res.stages.total);
    model.push(res.stages.total);
  }
  rows.push({ front: 'WebSocket (Node)', provider, overheadMs: median(over), modelMs: median(model) });
}
h.close();
host.kill('SIGTERM');

// Native messaging: the browser's side written by hand (4-byte length + JSON, base64 payload, < 1 MB chunks back).
const nm = spawn(process.execPath, [bin, 'host', '--stdio'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
const reader = new a.NativeMessageReader();
const queue = [];
let wake = () => {};
nm.stdout.on('data', (c) => (queue.push(...reader.push(new Uint8Array(c))), wake()));
const next = async () => {
  while (!queue.length) await new Promise((r) => (wake = r));
  return queue.shift();
};
nm.stdin.write(a.encodeNativeMessage({ type: 'hello', protocol: 1, client: 'bench', token: '' }));
await next();
const over = [];
for (let r = 0; r <= reps; r++) {
  const t = performance.now();
  const req = a.attachNativePayload({ type: 'infer', id: r + 1, provider: 'cpu', width: size, height: size, depth: 1, dtype: 'float32', payloadBytes: data.byteLength }, data);
  nm.stdin.write(a.encodeNativeMessage(req, 64 << 20));
  const asm = new a.NativeResultAssembler();
  let out;
  let header;
  do {
    const m = await next();
    if (m.type === 'result') header = m;
    out = asm.push(m);
  } while (!out);
  if (r > 0) over.push(performance.now() - t - header.stages.total);
}
rows.push({ front: 'native messaging (stdio)', provider: 'cpu', overheadMs: median(over) });
nm.stdin.end();

console.log(`host overhead, ${size}² float32, median of ${reps} (round trip − provider time):`);
for (const r of rows) console.log(`${r.front} | ${r.provider} | ${r.overheadMs.toFixed(1)} ms${r.modelMs ? ` | provider ${r.modelMs.toFixed(0)} ms` : ''}`);
