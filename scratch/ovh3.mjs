import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as a from 'anyml';
const bin = new URL('../bin/anyml.js', import.meta.url).pathname;
const env = { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'ovh3-')), ANYML_HOST_TEST_PROVIDER: '1' };
const size = 1024, reps = 9;
const data = Float32Array.from({ length: size * size }, (_, i) => (i * 37) % 251);
const image = { width: size, height: size, depth: 1, data };
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const host = spawn(process.execPath, [bin, 'host', '--port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
console.error('spawned');
const url = await new Promise((r) => host.stdout.once('data', (d) => r(JSON.parse(d.toString()).url)));
const { readFileSync } = await import('node:fs');
const token = readFileSync(join(env.XDG_CONFIG_HOME, 'anyml', 'host-token'), 'utf8').trim();
console.error('url', url, token.length);
const h = await a.connectHost({ url, token, timeoutMs: 5000 });
console.error('connected', JSON.stringify(h.providers));
setTimeout(() => { host.kill('SIGKILL'); process.exit(2); }, 100000).unref();
for (const provider of ['test', 'cpu', 'test', 'cpu']) {
  await h.infer(image, { provider });
  const xs = [], st = [];
  for (let r = 0; r < reps; r++) { const t = performance.now(); const res = await h.infer(image, { provider }); xs.push(performance.now() - t - res.stages.total); st.push(res.stages); }
  console.log(provider, median(xs).toFixed(1), 'ms |', xs.map((x) => x.toFixed(0)).join(' '), '|', JSON.stringify(st[4]));
}
h.close(); host.kill('SIGTERM'); setTimeout(() => process.exit(0), 500);
