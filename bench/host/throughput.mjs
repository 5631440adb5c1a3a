// SPDX-License-Identifier: MIT
// Throughput of one host provider with 1 and 4 concurrent clients: each client sends `perClient` size² images one
// after another; images per second over the wall time, and the median round trip each client saw.
import { median, ramp } from './host_proc.mjs';

export async function throughput(a, host, { provider, clients, perClient, size }) {
  const image = { width: size, height: size, depth: 1, data: ramp(size * size) };
  const handles = await Promise.all(Array.from({ length: clients }, () => a.connectHost({ url: host.url, token: host.token, timeoutMs: 5000 })));
  await handles[0].infer(image, { provider }); // the child loads its model
  const rts = [];
  let busy = 0;
  const t0 = performance.now();
  await Promise.all(handles.map(async (h) => {
    for (let i = 0; i < perClient; i++) {
      const t = performance.now();
      try {
        await h.infer(image, { provider });
        rts.push(performance.now() - t);
      } catch (e) {
        if (e.code !== 'BUSY') throw e;
        busy++;
        i--;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }));
  const wall = (performance.now() - t0) / 1000;
  for (const h of handles) h.close();
  return { provider, clients, size, images: rts.length, perSecond: rts.length / wall, medianMs: median(rts), busy };
}
