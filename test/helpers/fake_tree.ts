// SPDX-License-Identifier: MIT
// Fake filesystem trees for discovery tests: a temp root holding the given files, removed by `removeTrees`.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const roots: string[] = [];

/** A fresh root holding `files` (path → content; an executable when the content starts with '#!'). */
export async function fakeTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'anyml-tree-'));
  roots.push(root);
  for (const [p, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, p)), { recursive: true });
    await writeFile(join(root, p), content);
    if (content.startsWith('#!')) await chmod(join(root, p), 0o755);
  }
  return root;
}

/** Removes every tree made so far (call it from afterEach). */
export async function removeTrees(): Promise<void> {
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
}
