// SPDX-License-Identifier: MIT
// anyml-mpi (cpp/mpi/): P ranks give the model of trainSvm({ workers: P }); bad input ends all ranks.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../../src/io/node.js';
import type { Dataset } from '../../src/types.js';
import { SvmModel } from '../../src/svm/model.js';
import { trainSvm } from '../../src/svm/train.js';
import { checkLambdaAuto, compare, lib, missing, missingMpich, mpi, mpiWorkspace, perClassMismatches, ROOT, withoutWorkers } from '../helpers/mpi.js';
import { describeWithSharedData, haveSharedData, SHARED_DATA } from '../helpers/shared_data.js';
import { missingTool } from '../helpers/tools.js';

(missing ? describe.skip : describe)('anyml-mpi', () => {
  const tmp = mpiWorkspace('anyml-mpi-');

  it('--version and --help', () => {
    const v = mpi(1, ['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^anyml-mpi \d+\.\d+\.\d+/);
    const h = mpi(1, ['--help']);
    expect(h.stdout).toContain('--sync-every');
    expect(h.stdout).toContain('--lambda X|auto');
  });

  it('a bad --lambda value is refused with what is expected', () => {
    for (const v of ['abc', '0', '-1e-4', 'Auto']) {
      const r = mpi(2, ['train', 'x.libsvm', '--lambda', v]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`--lambda: got '${v}', expected a number > 0 or 'auto'`);
    }
  });

  it('a missing file ends every rank with one message naming it (np 2, no hang)', () => {
    const f = join(tmp(), 'no-such-file.libsvm');
    const r = mpi(2, ['train', f], { timeout: 30_000 });
    expect(r.error).toBeUndefined(); // no timeout
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(f);
    expect(r.stderr.match(/anyml-mpi: error/g)).toHaveLength(1);
  }, 40_000);

  it('a malformed line reports file:line:column, the token and what was expected (np 2)', () => {
    // 6 rows: the bad one (line 6 with a comment line before it) belongs to rank 1's half of the bytes.
    const f = join(tmp(), 'bad.libsvm');
    writeFileSync(f, '+1 1:0.5 2:1\n-1 1:0.25\n+1 2:0.5\n# comment\n-1 1:1 2:2\n+1 1:0.5 2:x7\n-1 2:1\n');
    const r = mpi(2, ['train', f], { timeout: 30_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${f}:6:12: bad value after index 2, got 'x7', expected a number`);
    expect(r.stderr).toMatch(/rank 1 of 2/);
  }, 40_000);

  it('three or more labels train one-vs-rest: the model of any P, each class the binary fit of its relabelled file', () => {
    // 3 classes, 2 features; rows of every class on every rank's part of the file at np 3.
    const rows = Array.from({ length: 90 }, (_, i) => `${[2, 5, 9][i % 3]} 1:${((i * 7) % 13) / 4 - 1} 2:${(i % 3) * 2 + ((i * 5) % 11) / 10}`);
    const f = join(tmp(), 'three.libsvm');
    writeFileSync(f, rows.join('\n') + '\n');
    const args = ['--lambda', '1e-3', '--epochs', '6'];
    const docs = [1, 2, 3].map((np) => {
      const out = join(tmp(), `three-${np}.json`);
      const r = mpi(np, ['train', f, ...args, '--model', out, '--liblinear', `${out}.model`, '--test', f, '--json']);
      expect(r.status, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
      expect(summary).toMatchObject({ rows: 90, ranks: np, labels: [2, 5, 9], classEpochs: [expect.any(Number), expect.any(Number), expect.any(Number)] });
      expect(readFileSync(`${out}.model`, 'utf8')).toBe(readFileSync(join(tmp(), 'three-1.json.model'), 'utf8'));
      return withoutWorkers(readFileSync(out, 'utf8'));
    });
    expect(docs[1]).toEqual(docs[0]);
    expect(docs[2]).toEqual(docs[0]);
    expect(docs[0]).toMatchObject({ features: 2, labels: [2, 5, 9], lambda: 1e-3 });
    expect(perClassMismatches(f, readFileSync(f, 'utf8'), docs[0], args)).toEqual([]);
    const ll = readFileSync(join(tmp(), 'three-1.json.model'), 'utf8').split('\n');
    expect(ll.slice(0, 6)).toEqual(['solver_type L2R_L1LOSS_SVC_DUAL', 'nr_class 3', 'label 2 5 9', 'nr_feature 2', 'bias 1', 'w']);
    // Line j: w_0[j] w_1[j] w_2[j] and a trailing space (LIBLINEAR's "%.17g "); the last line the biases.
    expect(ll.slice(6, 9).every((l) => l.endsWith(' '))).toBe(true);
    expect(ll.slice(6, 9).map((l) => l.trimEnd().split(' ').map(Number))).toEqual([
      docs[0].weights.map((w: number[]) => w[0]), docs[0].weights.map((w: number[]) => w[1]), docs[0].bias]);
    // A test label the training file lacks is an error naming its line, as in the binary case.
    const t = join(tmp(), 'three.test');
    writeFileSync(t, '2 1:1\n7 2:1\n');
    const bad = mpi(2, ['train', f, ...args, '--test', t], { timeout: 30_000 });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain(`${t}:2:1: label not in the training labels, got '7', expected one of 2, 5, 9`);
  }, 60_000);

  it('one label only is refused before training, as trainSvm refuses it (np 2)', () => {
    const f = join(tmp(), 'one.libsvm');
    writeFileSync(f, '1 1:1\n1 1:2\n1 2:3\n');
    const r = mpi(2, ['train', f, '--model', join(tmp(), 'one.model')], { timeout: 30_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${f}: only label 1 (all 3 rows), expected rows of both classes`);
    expect(existsSync(join(tmp(), 'one.model'))).toBe(false);
  }, 40_000);

  it('plain and gzip files, any P, give the rows of the TS reader to every rank (small file, exact model)', async () => {
    // Blank lines, comments, CRLF, a last line without '\n': the byte-range split must still give every row once.
    const lines: string[] = [];
    for (let i = 0; i < 157; i++) {
      lines.push(`${i % 3 === 0 ? 1 : 0} ${1 + (i % 5)}:${((i * 37) % 11) / 10} 7:${(i % 4) - 1.5}${i % 7 === 0 ? '\r' : ''}`);
      if (i % 13 === 0) lines.push(i % 2 ? '' : '# note');
    }
    const f = join(tmp(), 'small.libsvm');
    writeFileSync(f, lines.join('\n'));
    const gz = join(tmp(), 'small.gz');
    writeFileSync(gz, gzipSync(readFileSync(f)));
    const data = (await readDataset(f)).dataset;
    for (const [np, file] of [[1, f], [3, f], [2, gz], [3, gz]] as const) {
      const out = join(tmp(), `small-${np}.json`);
      const r = mpi(np, ['train', file, '--lambda', '1e-3', '--epochs', '4', '--sync-every', '7', '--model', out]);
      expect(r.status, r.stderr).toBe(0);
      const node = await trainSvm(data, { lambda: 1e-3, epochs: 4, syncEvery: 7, workers: np, seed: 1, backend: 'wasm' });
      const c = compare(SvmModel.fromJSON(readFileSync(out, 'utf8')), node);
      expect(c.identical, `np ${np} ${file}: max rel ${c.maxRel}`).toBe(true);
    }
  });

  it('raw features: max-abs scaling over all ranks and the default epochs give the model of trainSvm (pima, np 2); --scale standard is refused', async () => {
    const f = join(SHARED_DATA, 'libsvm', 'unscaled', 'pima.train');
    // The shared data is required under CI=true (test/helpers/shared_data.ts); locally its absence is reported.
    if (!haveSharedData('libsvm/unscaled')) {
      if (process.env.CI === 'true') throw new Error(`${f} is missing, and CI=true requires ../shared/data`);
      return void console.warn(`[skipped] ${f} not found`);
    }
    const out = join(tmp(), 'pima.json');
    const r = mpi(2, ['train', f, '--lambda', '1e-3', '--model', out, '--liblinear', `${out}.model`, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ scale: 'maxabs', epochs: expect.any(Number) });
    // The LIBLINEAR file holds the JSON model's raw-space weights and bias (src/svm/liblinear.ts reads it).
    const ll = SvmModel.fromLiblinear(readFileSync(`${out}.model`, 'utf8'), 'pima.model');
    const c0 = compare(ll, SvmModel.fromJSON(readFileSync(out, 'utf8')));
    expect(c0.identical, `liblinear vs JSON: max rel ${c0.maxRel}`).toBe(true);
    const data = (await readDataset(f)).dataset;
    const node = await trainSvm(data, { lambda: 1e-3, workers: 2, seed: 1, backend: 'wasm' });
    expect(node.trainedWith.scale).toBe('maxabs');
    const c = compare(SvmModel.fromJSON(readFileSync(out, 'utf8')), node);
    expect(c.identical, `max rel ${c.maxRel}`).toBe(true);
    const refused = mpi(2, ['train', f, '--scale', 'standard'], { timeout: 30_000 });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/--scale standard: centring would make every zero of the sparse data non-zero; expected auto, maxabs or none/);
  }, 120_000);

  it("--lambda auto on raw features (pima, np 1–3, two seeds): the λ of trainSvm lambda 'auto' and the model of workers: P", async () => {
    const f = join(SHARED_DATA, 'libsvm', 'unscaled', 'pima.train');
    if (!haveSharedData('libsvm/unscaled')) {
      if (process.env.CI === 'true') throw new Error(`${f} is missing, and CI=true requires ../shared/data`);
      return void console.warn(`[skipped] ${f} not found`);
    }
    const data = (await readDataset(f)).dataset;
    for (const seed of [1, 7]) await checkLambdaAuto(f, data, seed, tmp(), [1, 2, 3]);
  }, 180_000);

  it('a stray huge index is refused at file:line:column; raised by --max-features, it trains on the used columns as trainSvm does', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => `${i % 3 ? 1 : -1} 1:${(i % 7) / 4} ${2 + (i % 4)}:${((i * 5) % 9) / 3 - 1}${i === 30 ? ' 40000000:1' : ''}`);
    const f = join(tmp(), 'wide.libsvm');
    writeFileSync(f, rows.join('\n') + '\n');
    const refused = mpi(2, ['train', f], { timeout: 30_000 });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(`${f}:31:`);
    expect(refused.stderr).toContain("got '40000000:1', expected an index of at most 33554432 (the feature limit, --max-features");
    const out = join(tmp(), 'wide.json');
    const r = mpi(2, ['train', f, '--max-features', '50000000', '--lambda', '1e-2', '--sync-every', '9', '--model', out, '--test', f, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.features).toBe(40_000_000);
    expect(doc.weights.indices.at(-1)).toBe(39_999_999);
    const data = (await readDataset(f, { maxFeatures: 50_000_000 })).dataset;
    const node = (await trainSvm(data, { lambda: 1e-2, syncEvery: 9, workers: 2, seed: 1, backend: 'wasm' })).toJSON();
    expect(doc.weights).toEqual(node.weights);
    expect(doc.bias).toBe(node.bias);
    expect(summary).toMatchObject({ features: 40_000_000, testRows: 120 });
    expect(summary.testAccuracy).toBe(SvmModel.fromJSON(node).evaluate(data).accuracy);
  }, 60_000);

  it('pre-sharded files ({rank} in the path) give the model of the same rows in one file; a missing shard names its rank', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `${i % 4 === 0 ? 1 : -1} 1:${((i * 13) % 17) / 8} 3:${(i % 5) - 2}`);
    const whole = join(tmp(), 'whole.libsvm');
    writeFileSync(whole, rows.join('\n') + '\n');
    // np 2 splits 300 rows as [0, 150) and [150, 300): the same rows as these two shard files.
    writeFileSync(join(tmp(), 'part-0.libsvm'), rows.slice(0, 150).join('\n') + '\n');
    writeFileSync(join(tmp(), 'part-1.libsvm'), rows.slice(150).join('\n') + '\n');
    const a = join(tmp(), 'whole.json');
    const b = join(tmp(), 'parts.json');
    expect(mpi(2, ['train', whole, '--lambda', '1e-3', '--sync-every', '9', '--model', a]).status).toBe(0);
    const r = mpi(2, ['train', join(tmp(), 'part-{rank}.libsvm'), '--lambda', '1e-3', '--sync-every', '9', '--model', b]);
    expect(r.status, r.stderr).toBe(0);
    expect(compare(SvmModel.fromJSON(readFileSync(b, 'utf8')), SvmModel.fromJSON(readFileSync(a, 'utf8'))).identical).toBe(true);
    rmSync(join(tmp(), 'part-1.libsvm'));
    const t0 = Date.now();
    const m = mpi(2, ['train', join(tmp(), 'part-{rank}.libsvm'), '--lambda', '1e-3'], { timeout: 30_000 });
    expect(m.status).not.toBe(0);
    expect(m.stderr).toContain(`error on rank 1 of 2: ${join(tmp(), 'part-1.libsvm')}: cannot open file`);
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 60_000);
});

