import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { processConfig } from '../helpers/gateway-process.js';
import { makeTempDir } from '../helpers/tmp.js';

const root = new URL('../../../', import.meta.url).pathname;
const node = (...args: string[]) => spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });

describe('production build (npm run build)', () => {
  it('bundles the gateway into plain JavaScript that runs without tsx, and skips an up-to-date build', () => {
    const built = node('scripts/build.mjs');
    expect(built.status, built.stderr).toBe(0);
    const bundle = readFileSync(`${root}dist/gateway/main.js`, 'utf8');
    expect(bundle).not.toMatch(/from ["']@careedge\/edge["']/); // the workspace package is inlined
    const run = node('dist/gateway/main.js', 'hash-secret', 'a-long-enough-secret');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^sha256\$\S+\$\S+\n$/);
    const again = node('scripts/build.mjs', '--if-stale');
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(''); // nothing changed: nothing built
  });

  /**
   * The bundle is one folder less deep than the sources, so every file a module finds next to
   * itself (the example site, the example rules, the outbox worker) must be found from dist too.
   * The rules engine's example rules were not: `npm start`, systemd and Docker failed at start.
   */
  it('starts as npm start runs it, with the files that ship beside it, and answers /healthz', async () => {
    const built = node('scripts/build.mjs', '--if-stale');
    expect(built.status, built.stderr).toBe(0);
    const dir = makeTempDir();
    const { configFile, httpPort } = await processConfig(dir);
    const child = spawn(process.execPath, ['dist/gateway/main.js', '--config', configFile], { cwd: root });
    onTestFinished(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    let status = 0;
    for (let i = 0; i < 300 && !exited && status !== 200; i++) {
      status = await fetch(`http://127.0.0.1:${httpPort}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(exited, stderr).toBe(false);
    expect(status, stderr).toBe(200);
  }, 60_000);
});
