// SPDX-License-Identifier: MIT
// denoise(): backend parity, bad input, progress, abort.
import { describe, expect, it } from 'vitest';
import { AbortError, InvalidInputError } from '../../../src/errors.js';
import { setWasmThreads } from '../../../src/tomogan/backends/index.js';
import { denoise } from '../../../src/tomogan/denoise.js';
import { createGenerator } from '../../../src/tomogan/model.js';
import { nativeAvailable } from '../../../src/tomogan/backends/native.js';
import { randomImage, relErr } from '../../helpers/tomogan.js';

const g1 = createGenerator({ seed: 31 });
const g3 = createGenerator({ depth: 3, widths: 'paper', seed: 32 });

/** Backend parity tolerances: max |a − b| / max |ref| against cpu (float32 summation order differs). */
const TOLERANCE = { wasm: 1e-5 } as const;

describe('denoise backends', () => {
  it(`cpu vs wasm agree within ${TOLERANCE.wasm} relative (64×56, and 3-slice paper widths 40×48)`, async () => {
    for (const [img, model] of [
      [randomImage(64, 56, 1, 5), g1],
      [randomImage(40, 48, 3, 6), g3],
    ] as const) {
      const cpu = await denoise(img, { model, backend: 'cpu' });
      const wasm = await denoise(img, { model, backend: 'wasm' });
      expect([cpu.backend, wasm.backend]).toEqual(['cpu', 'wasm']);
      expect(relErr(wasm.image.data, cpu.image.data)).toBeLessThan(TOLERANCE.wasm);
      expect(cpu.image.data.some((v) => v !== 0)).toBe(true);
    }
  });

  it("'auto' runs native (onnxruntime-node) in Node, or wasm without it, and reports it", async () => {
    const r = await denoise(randomImage(24, 16), { model: g1 });
    expect(r.backend).toBe((await nativeAvailable()) ? 'native' : 'wasm');
    expect(r.tiles).toBe(1);
    expect(r.ms).toBeGreaterThan(0);
    expect([r.image.width, r.image.height, r.image.depth, r.image.data.length]).toEqual([24, 16, 1, 384]);
  });

  it('handles images smaller than 8 px (reflect-pad, crop back)', async () => {
    const r = await denoise(randomImage(3, 1), { model: g1, backend: 'wasm' });
    expect(r.image.data.length).toBe(3);
    expect(r.image.data.every(Number.isFinite)).toBe(true);
  });
});

describe('denoise progress and abort', () => {
  it('onProgress counts tiles (batch 3 → calls at 3, 6, 8 of 8)', async () => {
    const calls: [number, number][] = [];
    const r = await denoise(randomImage(64, 32), { model: g1, backend: 'wasm', tile: 16, halo: 8, batch: 3, onProgress: (d, t) => calls.push([d, t]) });
    expect(r.tiles).toBe(8);
    expect(calls).toEqual([[3, 8], [6, 8], [8, 8]]);
  });

  it('an AbortSignal stops between tiles', async () => {
    const ac = new AbortController();
    let n = 0;
    const p = denoise(randomImage(64, 32), {
      model: g1,
      backend: 'wasm',
      tile: 16,
      halo: 8,
      signal: ac.signal,
      onProgress: (d) => {
        n = d;
        if (d === 2) ac.abort();
      },
    });
    await expect(p).rejects.toThrow(AbortError);
    await expect(p).rejects.toThrow(/after 2 of 8 tiles/);
    expect(n).toBe(2);
    const pre = new AbortController();
    pre.abort();
    await expect(denoise(randomImage(8, 8), { model: g1, signal: pre.signal })).rejects.toThrow(AbortError);
  });
});

describe('denoise bad input', () => {
  const img = () => randomImage(16, 16);
  it('NaN / Inf pixels name the position', async () => {
    const a = img();
    a.data[16 * 3 + 5] = NaN;
    await expect(denoise(a, { model: g1, backend: 'wasm' })).rejects.toThrow(/NaN at slice 0, row 3, column 5.*finite/);
    const b = img();
    b.data[0] = -Infinity;
    await expect(denoise(b, { model: g1, backend: 'wasm' })).rejects.toThrow(InvalidInputError);
  });
  it('0-size images', async () => {
    await expect(denoise({ width: 0, height: 16, depth: 1, data: new Float32Array(0) }, { model: g1 })).rejects.toThrow(/width.*got 0.*0-size/);
  });
  it('wrong depth names what was expected', async () => {
    await expect(denoise(randomImage(16, 16, 3), { model: g1 })).rejects.toThrow(/depth: got 3, expected 1 \(the model's input depth/);
    await expect(denoise(img(), { model: g3 })).rejects.toThrow(/depth: got 1, expected 3 \(.*3 adjacent slices/);
  });
  it('data length mismatch, missing model, bad batch', async () => {
    await expect(denoise({ width: 4, height: 4, depth: 1, data: new Float32Array(15) }, { model: g1 })).rejects.toThrow(/15 values.*16/);
    await expect(denoise(img(), {} as never)).rejects.toThrow(/options.model/);
    await expect(denoise(img(), { model: g1, batch: 0 })).rejects.toThrow(/batch/);
  });
});

describe('setWasmThreads', () => {
  it('takes a boolean, and only before the wasm backend has started', async () => {
    expect(() => setWasmThreads('yes' as never)).toThrow('setWasmThreads: enabled: got yes, expected true or false');
    await denoise(randomImage(16, 16), { model: createGenerator({ seed: 1 }), backend: 'wasm' });
    setWasmThreads(false); // the setting in force: a no-op
    expect(() => setWasmThreads(true)).toThrow(/before the wasm backend first runs/);
  });
});
