// SPDX-License-Identifier: MIT
// The wasm export list and the TS mirrors of the C enums must match cpp/include/anyml/*.h.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ANYML_STATUS, OPTION_FIELDS, SCHEDULE_CODE, STATE_SLOT } from '../../../../src/backends/wasm/abi.js';

const root = new URL('../../../..', import.meta.url);
const incDir = new URL('cpp/include/anyml/', root);
const headers = readdirSync(incDir).filter((f) => f.endsWith('.h')).map((f) => readFileSync(new URL(f, incDir), 'utf8'));
// Comments out, so prose in them cannot look like declarations.
const code = headers.join('\n').replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');

/** Names of functions declared in the headers: `<type> name(` at top level, ending with `;`. */
function declaredFunctions(): string[] {
  const names = [...code.matchAll(/^\s*(?:const\s+)?[a-z_][a-z0-9_]*\s*\**\s*([a-z_][a-z0-9_]*)\s*\([^;{]*\)\s*;/gm)].map((m) => m[1]);
  return [...new Set(names)].sort();
}

/** NAME = value pairs from the enums. */
function enumValues(): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of code.matchAll(/\b([A-Z][A-Z0-9_]+)\s*=\s*(\d+)/g)) out.set(m[1], Number(m[2]));
  return out;
}

describe('C ABI', () => {
  it('wasm/exports.txt lists exactly the extern "C" functions of cpp/include', () => {
    const listed = readFileSync(new URL('wasm/exports.txt', root), 'utf8')
      .split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean).sort();
    const declared = declaredFunctions();
    expect(declared.length).toBeGreaterThan(10);
    expect(listed).toEqual(declared);
  });

  it('status codes, schedule codes and state slots match the header', () => {
    const e = enumValues();
    for (const [k, v] of Object.entries(ANYML_STATUS)) expect([k, e.get(k)]).toEqual([k, v]);
    for (const [k, v] of Object.entries(STATE_SLOT)) expect([k, e.get(k)]).toEqual([k, v]);
    expect(e.get('SGD_SVM_PEGASOS')).toBe(SCHEDULE_CODE.pegasos);
    expect(e.get('SGD_SVM_SEED_ALPHA')).toBe(SCHEDULE_CODE['seed-alpha']);
    expect(e.get('SGD_SVM_PAPER')).toBe(SCHEDULE_CODE.paper);
  });

  it('sgd_svm_options fields are 8 doubles in the order abi.ts writes them', () => {
    const body = /typedef struct sgd_svm_options \{([\s\S]*?)\}/.exec(code)![1];
    const fields = [...body.matchAll(/double\s+([a-z_]+)\s*;/g)].map((m) => m[1]);
    expect(fields).toEqual([...OPTION_FIELDS]);
  });
});
