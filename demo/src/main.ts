// SPDX-License-Identifier: MIT
// Demo shell: two tabs (#svm, #tomogan), each loaded on first visit; errors nobody caught are shown in the page.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { $, showError } from './ui.js';

const globalError = $(document, '#global-error');
window.addEventListener('error', (e) => showError(globalError, 'The page', e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => showError(globalError, 'The page', e.reason));

$(document, '#isolation').textContent = globalThis.crossOriginIsolated
  ? 'Cross-origin isolated: SharedArrayBuffer and WebAssembly threads are available.'
  : 'Not cross-origin isolated (serve with COOP/COEP headers): workers fall back to message passing, tfjs-wasm to one thread.';
document.body.dataset.isolated = String(globalThis.crossOriginIsolated === true);

const pages = {
  svm: () => import('./svm_page.js').then((m) => m.mountSvm($(document, '#page-svm'))),
  tomogan: () => import('./tomogan_page.js').then((m) => m.mountTomogan($(document, '#page-tomogan'))),
} as const;
type PageName = keyof typeof pages;
const mounted = new Set<PageName>();

async function show(): Promise<void> {
  const name: PageName = location.hash === '#tomogan' ? 'tomogan' : 'svm';
  for (const p of Object.keys(pages) as PageName[]) {
    $(document, `#page-${p}`).hidden = p !== name;
    $(document, `#tab-${p}`).setAttribute('aria-selected', String(p === name));
  }
  if (mounted.has(name)) return;
  mounted.add(name);
  try {
    await pages[name]();
  } catch (e) {
    mounted.delete(name);
    showError(globalError, `Loading the ${name === 'svm' ? 'SVM' : 'TomoGAN'} tab`, e);
  }
}

window.addEventListener('hashchange', () => void show());
void show();
