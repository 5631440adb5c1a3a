// SPDX-License-Identifier: MIT
// The volume files of `anyml/node` as a user's program drives them: openVolume is denoiseVolume's source and
// openVolumeOutput its sink, for a float32 TIFF stack, an HDF5 dataset and a `{i}` pattern; the stack is written
// under `<out>.partial` until finish(true).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openVolume, openVolumeOutput, partialName } from '../../../src/node.js';
import { denoise } from '../../../src/tomogan/denoise.js';
import { createGenerator } from '../../../src/tomogan/model.js';
import { denoiseVolume } from '../../../src/tomogan/volume.js';
import { randomImage } from '../../helpers/tomogan.js';

const S = 32;
const slices = Array.from({ length: 4 }, (_v, k) => randomImage(S, S, 1, 40 + k));
const dir = mkdtempSync(join(tmpdir(), 'anyml-volfiles-'));
const gen = createGenerator({ depth: 1, seed: 3 });
afterAll(() => gen.dispose());

describe('openVolume / openVolumeOutput', () => {
  for (const [name, dataset] of [['stack.tif', undefined], ['stack.h5', '/recon/slices'], ['slice_{i:3}.npy', undefined]] as const) {
    it(`${name}: slices written are the slices read back; a stack is final only after finish(true)`, async () => {
      const path = join(dir, name);
      const out = await openVolumeOutput({ path, width: S, height: S, dataset, indices: [0, 1, 2, 3] });
      expect(out.done).toBe(0);
      for (let k = 0; k < slices.length; k++) await out.write(k, k % 2 ? slices[k] : slices[k].data);
      if (!name.includes('{i')) expect(existsSync(partialName(path))).toBe(true);
      await out.finish(true);
      if (!name.includes('{i')) expect([existsSync(path), existsSync(partialName(path))]).toEqual([true, false]);
      const vol = await openVolume(path, dataset);
      expect([vol.width, vol.height, vol.depth, vol.dataset]).toEqual([S, S, 4, name.endsWith('.h5') ? dataset : undefined]);
      for (let k = 0; k < slices.length; k++) expect(await vol.slice(k)).toEqual(slices[k].data);
      await vol.close();
    });
  }

  it('a stack refuses a slice out of order, naming it and the one expected', async () => {
    const out = await openVolumeOutput({ path: join(dir, 'order.tif'), width: S, height: S });
    await out.write(5, slices[0]);
    await expect(out.write(7, slices[1])).rejects.toThrow(/order\.tif\.partial: slice 7.*expected slice 6/);
    await out.finish(false);
    const ranged = await openVolumeOutput({ path: join(dir, 'ranged.h5'), width: S, height: S, indices: [2, 3] });
    await expect(ranged.write(0, slices[0])).rejects.toThrow(/slice 0.*expected slice 2/);
    await ranged.finish(false);
  });

    it('drive denoiseVolume: the output stack holds the per-slice denoise results', async () => {
    const src = await openVolume(join(dir, 'stack.tif'));
    const out = await openVolumeOutput({ path: join(dir, 'denoised.tif'), width: S, height: S });
    await denoiseVolume(src, out, { model: gen, backend: 'cpu' });
    await out.finish(true);
    await src.close();
    const back = await openVolume(join(dir, 'denoised.tif'));
    for (const k of [0, 3]) expect(await back.slice(k)).toEqual((await denoise(slices[k], { model: gen, backend: 'cpu' })).image.data);
    await back.close();
  });
});
