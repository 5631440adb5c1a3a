// SPDX-License-Identifier: MIT
// The peer for the overhead rows: a bare `ws` echo server on 127.0.0.1, and a Node client round trip of the same
// bytes through it — what any WebSocket transport of this image costs here, with no protocol, host or provider.
import { WebSocket, WebSocketServer } from 'ws';
import { median } from './host_proc.mjs';

export function startEcho(server) {
  const wss = server ? new WebSocketServer({ server, maxPayload: 64 << 20 }) : new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 64 << 20 });
  wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d)));
  return wss;
}

export async function nodeEcho(bytes, reps) {
  const wss = startEcho();
  await new Promise((r) => wss.once('listening', r));
  const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}`, { maxPayload: 64 << 20 });
  await new Promise((r) => ws.once('open', r));
  const msg = new Uint8Array(bytes).fill(7);
  const xs = [];
  for (let i = 0; i <= reps; i++) {
    const t = performance.now();
    await new Promise((r) => (ws.once('message', r), ws.send(msg)));
    if (i > 0) xs.push(performance.now() - t);
  }
  ws.close();
  wss.close();
  return median(xs);
}
