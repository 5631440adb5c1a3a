// SPDX-License-Identifier: MIT
// Bounded memory: the peak RSS of `anyml denoise` on a 64-slice stack stays within a bound of the 16-slice one.
// 256² float32 slices: 64 of them are 16 MiB per copy, so a run that held the volume (in and out) would exceed it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTiffStack } from '../../src/io/tiff_stack.js';
import { nativeAvailable } from '../../src/tomogan/backends/native.js';
import { randomImage } from '../helpers/tomogan.js';
import { anyml } from './run_cli.js';

const S = 256;
/** Allowed growth of the peak RSS from 16 to 64 slices. */
const BOUND_MB = 16;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anyml-volmem-'));
  const slice = randomImage(S, S, 1, 9).data;
  for (const n of [16, 64]) {
    const w = await createTiffStack(join(dir, `v${n}.tif`), S, S);
    for (let k = 0; k < n; k++) await w.append(slice);
    await w.close();
  }
});

describe('anyml denoise: volume memory', () => {
  it(`peak RSS of 64 slices ≤ 16 slices + ${BOUND_MB} MB (${S}² slices)`, async () => {
    const backend = (await nativeAvailable()) ? 'native' : 'wasm';
    const rss: number[] = [];
    for (const n of [16, 64]) {
      const r = anyml(['denoise', join(dir, `v${n}.tif`), join(dir, `o${n}.tif`), '--backend', backend, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json).toMatchObject({ slices: n });
      rss.push(r.json!.peakRssBytes as number);
    }
    expect((rss[1] - rss[0]) / 2 ** 20).toBeLessThan(BOUND_MB);
  }, 300_000);
});
