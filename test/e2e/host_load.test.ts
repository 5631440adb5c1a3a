// SPDX-License-Identifier: MIT
// Load on the real `anyml host`: 8 concurrent clients × 25 requests of 256² on the cpu provider. The queue limits
// are hit and answered BUSY (retryable, fallback), a client retries after BUSY, every accepted request comes back
// equal to the local result, and the host's memory does not grow from a first round to a second.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHost, HostError } from '../../src/host/client.js';
import { denoise } from '../../src/tomogan/denoise.js';
import { loadDefaultWeights } from '../../src/tomogan/default_weights.js';
import { randomImage } from '../helpers/tomogan.js';
import { stopGracefully } from '../helpers/process.js';
import { anyml, BIN } from './run_cli.js';

const env = { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'anyml-host-load-')) };
let host: ChildProcess;
let url: string;

beforeAll(async () => {
  host = spawn(process.execPath, [BIN, 'host', '--port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  url = await new Promise<string>((resolve) => host.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()).url)));
}, 60_000);
afterAll(() => stopGracefully(host), 20_000);

/** Resident set of a process in MiB (/proc/<pid>/status VmRSS), the host and its children together. */
function rssMiB(pid: number): number {
  const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return [pid, ...kids].reduce((s, p) => s + Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))![1]) / 1024, 0);
}

async function round(token: string, expected: Float32Array, img: ReturnType<typeof randomImage>) {
  let busy = 0;
  let answered = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      const h = await connectHost({ url, token, timeoutMs: 5000 });
      for (let r = 0; r < 25; r++) {
        for (;;) {
          try {
            const out = await h.infer(img);
            expect(out.data).toEqual(expected);
            answered++;
            break;
          } catch (e) {
            if (!(e instanceof HostError) || e.code !== 'BUSY') throw e;
            expect(e).toMatchObject({ retryable: true, fallback: true });
            busy++;
            await new Promise((res) => setTimeout(res, 20));
          }
        }
      }
      h.close();
    }),
  );
  return { busy, answered };
}

describe('anyml host under load', () => {
  it('8 clients × 25 requests of 256²: BUSY at the limits, every accepted one correct, memory bounded', { timeout: 300_000 }, async () => {
    const { token } = anyml(['host', 'pair', '--json'], { env }).json as { token: string };
    const img = randomImage(256, 256, 1, 21);
    const expected = (await denoise(img, { model: await loadDefaultWeights(), scale: 'none' })).image.data;
    const first = await round(token, expected, img);
    const rss1 = rssMiB(host.pid!);
    const second = await round(token, expected, img);
    const rss2 = rssMiB(host.pid!);
    console.log(`host load: ${first.answered + second.answered} answered, BUSY ${first.busy} + ${second.busy}; RSS ${rss1.toFixed(0)} → ${rss2.toFixed(0)} MiB`);
    expect(first.answered + second.answered).toBe(400);
    expect(first.busy + second.busy).toBeGreaterThan(0);
    expect(rss2).toBeLessThan(rss1 * 1.15 + 20);
  });
});
