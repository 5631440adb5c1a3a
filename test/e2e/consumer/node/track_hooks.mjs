// SPDX-License-Identifier: MIT
// Module hooks (node --import ./track.mjs): appends every ES module URL Node resolves to $TRACK_FILE.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.TRACK_FILE, `${r.url}\n`);
  return r;
}
