// SPDX-License-Identifier: MIT
// Native messaging overhead: the browser's side written by hand (4-byte length + JSON, base64 payload, < 1 MB
// chunks back), against `anyml host --stdio` on the cpu provider.
import { spawn } from 'node:child_process';
import { benchEnv, bin, median, ramp } from './host_proc.mjs';

export async function nativeMessagingOverhead(a, { size, reps }) {
  const env = benchEnv(); // native messaging needs no token: the browser that starts the host is the check
  const nm = spawn(process.execPath, [bin, 'host', '--stdio'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const reader = new a.NativeMessageReader();
  const queue = [];
  let wake = () => {};
  nm.stdout.on('data', (c) => (queue.push(...reader.push(new Uint8Array(c))), wake()));
  const next = async () => {
    while (!queue.length) await new Promise((r) => (wake = r));
    return queue.shift();
  };
  nm.stdin.write(a.encodeNativeMessage({ type: 'hello', protocol: 1, client: 'bench', token: '' }));
  await next();
  const data = ramp(size * size);
  const over = [];
  for (let r = 0; r <= reps; r++) {
    const t = performance.now();
    const req = a.attachNativePayload({ type: 'infer', id: r + 1, provider: 'cpu', width: size, height: size, depth: 1, dtype: 'float32', payloadBytes: data.byteLength }, data);
    nm.stdin.write(a.encodeNativeMessage(req, 64 << 20));
    const asm = new a.NativeResultAssembler();
    let header;
    for (let done; !done; ) {
      const m = await next();
      if (m.type === 'result') header = m;
      done = asm.push(m);
    }
    if (r > 0) over.push(performance.now() - t - header.stages.total);
  }
  nm.stdin.end();
  return { front: 'native messaging (stdio)', provider: 'cpu', overheadMs: median(over) };
}
