// SPDX-License-Identifier: MIT
// Test helpers about processes: whether a pid is alive, and waiting for one to be gone.

/** Whether process `pid` exists (signal 0 probes without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits up to ~1 s until `pid` has exited (the kernel reaps it a moment after Node's 'exit' event). */
export async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 10));
  return !alive(pid);
}

/**
 * Stops a host started by a test the way a user would (SIGTERM: jobs finished, children stopped, the shared folder
 * removed), and SIGKILLs it only when it has not exited within `ms`.
 */
export async function stopGracefully(child: import('node:child_process').ChildProcess, ms = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}
