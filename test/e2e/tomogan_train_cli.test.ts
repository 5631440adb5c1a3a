// SPDX-License-Identifier: MIT
// `anyml tomogan train` end to end: simulated pairs → checkpoints → model.json that `anyml denoise` can use; --resume
// continues to the same weights as one uninterrupted run; bad flags exit 2 with the reason.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anyml } from './run_cli.js';

const dir = mkdtempSync(join(tmpdir(), 'anyml-tgtrain-'));
const common = ['--pairs', '2', '--size', '48', '--batch', '2', '--crop', '32', '--checkpoint-every', '2', '--seed', '3', '--json'];

describe('anyml tomogan train', () => {
  it('trains, checkpoints and resumes to the same weights as an uninterrupted run', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const full = anyml(['tomogan', 'train', '--out', a, '--iterations', '4', ...common]);
    expect(full.code).toBe(0);
    expect(full.json).toMatchObject({ iterations: 4, backend: 'wasm', pairs: 2, crop: 32 });
    expect(anyml(['tomogan', 'train', '--out', b, '--iterations', '2', ...common]).code).toBe(0);
    const resumed = anyml(['tomogan', 'train', '--out', b, '--iterations', '4', '--resume', ...common]);
    expect(resumed.code).toBe(0);
    expect(readFileSync(join(b, 'weights.bin')).equals(readFileSync(join(a, 'weights.bin')))).toBe(true);
    expect(readFileSync(join(b, 'log.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
    const den = anyml(['denoise', join(dir, 'in.npy'), join(dir, 'out.npy'), '--weights', join(a, 'model.json')]);
    expect(den.code).toBe(2); // no such input: the weights loaded, the image did not
    expect(den.stderr).toMatch(/in\.npy/);
  }, 120_000);

  it('trains on the wide distribution: sizes, views, dose range, filters and the textured / ct phantoms per pair', () => {
    const out = join(dir, 'wide');
    const r = anyml(['tomogan', 'train', '--out', out, '--pairs', '3', '--sizes', '32,48', '--views', '0.25:1.5', '--photon-range', '200:20000',
      '--filters', 'ramp,hann', '--kinds', 'ct,textured', '--iterations', '2', '--batch', '2', '--crop', '16', '--lambda-adv', '0', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ iterations: 2, pairs: 3, sizes: [32, 48] });
    expect(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    const bad = anyml(['tomogan', 'train', '--out', join(dir, 'c'), '--filters', 'ramp,bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--filters: got bogus, expected ramp, shepp-logan, cosine, hamming, hann/);
    const range = anyml(['tomogan', 'train', '--out', join(dir, 'c'), '--views', '2:1']);
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/--views: got '2:1', expected lo:hi with 0 < lo ≤ hi/);
    // --workers: the same run data-parallel on 2 worker threads (loss agrees to f32 rounding: docs/tomogan.md).
    const par = anyml(['tomogan', 'train', '--out', join(dir, 'wide2'), '--pairs', '3', '--sizes', '32,48', '--views', '0.25:1.5', '--photon-range', '200:20000',
      '--filters', 'ramp,hann', '--kinds', 'ct,textured', '--iterations', '2', '--batch', '2', '--crop', '16', '--lambda-adv', '0', '--workers', '2', '--json']);
    expect(par.code, par.stderr).toBe(0);
    expect(par.json).toMatchObject({ iterations: 2, workers: 2 });
    expect(Math.abs((par.json!.mse as number) / (r.json!.mse as number) - 1)).toBeLessThan(1e-3);
    const crop = anyml(['tomogan', 'train', '--out', join(dir, 'c'), '--sizes', '32,256', '--crop', '64']);
    expect(crop.stderr).toMatch(/--crop: got 64, expected at most the smallest of --sizes, 32/);
  }, 120_000);

  it('exits 2 on bad flags, naming them', () => {
    const r = anyml(['tomogan', 'train', '--out', join(dir, 'c'), '--kinds', 'cubes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--kinds: got cubes, expected shepp-logan, ellipses, foam, smooth, textured, ct/);
    const n = anyml(['tomogan', 'train', '--out', join(dir, 'c'), '--resume']);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/--resume: got .*checkpoint\.json, expected an existing checkpoint/);
  });
});
