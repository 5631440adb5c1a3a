import { ProviderProcess } from '../dist/native-host/supervisor.js';
const size = 1024, reps = 5;
const data = Float32Array.from({ length: size * size }, (_, i) => (i * 37) % 251);
const now = () => performance.timeOrigin + performance.now();
const p = new ProviderProcess({ name: 'cpu', worker: new URL(`../dist/native-host/providers/${process.argv[2]}_worker.js`, import.meta.url), onLog: (l) => l.includes('TRACE') && console.log(l) });
await p.start();
let id = 0;
for (let r = 0; r < reps; r++) { const t = now(); console.log('parent send', t.toFixed(1)); const res = await p.run({ id: ++id, width: size, height: size, depth: 1, data, options: { scale: 'none' } }); console.log('parent got', now().toFixed(1), 'rt-total', (now() - t - res.stages.total).toFixed(1)); }
await p.stop();
