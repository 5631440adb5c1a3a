// SPDX-License-Identifier: MIT
// Bytes of a URL through fetch (http(s), data:, blob:), shared by both platforms.
import type { FetchLike } from './types.js';

/** GETs `url`; an HTTP error status is an Error that names the URL and the status. */
export async function fetchBytes(url: URL, fetchImpl?: FetchLike): Promise<Uint8Array> {
  const f = fetchImpl ?? (globalThis.fetch as unknown as FetchLike | undefined);
  if (!f) throw new Error(`cannot read ${url.href}: this runtime has no fetch`);
  const r = await f(url.href);
  if (!r.ok) throw new Error(`cannot read ${url.href}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}
