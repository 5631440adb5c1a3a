// SPDX-License-Identifier: MIT
// A TomoGAN page of a user's vite app: the shipped weights, a low-dose slice simulated in the page, denoise on wasm
// and the int8 edge model, and, with ?webgpu and an adapter, on webgpu (a smaller slice: software adapters are slow). Writes JSON into #out.
import { phantom, simulateLowDose, ssim } from 'anyml';
import { denoise, loadDefaultEdgeModel, loadDefaultWeights, webgpuAdapterInfo } from 'anyml/tomogan';

const out = document.getElementById('out');
const res = { isolated: globalThis.crossOriginIsolated === true };
function range(img) {
  let lo = Infinity, hi = -Infinity;
  for (const v of img.data) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  return hi - lo;
}
try {
  const model = await loadDefaultWeights();
  res.params = model.paramCount;
  const { lowDose, clean } = simulateLowDose(phantom('shepp-logan', 128), { photons: 1000, angles: 201, seed: 3 });
  const o = { dataRange: range(clean) };
  const r = await denoise(lowDose, { model, backend: 'wasm' });
  res.wasm = { backend: r.backend, scaled: r.scaled, ssimInput: ssim(lowDose, clean, o), ssimOutput: ssim(r.image, clean, o) };
  // The shipped int8 edge model (its edge.json an asset of anyml) on the reference runtime (the wasm core's q8_conv2d).
  const e = await denoise(lowDose, { model: await loadDefaultEdgeModel(), runtime: 'reference' });
  res.edge = { backend: e.backend, ssimOutput: ssim(e.image, clean, o) };
  if (new URLSearchParams(location.search).has('webgpu')) {
    const info = await webgpuAdapterInfo();
    res.webgpu = { adapter: info && `${info.vendor} / ${info.architecture}` };
    if (info) {
      const small = simulateLowDose(phantom('shepp-logan', 64), { photons: 1000, angles: 101, seed: 4 }).lowDose;
      const [g, w] = [await denoise(small, { model, backend: 'webgpu' }), await denoise(small, { model, backend: 'wasm' })];
      let d = 0;
      for (let i = 0; i < g.image.data.length; i++) d = Math.max(d, Math.abs(g.image.data[i] - w.image.data[i]));
      Object.assign(res.webgpu, { backend: g.backend, relDiffVsWasm: d / range(w.image) });
    }
  }
} catch (e) {
  res.error = String(e?.stack ?? e);
}
out.textContent = JSON.stringify(res);
out.dataset.done = 'true';
