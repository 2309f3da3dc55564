import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

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
});
