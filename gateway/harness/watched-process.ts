import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Runs a command under a small shell that kills it when the shell's stdin closes: on
 * stop(), and also when this test process dies in any way (even SIGKILL), so no server started
 * by a test (influxd, mosquitto) outlives the run.
 */
const WATCHDOG = '"$@" & p=$!; echo "watched-pid $p"; read _ ; kill $p 2>/dev/null; wait $p';

const killQuietly = (pid: number) => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
};

/** Every watchdog this process started; ended with the process (their servers follow). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.stdin?.destroy();
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface WatchedProcess {
  /** Starts it and waits (up to 15 s) until `ready` says so. */
  start(): Promise<void>;
  /** SIGTERM (its data is kept for the next start), then waits for it to exit. */
  stop(): Promise<void>;
}

/** `argv`: the command and its arguments; `name` is for error messages. */
export function watchedProcess(name: string, argv: string[], ready: () => Promise<boolean>): WatchedProcess {
  let child: ChildProcess | undefined;
  let output = '';
  return {
    async start() {
      const p = spawn('sh', ['-c', WATCHDOG, `${name}-watchdog`, ...argv], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child = p;
      running.add(p);
      let pid = 0;
      p.stdout?.on('data', (d: Buffer) => {
        const text = d.toString();
        pid ||= Number(/^watched-pid (\d+)$/m.exec(text)?.[1] ?? 0);
        output = (output + text).slice(-4000);
      });
      p.stderr?.on('data', (d: Buffer) => {
        output = (output + d.toString()).slice(-4000);
      });
      p.once('exit', () => {
        running.delete(p);
        // The watchdog did not get to kill it (it was killed itself): do it here.
        if (pid) killQuietly(pid);
      });
      for (let i = 0; i < 300; i++) {
        if (p.exitCode !== null) throw new Error(`${name} exited with ${p.exitCode}:\n${output}`);
        if (await ready()) return;
        await wait(50);
      }
      throw new Error(`${name} was not ready within 15 s:\n${output}`);
    },
    async stop() {
      const p = child;
      child = undefined;
      if (!p || p.exitCode !== null) return;
      const exited = new Promise((resolve) => p.once('exit', resolve));
      p.stdin?.end();
      const killed = setTimeout(() => p.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killed);
    },
  };
}
