// SPDX-License-Identifier: MIT
// The host's dispatcher: what both front ends (ws_server.ts, stdio_server.ts) call for a request, over the scheduler.
import type { ProviderInfo, Stages } from 'anyml';
import type { Scheduler } from './scheduler.js';
import type { Dispatcher } from './ws_server.js';

/** The stage names protocol v1 carries; a provider's other numbers (diagnostics) stay in the host. */
const STAGE_NAMES = ['queue', 'model', 'stitch', 'finetune', 'total'] as const;

/** A provider's stages as protocol v1 carries them: the known names only, queue / model / total always present. */
export function protocolStages(s: Record<string, number | undefined>): Stages {
  const out: Record<string, number> = { queue: 0, model: 0, total: 0 };
  for (const k of STAGE_NAMES) if (typeof s[k] === 'number' && Number.isFinite(s[k])) out[k] = s[k] as number;
  return out as unknown as Stages;
}

/** Requests to the scheduler; `provider` defaults to cpu, the one provider every host has. */
export function hostDispatcher(s: Scheduler, infos: ProviderInfo[]): Dispatcher {
  let id = 0;
  return {
    providers: () => infos,
    async infer(req, data, signal) {
      const provider = req.provider ?? 'cpu';
      // The client sends the image already on TomoGAN's 0…255 scale (it scales and unscales itself).
      const r = await s.submit(provider, { id: ++id, width: req.width, height: req.height, depth: req.depth, data, options: { scale: 'none' } }, { signal });
      return { provider: r.provider, data: r.data, stages: protocolStages(r.stages) };
    },
  };
}
