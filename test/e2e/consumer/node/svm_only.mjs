// SPDX-License-Identifier: MIT
// `import { trainSvm } from 'anyml'` and a small fit, run under track.mjs: the test reads which modules loaded.
import { makeClassification, trainSvm } from 'anyml';

const m = await trainSvm(makeClassification({ rows: 1000, features: 20, seed: 1 }), { lambda: 1e-3 });
console.log(JSON.stringify({ backend: m.backend }));
