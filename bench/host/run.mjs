#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// `npm run bench:host`: what `anyml host` costs and delivers on this machine.
// 1. Overhead on loopback (the peer: a bare WebSocket echo of the same bytes, from Node and from the page) for a size² float32 image, round trip minus the provider's own time (`stages.total`):
//    WebSocket from Node and from Chromium, native messaging (--stdio, Chrome framing) from Node; per provider, the
//    `test` provider (an echo: the transport alone), `cpu` and `tflite`.
// 2. Each provider's stage times for that image (model / stitch / fine-tune / total).
// 3. Throughput of cpu and tflite with 1 and 4 clients.
// Usage: node bench/host/run.mjs [--size 1024] [--reps 5] [--tsize 512] [--per 4]   (needs a built dist/)
import * as a from 'anyml';
import { browserOverhead } from './browser.mjs';
import { nodeEcho } from './echo.mjs';
import { median, ramp, startHost } from './host_proc.mjs';
import { nativeMessagingOverhead } from './native.mjs';
import { throughput } from './throughput.mjs';

const argv = process.argv.slice(2);
const flag = (k, d) => (argv.includes(k) ? Number(argv[argv.indexOf(k) + 1]) : d);
const size = flag('--size', 1024);
const reps = flag('--reps', 5);
const PROVIDERS = ['test', 'cpu', 'tflite'];

async function nodeOverhead(host) {
  const h = await a.connectHost({ url: host.url, token: host.token, timeoutMs: 5000 });
  const image = { width: size, height: size, depth: 1, data: ramp(size * size) };
  const rows = [];
  for (const provider of PROVIDERS) {
    await h.infer(image, { provider }); // warm-up: the child loads its model
    const over = [];
    const stages = [];
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      const res = await h.infer(image, { provider });
      over.push(performance.now() - t - res.stages.total);
      stages.push(res.stages);
    }
    const m = (k) => (stages[0][k] === undefined ? undefined : median(stages.map((s) => s[k])));
    rows.push({ front: 'WebSocket (Node)', provider, overheadMs: median(over), stages: { model: m('model'), stitch: m('stitch'), finetune: m('finetune'), total: m('total') } });
  }
  h.close();
  return rows;
}

const echoNode = await nodeEcho(size * size * 4, reps);
const host = await startHost();
const rows = await nodeOverhead(host);
const tput = [];
for (const provider of ['cpu', 'tflite'])
  for (const clients of [1, 4]) tput.push(await throughput(a, host, { provider, clients, perClient: flag('--per', 4), size: flag('--tsize', 512) }));
await host.stop();
const browser = await browserOverhead({ size, reps, providers: PROVIDERS });
rows.push(...(browser.rows ?? []));
rows.push(await nativeMessagingOverhead(a, { size, reps }));

const f = (x) => (x === undefined ? '–' : x.toFixed(1));
console.log(`\nhost overhead, ${size}² float32, median of ${reps} (round trip − provider time):`);
console.log('front end | provider | overhead');
for (const r of rows) console.log(`${r.front} | ${r.provider} | ${f(r.overheadMs)} ms`);
if (browser.skipped) console.log(`WebSocket (Chromium): skipped: ${browser.skipped}`);
console.log(`peer, a bare WebSocket echo of the same ${(size * size * 4) / 2 ** 20} MiB: Node ${f(echoNode)} ms${browser.echoMs ? `, Chromium ${f(browser.echoMs)} ms` : ''}`);
console.log(`\nstages per provider, ${size}² (ms): provider | model | stitch | fine-tune | total`);
for (const r of rows.filter((x) => x.stages && x.provider !== 'test')) console.log(`${r.provider} | ${f(r.stages.model)} | ${f(r.stages.stitch)} | ${f(r.stages.finetune)} | ${f(r.stages.total)}`);
console.log(`\nthroughput, ${tput[0].size}², ${flag('--per', 4)} images per client: provider | clients | images/s | median round trip | BUSY retries`);
for (const t of tput) console.log(`${t.provider} | ${t.clients} | ${t.perSecond.toFixed(2)} | ${t.medianMs.toFixed(0)} ms | ${t.busy}`);
