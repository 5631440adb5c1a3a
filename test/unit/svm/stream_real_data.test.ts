// SPDX-License-Identifier: MIT
// ijcnn1 streamed from disk in windows of 1,000 rows, one pass: test accuracy within 1 point of batch trainSvm.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readDataset } from '../../../src/io/node.js';
import { libsvmWindows } from '../../../src/io/windows.js';
import { createSvmStream } from '../../../src/svm/stream.js';
import { trainSvm } from '../../../src/svm/train.js';
import { describeWithSharedData, SHARED_DATA } from '../../helpers/shared_data.js';

const dir = join(SHARED_DATA, 'libsvm');

describeWithSharedData('streaming SVM on ijcnn1', () => {
  it('one pass in windows of 1,000 rows reaches batch accuracy minus 1 point (default options)', async () => {
    const stream = await createSvmStream();
    // A Node stream is an AsyncIterable<Buffer>; gzip is recognised by its magic bytes (DecompressionStream).
    for await (const batch of libsvmWindows(createReadStream(join(dir, 'ijcnn1.gz')), { window: 1000, name: 'ijcnn1.gz' })) {
      expect(batch.x.rows).toBeLessThanOrEqual(1000);
      await stream.partialFit(batch);
    }
    expect(stream.seen).toBe(49990);
    const model = stream.model();
    stream.dispose();
    const test = (await readDataset(join(dir, 'ijcnn1.t.gz'), { labels: model.labels })).dataset;
    const accuracy = model.evaluate(test).accuracy;
    // Batch trainSvm with default options gives 0.9281 here (10 epochs, λ = 1e-5 chosen by validation); about 0.3 s.
    const train = (await readDataset(join(dir, 'ijcnn1.gz'))).dataset;
    const batch = (await trainSvm(train)).evaluate(test).accuracy;
    console.log(`ijcnn1 test accuracy: stream ${(accuracy * 100).toFixed(2)}%, batch ${(batch * 100).toFixed(2)}%`);
    expect(accuracy).toBeGreaterThanOrEqual(batch - 0.01);
    expect(accuracy).toBeGreaterThanOrEqual(0.9181);
  }, 60000);
});
