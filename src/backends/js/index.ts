// SPDX-License-Identifier: MIT
// The js engine: the plain-TS SGD-SVM solver, always available, and the reference the other engines must match.
import type { SvmEngine } from '../../svm/engine.js';
import { JsSgdSvm } from './sgd_svm.js';

export { JsSgdSvm } from './sgd_svm.js';

/**
 * @example const s = jsEngine.createSolver(x, y, opts); s.runEpoch(); const { w, bias } = s.weights(); s.dispose();
 */
export const jsEngine: SvmEngine = {
  name: 'js',
  createSolver: (x, y, opts) => new JsSgdSvm(x, y, opts),
};
