import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { chromium } from 'playwright-core';
const big = Buffer.alloc(4 << 20, 7);
const server = createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end(`<!doctype html><pre id=out></pre><script type=module>
const ws = new WebSocket('ws://127.0.0.1:' + location.port); ws.binaryType = 'arraybuffer';
await new Promise(r => ws.onopen = r);
const rt = (msg) => new Promise(r => { ws.onmessage = (e) => r(e.data); ws.send(msg); });
const res = {};
const big = new Uint8Array(4 << 20);
for (const [k, m] of [['echo', 'E'], ['up', 'U'], ['down', 'D']]) {
  const xs = [];
  for (let i = 0; i < 6; i++) { const msg = k === 'down' ? new Uint8Array([68]) : new Uint8Array(big.length).fill(k === 'echo' ? 69 : 85); const t = performance.now(); await rt(msg); xs.push(performance.now() - t); }
  res[k] = xs.map(x => x.toFixed(0)).join(' ');
}
document.getElementById('out').textContent = JSON.stringify(res); document.getElementById('out').dataset.done = 'true';
</script>`); });
const wss = new WebSocketServer({ server });
wss.on('connection', (ws) => ws.on('message', (d) => { const c = d[0]; ws.send(c === 69 ? d : c === 85 ? Buffer.from([1]) : big); }));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.waitForSelector('#out[data-done=true]', { timeout: 60000 });
console.log(await page.textContent('#out'));
await browser.close(); server.close(); process.exit(0);
