// SPDX-License-Identifier: MIT
// comlink 4.4 has no exports map and ships node-adapter.d.ts but no .d.mts, so NodeNext resolution finds no types for
// the .mjs file; these mirror its node-adapter.d.ts.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  // `any` as in comlink's own declaration: worker_threads' Worker and MessagePort must both fit.
  export interface NodeEndpoint {
    postMessage(message: any, transfer?: any[]): void;
    on(type: string, listener: (value: any) => void, options?: object): void;
    off(type: string, listener: (value: any) => void, options?: object): void;
    start?: () => void;
  }
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
