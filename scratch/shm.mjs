import { fork } from 'node:child_process';
import { openSync, readSync, writeSync, mkdtempSync } from 'node:fs';
const isChild = process.argv[2] === 'child';
if (isChild) {
  let fin, fout;
  process.on('message', (m) => {
    if (m.dir) { fin = openSync(m.dir + '/in', 'r'); fout = openSync(m.dir + '/out', 'w+'); return; }
    let data;
    if (m.shm) { data = new Float32Array(m.shm / 4); readSync(fin, data, 0, m.shm, 0); } else data = m.data;
    const out = new Float32Array(data.length); for (let i = 0; i < out.length; i++) out[i] = data[i] * 2;
    if (m.shm) { writeSync(fout, out, 0, out.byteLength, 0); process.send({ shm: out.byteLength }); } else process.send({ data: out });
  });
} else {
  const c = fork(new URL(import.meta.url).pathname, ['child'], { serialization: 'advanced' });
  const dir = mkdtempSync('/dev/shm/anyml-x-');
  const fin = openSync(dir + '/in', 'w+'); openSync(dir + '/out', 'w+');
  c.send({ dir });
  const fout = openSync(dir + '/out', 'r');
  const data = Float32Array.from({ length: 1 << 20 }, (_, i) => i % 251);
  const once = () => new Promise((r) => c.once('message', r));
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  for (const mode of ['ipc', 'shm', 'ipc', 'shm']) {
    const xs = [];
    for (let r = 0; r < 11; r++) {
      const t = performance.now();
      if (mode === 'ipc') { c.send({ data }); const m = await once(); }
      else { writeSync(fin, data, 0, data.byteLength, 0); c.send({ shm: data.byteLength }); const m = await once(); const out = new Float32Array(m.shm / 4); readSync(fout, out, 0, m.shm, 0); }
      xs.push(performance.now() - t);
    }
    console.log(mode, median(xs).toFixed(1), xs.map((x) => x.toFixed(0)).join(' '));
  }
  c.kill(); process.exit(0);
}
