// SPDX-License-Identifier: MIT
// A Node user's SVM script: in-thread training, streaming training and two workers. Prints one JSON line.
import { createSvmStream, libsvmWindows, makeClassification, trainSvm } from 'anyml';

const { train, test } = makeClassification({ rows: 6000, features: 50, seed: 1, testFraction: 0.25 });
const inThread = await trainSvm(train, { seed: 1 });
const workers = await trainSvm(train, { seed: 1, lambda: inThread.lambda, workers: 2 });

// Streaming: the training rows as LIBSVM text, cut into windows of 500 rows.
const lines = [];
for (let i = 0; i < train.x.rows; i++) {
  const { indptr, indices, values } = train.x;
  const feats = [];
  for (let k = indptr[i]; k < indptr[i + 1]; k++) feats.push(`${indices[k] + 1}:${values[k]}`);
  lines.push(`${train.y[i] > 0 ? '+1' : '-1'} ${feats.join(' ')}`);
}
// createSvmStream scales like trainSvm (running max-abs), so it takes the batch fit's λ. One pass of 4,500 rows is
// short of the default burn-in (6/λ samples) before averaging: start averaging after the first window instead.
const stream = await createSvmStream({ seed: 1, lambda: inThread.lambda, averageStart: 500 }); // one pass
let batches = 0;
for await (const batch of libsvmWindows(lines.join('\n') + '\n', { window: 500 })) {
  await stream.partialFit(batch);
  batches++;
}
console.log(JSON.stringify({
  inThread: { backend: inThread.backend, lambda: inThread.lambda, accuracy: inThread.evaluate(test).accuracy },
  workers: { transport: workers.trainedWith.transport, accuracy: workers.evaluate(test).accuracy },
  stream: { batches, accuracy: stream.model().evaluate(test).accuracy },
}));
