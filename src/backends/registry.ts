// SPDX-License-Identifier: MIT
// Backends register by name and priority; 'auto' tries them in priority order and reports every failure.

import { BackendUnavailableError, InvalidInputError } from '../errors.js';

/** One backend: `load()` resolves to the implementation or throws with a reason a user can act on. */
export interface BackendEntry<T> {
  name: string;
  /** Higher runs first under 'auto'. Negative priorities are never picked by 'auto' (opt-in only). */
  priority: number;
  load(): Promise<T>;
}

/** A registry for one kind of work (for example 'svm'). */
export class BackendRegistry<T> {
  private readonly entries = new Map<string, BackendEntry<T>>();
  private readonly loaded = new Map<string, Promise<T>>();

  constructor(readonly kind: string) {}

  register(entry: BackendEntry<T>): void {
    this.entries.set(entry.name, entry);
    this.loaded.delete(entry.name);
  }

  /** Registered names, highest priority first. */
  names(): string[] {
    return [...this.entries.values()].sort((a, b) => b.priority - a.priority).map((e) => e.name);
  }

  /**
   * Resolves `name` ('auto' = best available). A failed load is not memoised, so a later call can retry.
   * Throws BackendUnavailableError listing each backend's reason.
   */
  async resolve(name: string, what: string): Promise<{ name: string; impl: T }> {
    if (name !== 'auto') {
      const entry = this.entries.get(name);
      if (!entry) {
        throw new InvalidInputError(`${what}: options.backend`, JSON.stringify(name), `one of 'auto', ${this.names().map((n) => `'${n}'`).join(', ')}`);
      }
      try {
        return { name, impl: await this.load(entry) };
      } catch (err) {
        throw new BackendUnavailableError(what, [{ backend: name, reason: reasonOf(err) }]);
      }
    }
    const reasons: { backend: string; reason: string }[] = [];
    for (const entry of [...this.entries.values()].filter((e) => e.priority >= 0).sort((a, b) => b.priority - a.priority)) {
      try {
        return { name: entry.name, impl: await this.load(entry) };
      } catch (err) {
        reasons.push({ backend: entry.name, reason: reasonOf(err) });
      }
    }
    throw new BackendUnavailableError(what, reasons);
  }

  private load(entry: BackendEntry<T>): Promise<T> {
    let p = this.loaded.get(entry.name);
    if (!p) {
      p = entry.load();
      this.loaded.set(entry.name, p);
      p.catch(() => this.loaded.delete(entry.name));
    }
    return p;
  }
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
