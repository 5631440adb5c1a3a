// SPDX-License-Identifier: MIT
// Builds dist/ once before the Node tests, so CLI tests run the real `bin/anyml.js` on the current sources.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
