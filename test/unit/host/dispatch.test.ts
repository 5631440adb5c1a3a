// SPDX-License-Identifier: MIT
// The host's dispatcher over a real test-provider child: a provider's extra numbers (the test provider reports its
// pid) stay in the host, so the result the host sends passes the client's own parser.
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/host/protocol.js';
import { hostDispatcher, protocolStages } from '../../../native-host/dispatch.js';
import { Scheduler } from '../../../native-host/scheduler.js';
import { ProviderProcess } from '../../../native-host/supervisor.js';

const worker = new URL('../../../dist/native-host/providers/test_worker.js', import.meta.url);
let s: Scheduler | undefined;
afterEach(async () => s?.shutdown({ mode: 'cancel' }));

describe('hostDispatcher', () => {
  it('answers through the scheduler with protocol stages only, which the client parses', async () => {
    s = new Scheduler([new ProviderProcess({ name: 'test', worker, onLog: () => {} })]);
    const d = hostDispatcher(s, [{ name: 'test', kind: 'cpu', available: true }]);
    const r = await d.infer({ type: 'infer', id: 1, provider: 'test', width: 3, height: 2, depth: 1, dtype: 'float32', payloadBytes: 24 }, Float32Array.of(1, 2, 3, 4, 5, 6), new AbortController().signal);
    expect(Array.from(r.data)).toEqual([2, 4, 6, 8, 10, 12]);
    expect(Object.keys(r.stages).sort()).toEqual(['model', 'queue', 'total']);
    const msg = parseMessage({ type: 'result', id: 1, provider: r.provider, width: 3, height: 2, stages: r.stages, payloadBytes: 24 }, 'host');
    expect(msg).toMatchObject({ type: 'result', provider: 'test' });
  });

  it('protocolStages keeps the known finite numbers and fills queue, model and total', () => {
    expect(protocolStages({ model: 3, stitch: 1, pid: 123, finetune: Number.NaN })).toEqual({ queue: 0, model: 3, stitch: 1, total: 0 });
  });
});
