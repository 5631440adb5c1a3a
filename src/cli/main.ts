// SPDX-License-Identifier: MIT
// The `anyml` command line. Exit codes: 0 ok, 1 internal error, 2 bad input or usage.

import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { AnymlError, InvalidInputError } from '../errors.js';
import { registerDenoiseCommand } from './denoise.js';
import { registerSvmCommands } from './svm.js';
import { registerTomoganCommands } from './tomogan.js';
import { registerHostCommands } from './host.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('anyml')
    .description('Scientific ML anywhere: linear SVM on WASM SIMD (and MPI), TomoGAN restoration.')
    .version(version(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  registerSvmCommands(program);
  registerDenoiseCommand(program);
  registerTomoganCommands(program);
  registerHostCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return report(err);
  }
}

// src/cli and dist/cli are both two levels below the package root.
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // Help and version exit through here with code 0; everything else commander rejects is a usage error.
    return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
  }
  if (err instanceof InvalidInputError || err instanceof InvalidArgumentError) {
    process.stderr.write(`anyml: error: ${err.message}\n`);
    return 2;
  }
  if (err instanceof AnymlError) {
    process.stderr.write(`anyml: error: ${err.message}\n`);
    // An abort by signal keeps the handler's 128 + signal (130 SIGINT, 143 SIGTERM); other aborts are Ctrl-C's 130.
    return err.code !== 'ABORTED' ? 1 : typeof process.exitCode === 'number' && process.exitCode > 128 ? process.exitCode : 130;
  }
  process.stderr.write(`anyml: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}