describeWithSharedData('anyml-mpi on ijcnn1', () => {
  const d = describe.skipIf(!!missing);
  d('OpenMPI and MPICH vs Node workers', () => {
    let train: Dataset;
    let test: Dataset;
    const tmp = mpiWorkspace('anyml-mpi-');
    beforeAll(async () => {
      train = (await readDataset(lib('ijcnn1.gz'))).dataset;
      test = (await readDataset(lib('ijcnn1.t.gz'), { labels: train.labels })).dataset;
    }, 300_000);

    const opts = { lambda: 1e-5, epochs: 5, syncEvery: 100, seed: 1 };
    const args = ['--lambda', '1e-5', '--epochs', '5', '--sync-every', '100', '--seed', '1'];

    async function check(np: number, mpich = false): Promise<SvmModel> {
      const out = join(tmp(), `ijcnn1-${np}${mpich ? '-mpich' : ''}.json`);
      const r = mpi(np, ['train', lib('ijcnn1.gz'), '--test', lib('ijcnn1.t.gz'), ...args, '--model', out, '--json'], { mpich, timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
      expect(summary).toMatchObject({ rows: 49990, features: 22, ranks: np, syncEvery: 100, lambda: 1e-5 });
      expect(summary.history[0]).toHaveProperty('allreduceSeconds');
      const model = SvmModel.fromJSON(readFileSync(out, 'utf8'));
      expect(model.evaluate(test).accuracy).toBeCloseTo(summary.testAccuracy, 12);
      expect(summary.testAccuracy).toBeGreaterThanOrEqual(0.925);
      // The native kernels are the scalar ones, i.e. the 'wasm' engine: the same bits. Node's default engine
      // (wasm-simd) sums dot products in another order, so it is compared within 1e-5 relative.
      const exact = await trainSvm(train, { ...opts, workers: np, backend: 'wasm' });
      const c = compare(model, exact);
      const simd = compare(model, await trainSvm(train, { ...opts, workers: np }));
      console.log(`anyml-mpi np ${np}${mpich ? ' (MPICH)' : ''}: test accuracy ${(summary.testAccuracy * 100).toFixed(2)}%, ` +
        `vs Node wasm: ${c.identical ? 'bit-identical' : `max rel ${c.maxRel}`}; vs Node wasm-simd: ${simd.identical ? 'bit-identical' : `max rel ${simd.maxRel}`}`);
      expect(c.identical, `max rel ${c.maxRel}`).toBe(true);
      expect(simd.maxRel).toBeLessThanOrEqual(1e-5);
      return model;
    }

    it("--lambda auto, np 1–3: the λ of trainSvm lambda 'auto' and the model of workers: P; search seconds vs Node's", async () => {
      const t0 = performance.now();
      const node = await trainSvm(train, { lambda: 'auto', seed: 1, backend: 'wasm' });
      const total = (performance.now() - t0) / 1000;
      const mpiSeconds = await checkLambdaAuto(lib('ijcnn1.gz'), train, 1, tmp(), [1, 2, 3]);
      console.log(`ijcnn1 --lambda auto (λ ${node.lambda}): search ${mpiSeconds.map((s, i) => `np ${i + 1} ${s.toFixed(2)} s`).join(', ')}; ` +
        `Node in-thread search ${node.timing.lambdaSearchSeconds.toFixed(2)} s (whole call ${total.toFixed(2)} s)`);
    }, 300_000);
    it('np 1 equals Node workers: 1', () => check(1), 120_000);
    it('np 2: ≥ 92.5% and the model of Node workers: 2', () => check(2), 120_000);
    it('np 4 --oversubscribe: ≥ 92.5% and the model of Node workers: 4', () => check(4), 120_000);
    it.skipIf(!!missingMpich)('MPICH np 2: the same model as OpenMPI', async () => {
      execFileSync('bash', [join(ROOT, 'scripts/build-mpi.sh'), '--mpich'], { cwd: ROOT, stdio: 'inherit' });
      const m = await check(2, true);
      const open = SvmModel.fromJSON(readFileSync(join(tmp(), 'ijcnn1-2.json'), 'utf8'));
      expect(compare(m, open).identical).toBe(true);
    }, 300_000);
  });
});

describeWithSharedData('anyml-mpi one-vs-rest on the raw multiclass sets', () => {
  const d = describe.skipIf(!!missing);
  // LIBLINEAR's default (-s 1, C = 1) test accuracy (%) on these files, from libsvm/unscaled/README.md.
  const liblinearDefault: Record<string, number> = { satellite: 62.27, vehicle: 70.0, vowel: 39.39, glass: 43.18 };
  const noPredict = missingTool('/usr/bin/liblinear-predict', 'apt-get install liblinear-tools');
  const args = ['--lambda', '1e-4', '--seed', '1'];
  const tmp = mpiWorkspace('anyml-mpi-ovr-');

  d('vehicle --lambda auto', () => {
    it("np 1–3: the λ of trainSvm lambda 'auto' (the one-vs-rest search score) and its model", async () => {
      const f = lib('unscaled/vehicle.train');
      await checkLambdaAuto(f, (await readDataset(f)).dataset, 1, tmp(), [1, 2, 3]);
    }, 180_000);
  });

  for (const set of ['satellite', 'vehicle', 'vowel', 'glass']) {
    d(set, () => {
      it('np 1–4 give one model, each class the binary fit of its relabelled file, the accuracy liblinear-predict gives', async () => {
        const train = join(SHARED_DATA, 'libsvm', 'unscaled', existsSync(lib(`unscaled/${set}.train`)) ? `${set}.train` : `${set}.train.gz`);
        const test = lib(`unscaled/${set}.test`);
        const docs = [1, 2, 3, 4].map((np) => {
          const out = join(tmp(), `${set}-${np}.json`);
          const r = mpi(np, ['train', train, ...args, '--test', test, '--model', out, '--liblinear', join(tmp(), `${set}.model`), '--json']);
          expect(r.status, r.stderr).toBe(0);
          return { doc: withoutWorkers(readFileSync(out, 'utf8')), summary: JSON.parse(r.stdout.trim().split('\n').pop()!) };
        });
        for (const o of docs.slice(1)) expect(o.doc).toEqual(docs[0].doc);
        const { doc, summary } = docs[0];
        expect(doc.trainedWith.scale).toBe('maxabs');
        const text = train.endsWith('.gz') ? gunzipSync(readFileSync(train)).toString('utf8') : readFileSync(train, 'utf8');
        expect(perClassMismatches(join(tmp(), set), text, doc, args)).toEqual([]);
        const acc = (summary.testAccuracy * 100).toFixed(4);
        if (!noPredict) {
          const p = execFileSync('liblinear-predict', [test, join(tmp(), `${set}.model`), join(tmp(), `${set}.pred`)], { encoding: 'utf8' });
          expect(p).toContain(`Accuracy = ${acc}%`);
        }
        console.log(`anyml-mpi one-vs-rest ${set} (${doc.labels.length} classes): test accuracy ${acc}% (LIBLINEAR default ${liblinearDefault[set]}%)`);
        const data = (await readDataset(train)).dataset;
        // The native kernels are the scalar ones, i.e. the 'wasm' engine: the same bits, in-thread and on workers.
        for (const workers of [undefined, 2]) {
          const node = JSON.parse(JSON.stringify(await trainSvm(data, { lambda: 1e-4, seed: 1, backend: 'wasm', ...(workers ? { workers } : {}) })));
          for (const key of ['features', 'weights', 'bias', 'labels', 'lambda']) expect(doc[key], `${key}, workers ${workers}`).toEqual(node[key]);
          expect(doc.trainedWith).toMatchObject({ epochs: node.trainedWith.epochs, multiclass: 'one-vs-rest' });
        }
      }, 120_000);
    });
  }
});
