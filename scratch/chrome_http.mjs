import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
const server = createServer((req, res) => {
  if (req.method === 'POST') { const chunks = []; req.on('data', (c) => chunks.push(c)); req.on('end', () => { const b = Buffer.concat(chunks); res.writeHead(200, { 'content-type': 'application/octet-stream' }); res.end(b); }); return; }
  res.writeHead(200, { 'content-type': 'text/html' }); res.end(`<!doctype html><pre id=out></pre><script type=module>
const big = new Uint8Array(4 << 20).fill(3); const xs = [];
for (let i = 0; i < 6; i++) { const t = performance.now(); const r = await fetch('/x', { method: 'POST', body: big }); const b = await r.arrayBuffer(); if (b.byteLength !== big.length) throw 1; xs.push(performance.now() - t); }
document.getElementById('out').textContent = xs.map(x => x.toFixed(0)).join(' '); document.getElementById('out').dataset.done = 'true';
</script>`); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.waitForSelector('#out[data-done=true]', { timeout: 60000 });
console.log('fetch echo 4 MiB:', await page.textContent('#out'));
await browser.close(); server.close(); process.exit(0);
