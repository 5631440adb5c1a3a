// SPDX-License-Identifier: MIT
// One loader for browsers, workers and Node: feature probe, memoised per-flavour module load, clear load errors.
import { platform } from '#platform';
import { WasmLoadError } from '../../errors.js';
import type { AnymlCore } from './abi.js';
import createScalarCore, { type AnymlCoreOptions } from '../../../wasm/dist/anyml-core.mjs';
import createSimdCore from '../../../wasm/dist/anyml-core-simd.mjs';

/** Which binary: `simd` = anyml-core-simd (needs WebAssembly SIMD), `scalar` = anyml-core (runs everywhere). */
export type CoreFlavour = 'simd' | 'scalar';

/**
 * Smallest module that uses a SIMD instruction from the final proposal (wasm-feature-detect's probe):
 *   (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt))
 * i8x16.popcnt (0xfd 0x62) was renumbered late, so engines with a pre-standard SIMD reject it too.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x0a, 0x01, 0x08, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b, // code: i32.const 0, i8x16.splat, popcnt
]);

let simdProbe: Promise<boolean> | undefined;

/** Whether this engine validates WebAssembly SIMD (memoised). @example if (await hasSimd()) await loadCore('simd'); */
export function hasSimd(): Promise<boolean> {
  simdProbe ??= Promise.resolve().then(() => typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE));
  return simdProbe;
}

const cores = new Map<CoreFlavour, Promise<AnymlCore>>();

/**
 * Loads (once per flavour) and instantiates the wasm core. A failed load is forgotten, so a later call retries.
 * @example const core = await loadCore((await hasSimd()) ? 'simd' : 'scalar');
 */
export function loadCore(flavour: CoreFlavour): Promise<AnymlCore> {
  let p = cores.get(flavour);
  if (!p) {
    p = load(flavour);
    cores.set(flavour, p);
    p.catch(() => cores.delete(flavour));
  }
  return p;
}

async function load(flavour: CoreFlavour): Promise<AnymlCore> {
  const file = flavour === 'simd' ? 'anyml-core-simd' : 'anyml-core';
  if (flavour === 'simd' && !(await hasSimd())) {
    throw new WasmLoadError(`cannot load ${file}.wasm: WebAssembly SIMD unsupported by this engine: use backend 'wasm'`);
  }
  // Literal URLs next to static glue imports, so bundlers see, copy and rewrite both (a worker bundle with dynamic
  // imports would need code splitting, which classic-script worker formats lack). Same depth from src/ and dist/.
  const wasmUrl =
    flavour === 'simd'
      ? new URL('../../../wasm/dist/anyml-core-simd.wasm', import.meta.url)
      : new URL('../../../wasm/dist/anyml-core.wasm', import.meta.url);
  const factory = (flavour === 'simd' ? createSimdCore : createScalarCore) as (o?: AnymlCoreOptions) => Promise<AnymlCore>;
  const printed: string[] = [];
  const options: AnymlCoreOptions = { print: () => {}, printErr: (t) => void printed.push(t) };
  // The bytes are read here (file: in Node, fetch elsewhere) rather than by the glue, so a failure names the file.
  try {
    options.wasmBinary = await platform.readUrl(wasmUrl);
  } catch (e) {
    throw new WasmLoadError(
      `cannot read ${file}.wasm at ${wasmUrl.href}: ${errText(e)}. ` +
        (platform.isNode
          ? 'Build it with npm run build:wasm (or reinstall the package, which ships wasm/dist).'
          : 'Serve wasm/dist next to the bundle with Content-Type application/wasm.'),
      { cause: e },
    );
  }
  try {
    return await factory(options);
  } catch (e) {
    const detail = printed.length ? ` (${printed.join('; ')})` : '';
    throw new WasmLoadError(
      `cannot instantiate ${file}.wasm from ${wasmUrl.href}: ${errText(e)}${detail}. ` +
        'The file may be truncated or stale: run npm run build:wasm.',
      { cause: e },
    );
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
