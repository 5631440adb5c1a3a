#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// `npm run bench:package`: anyml as a dependency, measured the way a user meets it (scripts/consumer-project.mjs):
// - tarball packed / unpacked size (`npm pack`);
// - node_modules of a fresh consumer, with optional dependencies (onnxruntime-node) and with --omit=optional;
// - start-up of `import('anyml').then(m => m.trainSvm)` and of `anyml/tomogan`, interleaved with bare `node -e 0`
//   in one run (medians; max RSS from the child's own process.resourceUsage());
// - the browser bundle of a user's vite app: an SVM-only page and a TomoGAN page, each built alone.
// `--compare <anyml-x.tgz>` measures another tarball (e.g. an older release) the same way in the same run.
// Needs `npm run build` first and the npm registry. Writes bench/results/package.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO, createProject, packRepo, registryUnavailable, tempRoot } from '../../scripts/consumer-project.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const MiB = 1024 * 1024;
const fail = (m) => (process.stderr.write(`bench:package: ${m}\n`), process.exit(2));
if (!existsSync(join(REPO, 'dist/index.js'))) fail('dist/ is missing: run npm run build first');
const offline = registryUnavailable();
if (offline) fail(offline);

/** Disk usage in MiB as `du -sm` reports it (disk blocks, as `du -sh` users see it). */
function du(path) {
  return Number(spawnSync('du', ['-sm', path], { encoding: 'utf8' }).stdout.split('\t')[0]);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const ci = process.argv.indexOf('--compare');
const compare = ci > 0 ? process.argv[ci + 1] : undefined;
if (ci > 0 && !(compare && existsSync(compare))) fail(`--compare ${compare ?? ''}: expected the path of an anyml tarball`);

const root = tempRoot('anyml-bench-package-');
try {
  const pack = packRepo(root);
  console.log(`tarball: ${(pack.size / MiB).toFixed(2)} MiB packed, ${(pack.unpackedSize / MiB).toFixed(2)} MiB unpacked, ${pack.files.length} files`);

  const full = createProject(root, 'full', [pack.tarball]);
  const lean = createProject(root, 'lean', [pack.tarball], { omitOptional: true });
  const install = { withOptional: du(join(full.dir, 'node_modules')), omitOptional: du(join(lean.dir, 'node_modules')) };
  console.log(`node_modules: ${install.withOptional} MiB with optional deps, ${install.omitOptional} MiB with --omit=optional`);
  let before;
  if (compare) {
    const bFull = createProject(root, 'before-full', [compare]);
    const bLean = createProject(root, 'before-lean', [compare], { omitOptional: true });
    before = { dir: bLean.dir, installMiB: { withOptional: du(join(bFull.dir, 'node_modules')), omitOptional: du(join(bLean.dir, 'node_modules')) } };
    console.log(`compare ${compare}: node_modules ${before.installMiB.withOptional} MiB with optional deps, ${before.installMiB.omitOptional} MiB with --omit=optional`);
  }

  // Start-up, interleaved: each round runs every command once, so machine noise hits all of them.
  const cmds = {
    bare: '0',
    svm: "import('anyml').then(m => { m.trainSvm; process.stdout.write(String(process.resourceUsage().maxRSS)); })",
    tomogan: "import('anyml/tomogan').then(m => { m.denoise; process.stdout.write(String(process.resourceUsage().maxRSS)); })",
  };
  if (before) cmds.svmBefore = cmds.svm;
  const times = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  const rss = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, code] of Object.entries(cmds)) {
      const t0 = process.hrtime.bigint();
      const c = spawnSync(process.execPath, ['-e', k === 'bare' ? 'process.stdout.write(String(process.resourceUsage().maxRSS))' : code], { cwd: k === 'svmBefore' ? before.dir : lean.dir, encoding: 'utf8' });
      times[k].push(Number(process.hrtime.bigint() - t0) / 1e9);
      if (c.status !== 0) fail(`${k}: ${c.stderr}`);
      rss[k].push(Number(c.stdout) / 1024);
    }
  }
  const startup = Object.fromEntries(Object.keys(cmds).map((k) => [k, { seconds: median(times[k]), rssMiB: median(rss[k]) }]));
  for (const k of ['svm', 'tomogan', ...(before ? ['svmBefore'] : [])])
    console.log(`start-up ${k}: ${startup[k].seconds.toFixed(3)} s (+${(startup[k].seconds - startup.bare.seconds).toFixed(3)} s over bare node ${startup.bare.seconds.toFixed(3)} s), RSS ${startup[k].rssMiB.toFixed(1)} MiB (bare ${startup.bare.rssMiB.toFixed(1)})`);

  // Browser bundles: the consumer test's vite app, one page per build.
  const vite = createProject(root, 'vite', [pack.tarball, 'vite@8'], { files: join(REPO, 'test/e2e/consumer/vite') });
  const bundles = {};
  for (const pageName of ['svm', 'tomogan']) {
    rmSync(join(vite.dir, 'dist'), { recursive: true, force: true });
    const cfg = `import { defineConfig } from 'vite';\nexport default defineConfig({ build: { rolldownOptions: { input: { ${pageName}: '${pageName}.html' } } } });\n`;
    writeFileSync(join(vite.dir, `vite.${pageName}.config.js`), cfg);
    const b = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '-c', `vite.${pageName}.config.js`, '--logLevel', 'warn'], { cwd: vite.dir, encoding: 'utf8' });
    if (b.status !== 0) fail(`vite build ${pageName}: ${b.stderr}`);
    const byKind = {};
    const assets = join(vite.dir, 'dist/assets');
    for (const f of readdirSync(assets)) {
      const kind = f.endsWith('.js') ? 'js' : f.endsWith('.wasm') ? 'wasm' : 'other';
      const bytes = readFileSync(join(assets, f));
      const k = (byKind[kind] ??= { files: 0, bytes: 0, gzip: 0 });
      k.files++;
      k.bytes += bytes.length;
      k.gzip += gzipSync(bytes).length;
    }
    bundles[pageName] = byKind;
    const show = (k) => (byKind[k] ? `${k} ${(byKind[k].bytes / 1024).toFixed(0)} KiB (${(byKind[k].gzip / 1024).toFixed(0)} KiB gzip, ${byKind[k].files} files)` : `${k} none`);
    console.log(`vite page ${pageName}: ${show('js')}; ${show('wasm')}; ${show('other')}`);
  }

  const result = {
    date: new Date().toISOString(), node: process.version, rounds: ROUNDS,
    tarball: { packedMiB: pack.size / MiB, unpackedMiB: pack.unpackedSize / MiB, files: pack.files.length },
    installMiB: install, startup, bundles, ...(before ? { compare: { tarball: compare, installMiB: before.installMiB } } : {}),
  };
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(join(REPO, 'bench/results/package.json'), JSON.stringify(result, null, 2));
  console.log('→ bench/results/package.json');
} finally {
  rmSync(root, { recursive: true, force: true });
}
