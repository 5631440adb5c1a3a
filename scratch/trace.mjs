import * as a from 'anyml';
import { startHost, ramp } from '../bench/host/host_proc.mjs';
const host = await startHost();
const h = await a.connectHost({ url: host.url, token: host.token, timeoutMs: 5000 });
const size = 1024; const image = { width: size, height: size, depth: 1, data: ramp(size * size) };
await h.infer(image, { provider: 'test' });
for (let r = 0; r < 6; r++) { const t = performance.timeOrigin + performance.now(); const res = await h.infer(image, { provider: 'test' }); const e = performance.timeOrigin + performance.now(); console.log('CLIENT send', t.toFixed(1), 'recv-event', globalThis.__R.toFixed(1), 'done', e.toFixed(1), 'child total', res.stages.total.toFixed(1)); }
h.close(); await host.stop();
