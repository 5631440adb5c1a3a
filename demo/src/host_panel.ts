// SPDX-License-Identifier: MIT
// The TomoGAN tab's pairing with a local `anyml host` (docs/host.md): paste the line `anyml host pair --json` prints,
// see the host's providers, and get 'host' as a backend. The worker holds the connection.
import type { TomoEvent } from './tomogan_protocol.js';
import { $ } from './ui.js';

export const HOST_PANEL = `<fieldset>
    <legend>Local host (optional: <code>anyml host</code>, then <code>anyml host pair --json</code>)</legend>
    <label>Pairing <input id="tg-pairing" size="60" placeholder='{"url":"ws://127.0.0.1:47113","token":"…"}' /></label>
    <button id="tg-pair" type="button">Pair</button>
    <span id="tg-host" class="small">not paired</span>
  </fieldset>`;

/** Sends the pasted pairing line when Pair is pressed. */
export function wirePairing(root: HTMLElement, pair: (pairing: string) => void): void {
  $(root, '#tg-pair').addEventListener('click', () => pair($<HTMLInputElement>(root, '#tg-pairing').value));
}

/** A host answered: list its providers and offer (and select) 'host' as a backend. */
export function showPaired(root: HTMLElement, backendSel: HTMLSelectElement, m: Extract<TomoEvent, { type: 'paired' }>): void {
  const list = m.providers.map((x) => (x.available ? x.name : `${x.name} (unavailable${x.reason ? `: ${x.reason}` : ''})`)).join(', ');
  const status = $(root, '#tg-host');
  status.textContent = `paired with ${m.url}: ${list}`;
  status.dataset.paired = 'true';
  backendSel.querySelector('option[value="host"]')?.remove();
  backendSel.append(new Option(`host (${m.url})`, 'host'));
  backendSel.value = 'host';
}
