import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { openSync, readFileSync } from 'node:fs';
import { GATEWAY_NODE_FLAGS } from '@careedge/gateway';

export { freePort } from '@careedge/gateway/harness/free-port';

export interface GatewayProcessOptions {
  /** Repository root (where node_modules/tsx and gateway/ are). */
  root: string;
  configFile: string;
  httpPort: number;
  /** The gateway's stdout and stderr go here. */
  logFile: string;
  /** Node flags after the gateway's own (GATEWAY_NODE_FLAGS), e.g. --cpu-prof; a V8 flag given again wins. */
  nodeFlags?: string[];
}

/**
 * The gateway as a separate process, as it runs in production: its CPU and memory are its own, so
 * what the bench measures is the gateway and not the load generator sharing its event loop.
 *
 * It runs the production build (`dist/gateway/main.js`, built first when the sources changed) with
 * plain node and the gateway's node flags, as `npm start` and the systemd unit do: the figures are those of what is deployed,
 * and the pid we sample for memory and CPU is the one that runs the gateway.
 */
export class GatewayProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly opts: GatewayProcessOptions,
  ) {}

  static start(opts: GatewayProcessOptions): GatewayProcess {
    const built = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], {
      cwd: opts.root,
      encoding: 'utf8',
    });
    if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stderr}`);
    const log = openSync(opts.logFile, 'a');
    const child = spawn(
      process.execPath,
      [...GATEWAY_NODE_FLAGS, ...(opts.nodeFlags ?? []), 'dist/gateway/main.js', '--config', opts.configFile],
      { cwd: opts.root, stdio: ['ignore', log, log], env: { ...process.env } },
    );
    return new GatewayProcess(child, opts);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Polls /healthz until it answers 200; fails early if the process dies. */
  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.exited) throw new Error(`the gateway exited during start-up:\n${this.logTail()}`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.opts.httpPort}/healthz`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the gateway did not become healthy within ${timeoutMs / 1000}s:\n${this.logTail()}`);
  }

  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.opts.httpPort}/metrics`);
    if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
    return res.text();
  }

  /** Peak and current resident memory in MiB, from /proc (Linux). */
  memory(): { peakMiB: number; rssMiB: number } | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kib = (field: string) =>
        Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
      return { peakMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
    } catch {
      return undefined;
    }
  }

  /** CPU seconds used so far (user + system), from /proc/<pid>/stat. */
  cpuSeconds(): number | undefined {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces) — utime and stime are 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticksPerSecond = 100; // USER_HZ on Linux
      return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    } catch {
      return undefined;
    }
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.opts.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM (the gateway closes cleanly), SIGKILL if it has not gone within 10 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}
