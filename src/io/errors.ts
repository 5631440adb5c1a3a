// SPDX-License-Identifier: MIT
// The message of anything thrown, for error texts that quote a cause.

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
