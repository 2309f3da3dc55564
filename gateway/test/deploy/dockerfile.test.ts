import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { GATEWAY_NODE_FLAGS } from '../../src/core/node-flags.js';
import { ROOT } from './compose-file.js';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions with continuation lines joined and comments dropped, per stage. */
function stages(text: string): { from: string; name: string; steps: Instruction[] }[] {
  const joined = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const out: { from: string; name: string; steps: Instruction[] }[] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, op, args] = m as unknown as [string, string, string];
    if (op === 'FROM') {
      const [from, , name] = args.split(/\s+/);
      out.push({ from: from!, name: name ?? '', steps: [] });
    } else out.at(-1)!.steps.push({ op, args: args.trim() });
  }
  return out;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const all = stages(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const build = all[0]!;
const runtime = all.at(-1)!;
const runs = (s: typeof build) => s.steps.filter((i) => i.op === 'RUN').map((i) => i.args);

describe('Dockerfile', () => {
  it('builds in one stage and runs in another, both on node:20-bookworm-slim (arm64 and amd64)', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const s of all) expect(s.from).toBe('node:20-bookworm-slim');
    expect(runtime.steps.filter((i) => i.op === 'COPY').map((i) => i.args)).toContain(
      `--from=${build.name} /src/dist ./dist`,
    );
  });

  it('the build stage runs the build script of package.json, with compilers for better-sqlite3', () => {
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
    expect(runs(build)).toContain('npm run build');
    expect(runs(build).join(' ')).toMatch(/apt-get install .*python3 make g\+\+/);
    // Production dependencies only reach the runtime stage.
    expect(runs(build).join(' ')).toContain('npm prune --omit=dev');
    expect(runs(runtime).join(' ')).not.toMatch(/npm (ci|install)/);
  });

  it('copies the manifest of every workspace before installing, so the install sees them all', () => {
    const copies = build.steps.filter((i) => i.op === 'COPY').map((i) => i.args);
    for (const w of pkg.workspaces as string[]) expect(copies).toContain(`${w}/package.json ${w}/`);
  });

  it('runs as a user other than root', () => {
    const user = runtime.steps.filter((i) => i.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
  });

  it('checks its health on /healthz and starts the bundle the way `npm start` does', () => {
    const health = runtime.steps.find((i) => i.op === 'HEALTHCHECK')!.args;
    expect(health).toContain('http://127.0.0.1:8080/healthz');
    const cmd = JSON.parse(runtime.steps.find((i) => i.op === 'CMD')!.args) as string[];
    expect(cmd).toEqual(['node', '--enable-source-maps', ...GATEWAY_NODE_FLAGS, 'dist/gateway/main.js']);
    expect(pkg.scripts.start).toContain(cmd.join(' '));
  });

  it('has TLS on even without a config file: HTTPS and MQTT over TLS through its environment', () => {
    const env = Object.fromEntries(
      runtime.steps
        .filter((i) => i.op === 'ENV')
        .flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])),
    );
    expect(env).toMatchObject({ CAREEDGE_HTTP__TLS__ENABLED: 'true', CAREEDGE_MQTT__TLS__ENABLED: 'true' });
    const bare = loadConfig({ env });
    expect(bare.http).toMatchObject({ host: '127.0.0.1', tls: { enabled: true, port: 8443 } });
    expect(bare.mqtt.tls).toMatchObject({ enabled: true, port: 8883 });
  });

  it('.dockerignore keeps the host node_modules and dist out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toContain('**/node_modules');
    expect(ignored).toContain('dist');
  });
});
