// SPDX-License-Identifier: MIT
// One registry per kind of work (SVM solvers, TomoGAN inference): backends register by name and priority; 'auto'
// tries them in priority order and reports every one it skipped, and why.

import { BackendUnavailableError, InvalidInputError } from '../errors.js';

/** Why a backend cannot run here; `warn`: worth telling the user when 'auto' skips it (default: not). */
export interface Unavailable {
  reason: string;
  warn?: boolean;
}

/** A backend's answer to "can you run here?": true, or why not (a string is a quiet reason). */
export type Availability = true | string | Unavailable;

/** One backend. `load()` resolves to the implementation or throws with a reason a user can act on. */
export interface BackendEntry<T> {
  name: string;
  /** Higher runs first under 'auto'. Negative priorities are never picked by 'auto' (opt-in only). */
  priority: number;
  /**
   * Whether it can run here, asked before `load()`. `auto` is true when the registry is choosing: a backend may
   * refuse only then (TomoGAN's webgpu refuses a software adapter for 'auto' but runs on one when asked by name).
   * Default: available.
   */
  isAvailable?(ctx: { auto: boolean }): Promise<Availability>;
  load(): Promise<T>;
}

/** A backend that 'auto' passed over, and why; `warn` as in Unavailable (a failed load always warns). */
export interface Skipped {
  backend: string;
  reason: string;
  warn: boolean;
}

/** A registry for one kind of work (for example 'svm'). */
export class BackendRegistry<T> {
  private readonly entries = new Map<string, BackendEntry<T>>();
  private readonly loaded = new Map<string, Promise<T>>();

  constructor(readonly kind: string) {}

  /** Adds or replaces the backend `entry.name`. */
  register(entry: BackendEntry<T>): void {
    this.entries.set(entry.name, entry);
    this.loaded.delete(entry.name);
  }

  /** Removes a backend (true if it was registered). */
  unregister(name: string): boolean {
    this.loaded.delete(name);
    return this.entries.delete(name);
  }

  /** Registered names, highest priority first. */
  names(): string[] {
    return this.sorted().map((e) => e.name);
  }

  /**
   * Resolves `name` ('auto' = the best available). A failed load is not memoised, so a later call can retry.
   * Throws InvalidInputError for an unknown name and BackendUnavailableError listing each backend's reason.
   */
  async resolve(name: string, what: string): Promise<{ name: string; impl: T; skipped: Skipped[] }> {
    if (name !== 'auto') {
      const entry = this.entries.get(name);
      if (!entry) throw new InvalidInputError(`${what}: options.backend`, JSON.stringify(name), `one of 'auto', ${this.names().map((n) => `'${n}'`).join(', ')}`);
      const r = await this.attempt(entry, false);
      if ('impl' in r) return { name, impl: r.impl, skipped: [] };
      throw new BackendUnavailableError(what, [{ backend: r.backend, reason: r.reason }]);
    }
    const skipped: Skipped[] = [];
    for (const entry of this.sorted().filter((e) => e.priority >= 0)) {
      const r = await this.attempt(entry, true);
      if ('impl' in r) return { name: entry.name, impl: r.impl, skipped };
      skipped.push(r);
    }
    throw new BackendUnavailableError(what, skipped.map(({ backend, reason }) => ({ backend, reason })));
  }

  private sorted(): BackendEntry<T>[] {
    return [...this.entries.values()].sort((a, b) => b.priority - a.priority);
  }

  private async attempt(entry: BackendEntry<T>, auto: boolean): Promise<{ impl: T } | Skipped> {
    const backend = entry.name;
    let a: Availability;
    try {
      a = entry.isAvailable ? await entry.isAvailable({ auto }) : true;
    } catch (err) {
      return { backend, reason: reasonOf(err), warn: true };
    }
    if (a !== true) return typeof a === 'string' ? { backend, reason: a, warn: false } : { backend, reason: a.reason, warn: !!a.warn };
    try {
      return { impl: await this.load(entry) };
    } catch (err) {
      return { backend, reason: reasonOf(err), warn: true };
    }
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
