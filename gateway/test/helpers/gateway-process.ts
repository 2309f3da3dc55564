import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { freePort } from '../../harness/free-port.js';
import { EXAMPLE_SITE } from '../../src/app.js';
import { runAccountCli } from '../../src/auth/cli.js';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase } from '../../src/core/db.js';
import { openRegister } from '../../src/register/register.js';
import { TEST_SITE } from './gateway.js';

/** The repository root, where node_modules/tsx and gateway/ are. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export { freePort };

/**
 * A config file in `dir` for a gateway run as its own process: the test site, free ports, warn
 * logs, plus `sections` (forwarding, uplink, mqtt limits …, merged over mqtt).
 */
export async function processConfig(dir: string, sections: Record<string, unknown> & { mqtt?: object } = {}) {
  const [mqttPort, httpPort] = [await freePort(), await freePort()];
  const configFile = join(dir, 'config.yaml');
  const { mqtt, ...rest } = sections;
  writeFileSync(
    configFile,
    stringify({
      siteFile: TEST_SITE,
      dataDir: join(dir, 'data'),
      mqtt: { host: '127.0.0.1', port: mqttPort, ...mqtt },
      http: { host: '127.0.0.1', port: httpPort },
      log: { level: 'warn' },
      ...rest,
    }),
  );
  return { configFile, mqttPort, httpPort, logFile: join(dir, 'gateway.log') };
}

/** One unlabelled value of a gateway's /metrics (Prometheus text); NaN when absent. */
export async function scrapeMetric(httpPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/**
 * The real gateway in a process of its own (`node --import tsx gateway/src/main.ts --config FILE`,
 * as the bench runs it), so a test can kill it with SIGKILL: no `finally`, no exit handler, no
 * flush, just what had reached the disk and the sockets. (Gateway tests may not import
 * firmware-sim, which has the bench's own copy of this.)
 */
export class GatewayProcess {
  /** A staff-role bearer token for the API, made with the real `token create` command on first use. */
  private token: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly httpPort: number,
    private readonly logFile: string,
    private readonly configFile: string,
  ) {}

  static start(opts: { configFile: string; httpPort: number; logFile: string }): GatewayProcess {
    const log = openSync(opts.logFile, 'a');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'gateway/src/main.ts', '--config', opts.configFile],
      { cwd: ROOT, stdio: ['ignore', log, log], env: { ...process.env } },
    );
    closeSync(log); // the child has its own copy of the descriptor
    return new GatewayProcess(child, opts.httpPort, opts.logFile, opts.configFile);
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Polls /healthz until it answers 200; fails early, with the log, if the process dies. */
  async waitHealthy(timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.exited) throw new Error(`the gateway exited during start-up:\n${this.logTail()}`);
      try {
        if ((await fetch(this.url('/healthz'))).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the gateway did not become healthy within ${timeoutMs / 1000}s:\n${this.logTail()}`);
  }

  /** GET of an API route, with a staff token (the API needs one beyond /healthz and /metrics). */
  async get<T>(path: string): Promise<T> {
    const res = await fetch(this.url(path), {
      headers: { authorization: `Bearer ${await this.apiToken()}` },
    });
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
    return (await res.json()) as T;
  }

  /** `token create` as the CLI runs it (in this process: spawning tsx again costs seconds). */
  private async apiToken(): Promise<string> {
    if (this.token) return this.token;
    const out: string[] = [];
    const code = await runAccountCli(
      [
        'token',
        'create',
        `test-${process.pid}-${Date.now()}`,
        '--role',
        'staff',
        '--config',
        this.configFile,
      ],
      (files) => {
        const config = loadConfig({ file: files.config! });
        const db = openDatabase(join(config.dataDir, 'careedge.sqlite'));
        return { db, register: openRegister(db, config.siteFile || EXAMPLE_SITE), config };
      },
      { out: (t) => out.push(t), err: (t) => out.push(t), secret: async () => '' },
    );
    const token = /^cet_\S+$/m.exec(out.join('\n'))?.[0];
    if (code !== 0 || !token) throw new Error(`token create failed (${code}): ${out.join('\n')}`);
    this.token = token;
    return token;
  }

  /** One unlabelled value of its /metrics (Prometheus text); NaN when absent. */
  async metric(name: string): Promise<number> {
    return scrapeMetric(this.httpPort, name);
  }

  /** kill -9, as a power cut or the OOM killer would, and wait until the process is gone. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const gone = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await gone;
  }

  /** A graceful stop (SIGTERM, as systemd stops it); resolves once the process is gone. */
  async terminate(): Promise<void> {
    if (this.exited) return;
    const gone = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await gone;
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private url(path: string): string {
    return `http://127.0.0.1:${this.httpPort}${path}`;
  }
}
