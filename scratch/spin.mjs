import { readFileSync } from 'node:fs';
import { ProviderProcess } from '../dist/native-host/supervisor.js';
const size = 1024;
const data = Float32Array.from({ length: size * size }, (_, i) => (i * 37) % 251);
const p = new ProviderProcess({ name: 'cpu', worker: new URL(`../dist/native-host/providers/cpu_worker.js`, import.meta.url), onLog: () => {} });
await p.start();
const cpu = () => { const f = readFileSync(`/proc/${p.pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const threads = () => readFileSync(`/proc/${p.pid}/status`, 'utf8').match(/Threads:\s+(\d+)/)[1];
await p.run({ id: 1, width: size, height: size, depth: 1, data, options: { scale: 'none' } });
for (const ms of [0, 50, 200, 1000]) { await new Promise((r) => setTimeout(r, ms)); const c0 = cpu(); const t0 = Date.now(); await new Promise((r) => setTimeout(r, 100)); console.log(`after +${ms}ms: child cpu ${(cpu() - c0)} ms in ${Date.now() - t0} ms; threads ${threads()}`); }
await p.stop();
