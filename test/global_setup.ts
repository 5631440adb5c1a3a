// SPDX-License-Identifier: MIT
// Builds dist/ (tsc + the vite browser bundle) once before the Node tests, so CLI tests run the real `bin/anyml.js` on the current sources.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}
