// SPDX-License-Identifier: MIT
// Starts `anyml host` for the benchmarks (its own config folder, the test provider on for the transport-only rows)
// and stops it with SIGTERM, as a user would.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../../bin/anyml.js', import.meta.url));

/** The environment of a bench host: its own config folder (token), the test provider on. */
export const benchEnv = () => ({ ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'anyml-host-bench-')), ANYML_HOST_TEST_PROVIDER: '1' });

/** A running host: its url, token, env, and `stop()`. `args` are extra `anyml host` flags. */
export async function startHost(args = []) {
  const env = benchEnv();
  const proc = spawn(process.execPath, [bin, 'host', '--port', '0', '--json', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    proc.stdout.once('data', (d) => resolve(JSON.parse(d.toString()).url));
    proc.once('exit', (c) => reject(new Error(`anyml host exited with ${c}`)));
  });
  const { token } = JSON.parse(spawnSync(process.execPath, [bin, 'host', 'pair', '--json'], { env, encoding: 'utf8' }).stdout);
  const stop = () => new Promise((resolve) => (proc.once('exit', resolve), proc.kill('SIGTERM')));
  return { url, token, env, proc, stop, bin };
}

export const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
export const ramp = (n) => Float32Array.from({ length: n }, (_, i) => (i * 37) % 251);
