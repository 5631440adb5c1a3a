// SPDX-License-Identifier: MIT
// The browser side of the host benchmark (bundled by browser.mjs): anyml's own client in a page on 127.0.0.1,
// `reps` round trips of a size² image per provider, round trip minus the provider's time. Writes JSON into #out.
import { connectHost } from '../../dist/host/client.js';

const q = new URLSearchParams(location.search);
const out = document.getElementById('out');
/** The peer: the same bytes there and back through a bare WebSocket echo on the page's own server. */
async function echo(data, reps) {
  const ws = new WebSocket(`ws://${location.host}/`);
  ws.binaryType = 'arraybuffer';
  await new Promise((r) => (ws.onopen = r));
  const xs = [];
  for (let i = 0; i <= reps; i++) {
    const t = performance.now();
    await new Promise((r) => ((ws.onmessage = r), ws.send(data)));
    if (i > 0) xs.push(performance.now() - t);
  }
  ws.close();
  return median(xs);
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
try {
  const size = Number(q.get('size'));
  const reps = Number(q.get('reps'));
  const data = Float32Array.from({ length: size * size }, (_, i) => (i * 37) % 251);
  const h = await connectHost({ url: q.get('url'), token: q.get('token'), timeoutMs: 5000 });
  const rows = [];
  for (const provider of q.get('providers').split(',')) {
    await h.infer({ width: size, height: size, depth: 1, data }, { provider });
    const over = [];
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      const res = await h.infer({ width: size, height: size, depth: 1, data }, { provider });
      over.push(performance.now() - t - res.stages.total);
    }
    rows.push({ provider, overheadMs: median(over) });
  }
  h.close();
  out.textContent = JSON.stringify({ rows, echoMs: await echo(data, reps) });
} catch (e) {
  out.textContent = JSON.stringify({ error: String(e?.stack ?? e) });
}
out.dataset.done = 'true';
