// SPDX-License-Identifier: MIT
// Host overhead from Chromium: page.js bundled with esbuild (anyml's browser client: '#platform' resolves to the
// browser build; the repo's tsconfig paths, which point at the Node sources, are not used), served on 127.0.0.1 by a small HTTP server, run in Debian's Chromium through playwright-core.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startEcho } from './echo.mjs';
import { startHost } from './host_proc.mjs';

const CHROMIUM = '/usr/bin/chromium';

async function bundle() {
  const esbuild = await import('esbuild');
  const r = await esbuild.build({ entryPoints: [fileURLToPath(new URL('./page.js', import.meta.url))], bundle: true, format: 'esm', platform: 'browser', conditions: ['browser'], write: false, logLevel: 'error', tsconfigRaw: {} });
  return r.outputFiles[0].text;
}

function serve(js) {
  const html = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><pre id="out"></pre><script type="module" src="/page.js"></script>';
  const server = createServer((req, res) => {
    const isJs = req.url.startsWith('/page.js');
    res.writeHead(200, { 'content-type': isJs ? 'text/javascript' : 'text/html' });
    res.end(isJs ? js : html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Rows { front, provider, overheadMs }, or null with the reason when Chromium is not installed. */
export async function browserOverhead({ size, reps, providers }) {
  if (!existsSync(CHROMIUM)) return { skipped: `${CHROMIUM} not found (apt-get install -y chromium)` };
  const { chromium } = await import('playwright-core');
  const server = await serve(await bundle());
  const echo = startEcho(server); // ws://…/ on the page's own server: the browser's bare WebSocket, the peer
  const origin = `http://127.0.0.1:${server.address().port}`;
  const host = await startHost(['--allow-origin', origin]);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${origin}/?url=${encodeURIComponent(host.url)}&token=${host.token}&size=${size}&reps=${reps}&providers=${providers.join(',')}`);
    await page.waitForSelector('#out[data-done=true]', { timeout: 600_000 });
    const out = JSON.parse(await page.textContent('#out'));
    if (out.error) throw new Error(`bench page: ${out.error}`);
    return { rows: out.rows.map((r) => ({ front: 'WebSocket (Chromium)', ...r })), echoMs: out.echoMs };
  } finally {
    await browser.close();
    await host.stop();
    echo.close();
    server.close();
  }
}
