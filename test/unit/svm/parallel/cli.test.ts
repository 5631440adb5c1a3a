// SPDX-License-Identifier: MIT
// `anyml svm train --workers P --sync-every b --json` through the built CLI (dist/; vitest's global setup builds it).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anyml } from '../../../e2e/run_cli.js';

const SMALL = fileURLToPath(new URL('../../../fixtures/io/small.libsvm', import.meta.url));

describe('CLI: data-parallel training', () => {
  it('--workers 2 --sync-every 100 reports workers, syncEvery, transport and syncSeconds', () => {
    const r = anyml(['svm', 'train', SMALL, '--workers', '2', '--sync-every', '100', '--lambda', '0.01', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ workers: 2, syncEvery: 100, transport: 'shared' });
    expect(typeof r.json?.syncSeconds).toBe('number');
  });

  it('built-in data with --sync-every epoch', () => {
    const r = anyml(['svm', 'train', '--workers', '2', '--sync-every', 'epoch', '--epochs', '2', '--lambda', '0.001', '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ workers: 2, syncEvery: 'epoch', transport: 'shared' });
    expect(r.json?.testAccuracy as number).toBeGreaterThan(0.8);
  });

  it('rejects --workers 0', () => {
    const r = anyml(['svm', 'train', '--workers', '0']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--workers: got "[^"]*", expected an integer in \[1, 64\]/);
  });
});
