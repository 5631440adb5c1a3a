// SPDX-License-Identifier: MIT
// A user's page that pairs with a local `anyml host` (?url=…&token=…, what `anyml host pair --json` prints) and
// denoises a slice there; when no host answers, it runs the same slice locally. Writes JSON into #out.
import { connectHost, phantom, simulateLowDose } from 'anyml';
import { denoise, loadDefaultWeights } from 'anyml/tomogan';

const out = document.getElementById('out');
const res = {};
try {
  const q = new URLSearchParams(location.search);
  const model = await loadDefaultWeights();
  const { lowDose } = simulateLowDose(phantom('shepp-logan', 96), { photons: 1000, angles: 151, seed: 5 });
  let host = null;
  try {
    host = await connectHost({ url: q.get('url'), token: q.get('token'), timeoutMs: 1000 });
    res.providers = host.providers.map((p) => `${p.name}:${p.available}`);
  } catch (e) {
    res.connect = { code: e.code, fallback: e.fallback };
  }
  const r = await denoise(lowDose, { model, ...(host ? { backend: 'host', host } : { backend: 'wasm' }) });
  const local = await denoise(lowDose, { model, backend: 'wasm' });
  let d = 0;
  for (let i = 0; i < r.image.data.length; i++) d = Math.max(d, Math.abs(r.image.data[i] - local.image.data[i]));
  res.backend = r.backend;
  res.maxDiffVsWasm = d;
  host?.close();
} catch (e) {
  res.error = String(e?.stack ?? e);
}
out.textContent = JSON.stringify(res);
out.dataset.done = 'true';
