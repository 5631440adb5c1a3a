import { ProviderProcess } from '../dist/native-host/supervisor.js';
const size = 1024, reps = 15;
const data = Float32Array.from({ length: size * size }, (_, i) => (i * 37) % 251);
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const mk = (sharedMemory) => new ProviderProcess({ name: 'test', sharedMemory, worker: new URL('../dist/native-host/providers/test_worker.js', import.meta.url) });
const ps = { shm: mk(true), pipe: mk(false) };
await ps.shm.start(); await ps.pipe.start();
let id = 0;
for (const k of ['pipe', 'shm', 'pipe', 'shm']) {
  const xs = [];
  for (let r = 0; r < reps; r++) { const t = performance.now(); const res = await ps[k].run({ id: ++id, width: size, height: size, depth: 1, data }); xs.push(performance.now() - t - res.stages.total); if (res.data[5] !== data[5] * 2) throw new Error('bad'); }
  console.log(k, median(xs).toFixed(1), xs.map((x) => x.toFixed(0)).join(' '));
}
await ps.shm.stop(); await ps.pipe.stop();
