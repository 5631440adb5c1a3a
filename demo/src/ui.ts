// SPDX-License-Identifier: MIT
// Small DOM helpers shared by the two tabs: plain-words errors, formatting, downloads.

/** An error as it crosses postMessage (Error objects lose their class and `code` on the way). */
export interface WireError {
  name: string;
  code?: string;
  message: string;
}

export function toWire(e: unknown): WireError {
  if (e instanceof Error) return { name: e.name, code: (e as { code?: string }).code, message: e.message };
  return { name: 'Error', message: String(e) };
}

/** A headline in plain words for each anyml error code (errors.ts); the library's message follows as the detail. */
function headline(e: WireError, doing: string): string {
  switch (e.code) {
    case 'INVALID_INPUT':
      return `${doing} failed: the input was not accepted.`;
    case 'BACKEND_UNAVAILABLE':
      return `${doing} failed: the chosen backend is not available in this browser.`;
    case 'WASM_LOAD':
      return `${doing} failed: WebAssembly could not be loaded.`;
    case 'WORKER':
      return `${doing} failed: a training worker stopped.`;
    case 'ABORTED':
      return `${doing} was cancelled.`;
    default:
      return `${doing} failed.`;
  }
}

/** Shows `e` in `box` (role=alert), in words first, then the library's exact message. */
export function showError(box: HTMLElement, doing: string, e: unknown, hint?: string): void {
  const w = e && typeof e === 'object' && 'message' in e && !(e instanceof Error) ? (e as WireError) : toWire(e);
  box.replaceChildren(
    el('div', { class: w.code === 'ABORTED' ? 'notice' : 'error', role: 'alert' }, [
      el('strong', {}, [headline(w, doing)]),
      el('p', { class: 'detail' }, [w.message]),
      ...(hint ? [el('p', {}, [hint])] : []),
    ]),
  );
}

export function clearError(box: HTMLElement): void {
  box.replaceChildren();
}

type Child = Node | string;

/** Creates an element with attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, children: Child[] = []): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export const $ = <T extends HTMLElement = HTMLElement>(root: ParentNode, sel: string): T => {
  const e = root.querySelector<T>(sel);
  if (!e) throw new Error(`demo: no element ${sel}`);
  return e;
};

export const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
export const fmtPct = (x: number): string => `${(100 * x).toFixed(2)} %`;

/** Sets a figure's text and its raw value (data-value), which the test reads. */
export function setFigure(node: HTMLElement, text: string, value?: number): void {
  node.textContent = text;
  if (value === undefined) node.removeAttribute('data-value');
  else node.dataset.value = String(value);
}

/** Offers `data` as a file download. */
export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
