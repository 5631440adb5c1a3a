// SPDX-License-Identifier: MIT
// Output paths are checked before any work starts (exit 2, the user's path in the message, never a temp file, no
// stack trace), and an interrupted write leaves no temp file behind.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, anyml } from './run_cli.js';

let dir: string;
let data: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anyml-outputs-'));
  data = join(dir, 'd.libsvm');
  writeFileSync(data, '+1 1:0.5 2:1\n-1 1:-0.5 3:1\n+1 2:0.7\n-1 3:0.2 1:-1\n');
  mkdirSync(join(dir, 'adir'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Exit 2 with the message naming `path`, no stack trace and no temp-file name. */
function refused(args: string[], path: string, reason: RegExp): void {
  const r = anyml(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(path);
  expect(r.stderr).toMatch(reason);
  expect(r.stderr).not.toMatch(/\.tmp|internal error|    at /);
}

describe('outputs are checked before the work', () => {
  it('svm train --model into a missing folder or onto a directory', () => {
    refused(['svm', 'train', data, '--model', join(dir, 'nodir/sub/m.json')], join(dir, 'nodir/sub/m.json'), /does not exist, expected a file in an existing folder/);
    refused(['svm', 'train', data, '--model', join(dir, 'adir')], join(dir, 'adir'), /got a directory/);
    expect(existsSync(join(dir, 'nodir'))).toBe(false);
  });

  it('svm predict --output, svm generate, tomogan train --out onto the wrong kind of path', () => {
    writeFileSync(join(dir, 'm.json'), JSON.stringify({ format: 'anyml-svm', version: 1, features: 3, weights: [1, 1, 1], bias: 0, labels: [-1, 1], lambda: 1e-3 }));
    refused(['svm', 'predict', join(dir, 'm.json'), data, '--output', join(dir, 'adir')], join(dir, 'adir'), /got a directory/);
    refused(['svm', 'generate', join(dir, 'adir'), '--rows', '10', '--features', '3'], join(dir, 'adir'), /got a directory/);
    refused(['tomogan', 'train', '--out', data, '--iterations', '1'], data, /got an existing file, expected a folder/);
  });

  it('denoise checks the output (extension, folder) before it reads the input or loads weights', () => {
    refused(['denoise', join(dir, 'missing-input.png'), join(dir, 'out.jpg')], join(dir, 'out.jpg'), /unknown output format: got extension '\.jpg', expected \.png, \.tif, \.tiff, \.npy/);
    refused(['denoise', join(dir, 'missing-input.png'), join(dir, 'nodir/out.png')], join(dir, 'nodir/out.png'), /does not exist/);
  });

  it('tomogan train flags are checked before the training pairs are simulated', () => {
    const t0 = performance.now();
    refused(['tomogan', 'train', '--out', join(dir, 'run'), '--crop', '12', '--pairs', '64', '--size', '256'], '--crop', /got 12, expected a multiple of 8/);
    refused(['tomogan', 'train', '--out', join(dir, 'run'), '--crop', '64', '--size', '32'], '--crop', /at most --size 32/);
    expect(performance.now() - t0).toBeLessThan(10_000); // 64 simulated 256² pairs alone take ~20 s
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });
});

describe('interrupted writes', () => {
  it('Ctrl-C during svm generate removes the temp file and leaves no output (exit by the signal)', async () => {
    const out = join(dir, 'gen', 'big.libsvm');
    mkdirSync(join(dir, 'gen'));
    const child = spawn(process.execPath, [BIN, 'svm', 'generate', out, '--rows', '2000000', '--features', '500'], { stdio: 'ignore' });
    const tmpSeen = await new Promise<boolean>((resolve) => {
      const poll = setInterval(() => {
        if (readdirSync(join(dir, 'gen')).some((f) => f.endsWith('.tmp'))) (clearInterval(poll), resolve(true));
      }, 20);
      setTimeout(() => (clearInterval(poll), resolve(false)), 30_000);
    });
    expect(tmpSeen).toBe(true);
    child.kill('SIGINT');
    const signal = await new Promise<string | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGINT');
    expect(readdirSync(join(dir, 'gen'))).toEqual([]);
  }, 60_000);
});
