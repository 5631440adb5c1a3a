// SPDX-License-Identifier: MIT
// The tfjs side of TomoGAN inference and training: the active tfjs backend (one per process), tfjs-wasm's setup
// and threads, gradients for training, and a forward pass on whatever tfjs backend is active.
import { tomoganPlatform } from '#tomogan-platform';
import { InvalidInputError } from '../../errors.js';
import type { Generator } from '../model.js';
import { tf } from '../tf.js';
import type { TfBackendName } from '../types.js';

let wasmImported: Promise<unknown> | undefined;
let wasmThreads = false;

/**
 * Lets tfjs-wasm use its threaded build in cross-origin-isolated pages (off by default). Only for bundles that are
 * not minified: tfjs starts its pthread workers from the source text of a function, which minifiers break
 * (docs/toolchain.md). tfjs sizes the pool at half of navigator.hardwareConcurrency. Node has no threaded tfjs-wasm
 * build. Call it before the first wasm use.
 * @example setWasmThreads(true); // a vite app built with build.minify: false, served with COOP/COEP
 */
export function setWasmThreads(enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new InvalidInputError('setWasmThreads: enabled', String(enabled), 'true or false');
  if (wasmImported && enabled !== wasmThreads) throw new InvalidInputError('setWasmThreads', String(enabled), 'a call before the wasm backend first runs (it has started already)');
  wasmThreads = enabled;
}

/** Imports tfjs-backend-wasm once, gives it its binaries (#tomogan-platform) and applies setWasmThreads. */
export async function registerTfWasm(): Promise<void> {
  wasmImported ??= import('@tensorflow/tfjs-backend-wasm').then((m) => {
    tomoganPlatform.configureTfWasm(m);
    if (!wasmThreads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  });
  await wasmImported;
}

let gradients: Promise<void> | undefined;

/** Registers tfjs-core's gradient functions once (training needs them; inference pages never load them). */
export function useGradients(): Promise<void> {
  gradients ??= tomoganPlatform.registerGradients();
  return gradients;
}

/**
 * The backend set by the last successful setBackend, or null. Unlike tf.getBackend(), it does not start the
 * highest-priority backend on the side (which, after a failed setBackend('wasm'), names a backend that never initialised).
 */
export function activeTfBackend(): string | null {
  return (tf.engine() as unknown as { backendName: string | null }).backendName ?? null;
}

/** Makes `name` the active tfjs backend, after `prepare` (importing and registering it) the first time. */
export async function setTfBackend(name: TfBackendName, prepare?: () => Promise<void>): Promise<void> {
  if (activeTfBackend() === name) return;
  await prepare?.();
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

/** One forward pass on the active tfjs backend over n NHWC windows; returns the n × th × tw outputs. */
export async function tfForward(model: Generator, windows: Float32Array, n: number, th: number, tw: number): Promise<Float32Array> {
  const x = tf.tensor4d(windows, [n, th, tw, model.depth]);
  let y: tf.Tensor4D;
  try {
    y = model.forward(x);
  } finally {
    x.dispose();
  }
  try {
    return (await y.data()) as Float32Array;
  } finally {
    y.dispose();
  }
}
