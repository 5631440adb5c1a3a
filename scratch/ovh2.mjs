import { startWsServer } from '../dist/native-host/ws_server.js';
import { ProviderProcess } from '../dist/native-host/supervisor.js';
import * as a from 'anyml';
const size = 1024, reps = 9;
const data = Float32Array.from({ length: size * size }, (_, i) => (i * 37) % 251);
const image = { width: size, height: size, depth: 1, data };
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const token = 'x'.repeat(43);
async function bench(label, d) {
  const s = await startWsServer(d, { token, host: '127.0.0.1', port: 0, log: () => {} });
  const h = await a.connectHost({ url: `ws://127.0.0.1:${s.port}`, token, timeoutMs: 5000 });
  await h.infer(image, { provider: 'test' });
  const xs = [];
  for (let r = 0; r < reps; r++) { const t = performance.now(); const res = await h.infer(image, { provider: 'test' }); xs.push(performance.now() - t - res.stages.total); }
  h.close(); await s.close();
  console.log(label, median(xs).toFixed(1), 'ms', xs.map((x) => x.toFixed(0)).join(' '));
}
const infos = [{ name: 'test', kind: 'cpu', available: true }];
await bench('ws in-process echo (no child):', {
  providers: () => infos,
  async infer(req, d) { const out = new Float32Array(req.width * req.height); for (let i = 0; i < out.length; i++) out[i] = d[i] * 2; return { provider: 'test', data: out, stages: { queue: 0, model: 0, total: 0 } }; },
});
const p = new ProviderProcess({ name: 'test', worker: new URL('../dist/native-host/providers/test_worker.js', import.meta.url) });
await p.start();
let id = 0;
const ipc = [];
for (let r = 0; r < reps; r++) { const t = performance.now(); const res = await p.run({ id: ++id, width: size, height: size, depth: 1, data }); ipc.push(performance.now() - t - res.stages.total); }
console.log('IPC only (ProviderProcess.run):', median(ipc).toFixed(1), 'ms', ipc.map((x) => x.toFixed(0)).join(' '));
await bench('ws + child:', {
  providers: () => infos,
  async infer(req, d, signal) { const r = await p.run({ id: ++id, width: req.width, height: req.height, depth: 1, data: d }, signal); return { provider: 'test', data: r.data, stages: { queue: 0, model: 0, total: r.stages.total } }; },
});
await p.stop();
process.exit(0);
