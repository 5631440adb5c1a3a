// SPDX-License-Identifier: MIT
// CLI process entry: runs main() and sets the exit code.

import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
