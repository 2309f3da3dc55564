import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp.js';

const root = new URL('../../../', import.meta.url).pathname;

// The systemd unit runs `build.mjs --if-stale` before every start. With the stamp left and the
// bundle gone (dist/gateway removed by hand to force a rebuild, a half-restored backup), the
// sources looked unchanged, nothing was built, and the gateway failed to start on every restart.
describe('found by probing: build --if-stale rebuilds a missing bundle even when the sources are unchanged', () => {
  it('puts dist/gateway/main.js back', () => {
    // A copy of the repository's layout with its own dist/, so the real build is left alone.
    const copy = makeTempDir('careedge-build-');
    for (const name of ['gateway', 'edge', 'node_modules', 'package.json', 'package-lock.json'])
      symlinkSync(join(root, name), join(copy, name));
    mkdirSync(join(copy, 'scripts'));
    copyFileSync(join(root, 'scripts/build.mjs'), join(copy, 'scripts/build.mjs'));
    const build = () =>
      spawnSync(process.execPath, [join(copy, 'scripts/build.mjs'), '--if-stale'], { encoding: 'utf8' });
    const bundle = join(copy, 'dist/gateway/main.js');

    expect(build().status).toBe(0);
    expect(existsSync(bundle)).toBe(true);
    rmSync(join(copy, 'dist/gateway'), { recursive: true });
    const again = build();
    expect(again.status, again.stderr).toBe(0);
    expect(existsSync(bundle)).toBe(true);
  });
});
