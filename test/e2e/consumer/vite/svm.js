// SPDX-License-Identifier: MIT
// An SVM-only page of a user's vite app: in-thread training and two Web Workers. Writes one JSON object into #out.
import { makeClassification, trainSvm } from 'anyml';

const out = document.getElementById('out');
const res = { isolated: globalThis.crossOriginIsolated === true };
try {
  const { train, test } = makeClassification({ rows: 4000, features: 50, seed: 1, testFraction: 0.25 });
  const a = await trainSvm(train, { lambda: 1e-3, seed: 1 });
  res.inThread = { backend: a.backend, accuracy: a.evaluate(test).accuracy };
  const b = await trainSvm(train, { lambda: 1e-3, seed: 1, workers: 2 });
  res.workers = { transport: b.trainedWith.transport, accuracy: b.evaluate(test).accuracy };
} catch (e) {
  res.error = String(e?.stack ?? e);
}
out.textContent = JSON.stringify(res);
out.dataset.done = 'true';
