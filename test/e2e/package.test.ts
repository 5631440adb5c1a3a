// SPDX-License-Identifier: MIT
// The package's exports map from the repo itself (a child Node process, nothing on stderr): `anyml`, `anyml/tomogan`
// and `anyml/node` by name, deep imports blocked. test/e2e/consumer.test.ts tests the packed tarball in fresh projects.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SHIPPED_WEIGHTS } from '../../src/tomogan/default_weights.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const node = (code: string) => spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });

describe('package exports', () => {
  it('imports anyml, anyml/tomogan and anyml/node by name, each with its own part of the API', () => {
    const r = node(`
      const a = await import('anyml');
      const t = await import('anyml/tomogan');
      const n = await import('anyml/node');
      const data = a.makeClassification({ rows: 3000, features: 20, seed: 2 });
      const m = await a.trainSvm(data, { lambda: 1e-4, seed: 1 });
      console.log(JSON.stringify({ backend: m.backend, acc: m.evaluate(data).accuracy, read: typeof n.readDataset, denoise: typeof t.denoise,
        rootHasDenoise: 'denoise' in a, nodeHasTrain: 'trainSvm' in n, tomoganHasTrain: 'trainSvm' in t }));`);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout.trim());
    expect(out).toMatchObject({ backend: 'wasm-simd', read: 'function', denoise: 'function', rootHasDenoise: false, nodeHasTrain: false, tomoganHasTrain: false });
    expect(out.acc).toBeGreaterThan(0.9);
  });

  it('blocks deep imports and the private #platform imports', () => {
    for (const spec of ['anyml/dist/svm/train.js', 'anyml/dist/tomogan/platform/node.js']) {
      const r = node(`await import('${spec}')`);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
    }
  });

  it('ships what the README links to, with the metadata the npm page needs, and no maps without sources', () => {
    const [info] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: root, encoding: 'utf8' }));
    const files = new Set<string>(info.files.map((f: { path: string }) => f.path));
    const readme = readFileSync(`${root}/README.md`, 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(3);
    expect(links.filter((l) => !files.has(l.replace(/^\.\//, '')))).toEqual([]); // relative links resolve inside the package
    expect(readme).not.toMatch(/\]\(\.\.\//); // no link leaves the package
    for (const f of ['LICENSE', 'README.md', 'dist/index.js', 'dist/tomogan/index.js', 'dist/node.js', 'vendor/tfjs/tfjs-backend-wasm-simd.wasm', 'vendor/tfjs/register-gradients.node.cjs'])
      expect(files.has(f), f).toBe(true);
    // Every name loadShippedWeights takes has its files in the tarball.
    for (const name of SHIPPED_WEIGHTS) for (const f of ['model.json', 'weights.bin']) expect(files.has(`weights/${name}/${f}`), `${name}/${f}`).toBe(true);
    expect([...files].filter((f) => f.startsWith('dist/browser/') || f.startsWith('src/'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
    expect(pkg.repository?.url).toMatch(/^git\+https:/);
    expect(pkg.homepage).toMatch(/^https:/);
    expect(pkg.keywords.length).toBeGreaterThan(3);
    expect(Object.keys(pkg.dependencies).filter((d) => d === '@tensorflow/tfjs' || d.startsWith('onnxruntime'))).toEqual([]);
    const map = JSON.parse(readFileSync(`${root}/dist/svm/train.js.map`, 'utf8'));
    expect(map.sourcesContent?.length).toBe(map.sources.length); // maps carry their sources (src/ is not shipped)
  });

  it("the public declarations never import tfjs or onnxruntime types (so skipLibCheck: false compiles)", () => {
    const seen = new Set<string>();
    const bad: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)) {
        const spec = m[1];
        if (!spec.startsWith('.')) {
          if (/tensorflow|onnxruntime/.test(spec)) bad.push(`${file.slice(root.length)} imports ${spec}`);
          continue;
        }
        const target = join(dirname(file), spec.replace(/\.js$/, '.d.ts').replace(/\.mjs$/, '.d.mts'));
        if (existsSync(target)) visit(target);
      }
    };
    for (const entry of ['dist/index.d.ts', 'dist/tomogan/index.d.ts', 'dist/node.d.ts']) visit(join(root, entry));
    expect(seen.size).toBeGreaterThan(30);
    expect(bad).toEqual([]);
  });
});
