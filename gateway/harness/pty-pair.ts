import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Waits (real time, polling the file system) until `ready()` holds; fails clearly after `timeoutMs`. */
async function until(ready: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Two pseudo-terminals wired back to back by socat, at stable paths `a` and `b` (symlinks socat
 * makes to /dev/pts/N): what one end writes, the other reads, through the real tty layer.
 * `unplug()` kills socat (both ends see the port vanish); `plug()` starts a new one at the same
 * paths, as a USB adapter plugged in again comes back under the same /dev/serial/by-id name.
 */
export async function ptyPair() {
  const dir = mkdtempSync(join(tmpdir(), 'careedge-pty-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  let socat: ChildProcess | undefined;

  const plug = async () => {
    if (socat) throw new Error('the PTY pair is already plugged in');
    const child = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    socat = child;
    await until(
      () => (existsSync(a) && existsSync(b)) || child.exitCode !== null,
      `socat to create ${a} and ${b}`,
    );
    if (child.exitCode !== null) throw new Error(`socat exited (${child.exitCode}): ${stderr}`);
  };

  const unplug = async () => {
    const child = socat;
    socat = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    // socat removes its links on a clean exit; a link left behind would be opened as a dead pty.
    await until(() => !existsSync(a) && !existsSync(b), 'socat to remove its links');
  };

  await plug();
  return {
    a,
    b,
    plug,
    unplug,
    async close() {
      await unplug();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type PtyPair = Awaited<ReturnType<typeof ptyPair>>;
