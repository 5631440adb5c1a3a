// SPDX-License-Identifier: MIT
// The package as users import it: `anyml` and `anyml/node` through the exports map, from a child Node process,
// with nothing on stderr; and the browser bundle exists with the wasm inlined.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('package exports', () => {
  it('imports anyml and anyml/node by name and trains on the built-in generator', () => {
    const code = `
      const a = await import('anyml');
      const n = await import('anyml/node');
      const data = a.makeClassification({ rows: 3000, features: 20, seed: 2 });
      const m = await a.trainSvm(data, { lambda: 1e-3, seed: 1 });
      console.log(JSON.stringify({ backend: m.backend, acc: m.evaluate(data).accuracy, read: typeof n.readDataset, same: n.trainSvm === a.trainSvm }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout.trim());
    expect(out).toMatchObject({ backend: 'wasm-simd', read: 'function', same: true });
    expect(out.acc).toBeGreaterThan(0.9);
  });

  it('blocks deep imports and ships the browser bundle', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('anyml/dist/svm/train.js')"], { cwd: root, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
    const bundle = `${root}/dist/browser/anyml.js`;
    expect(existsSync(bundle)).toBe(true);
    expect(readFileSync(bundle, 'utf8')).toMatch(/export\s*\{[^}]*trainSvm/);
  });
});
