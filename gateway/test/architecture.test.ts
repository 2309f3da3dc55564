import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering of ARCHITECTURE.md, checked over the real import graph of gateway/src: which
 * folder may import which. A new import that breaks it fails here, with the file and the rule.
 */
const ALLOWED: Record<string, readonly string[]> = {
  config: [],
  core: ['config'],
  register: ['core', 'config'],
  journal: ['core', 'config'],
  broker: ['core', 'register'],
  mqtt: ['core', 'config', 'broker', 'register'],
  alerts: ['core', 'config', 'register'],
  ingest: ['core', 'config', 'register', 'journal', 'mqtt'],
  dispatch: ['core', 'config', 'alerts', 'register', 'ingest', 'mqtt'],
  rules: ['core', 'config', 'alerts', 'register', 'ingest'],
  reassure: ['core', 'config', 'alerts', 'register', 'mqtt'],
  health: ['core', 'config', 'register', 'ingest', 'mqtt'],
  api: ['core', 'config', 'alerts', 'register', 'auth'],
  feedback: ['core', 'config', 'alerts', 'register', 'ingest', 'mqtt'],
  forwarding: ['core', 'config', 'alerts', 'register', 'ingest', 'feedback'],
  uplink: ['core', 'config', 'alerts'],
  auth: ['core', 'config', 'register'],
  gpio: ['core', 'config', 'alerts', 'register', 'ingest', 'journal'],
  serial: ['core', 'config', 'register', 'journal', 'mqtt'],
  sms: ['core', 'config'],
  webhook: ['core', 'config'],
};

const STAFF_COMMAND_CALL =
  /\balerts\.(received|acknowledge|decline|attend|resolve|handover|reassign|note)\(/g;

const src = resolve(new URL('../src', import.meta.url).pathname);

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (e.name.endsWith('.ts')) yield p;
  }
}

/** `folder/file.ts -> folder` for every relative import that leaves the importing folder. */
function crossFolderImports(): { edge: string; from: string; to: string }[] {
  const out: { edge: string; from: string; to: string }[] = [];
  for (const file of tsFiles(src)) {
    const rel = relative(src, file);
    const from = rel.includes('/') ? rel.split('/')[0]! : '(root)';
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)[^'"]*?from\s+'(\.[^']+)'/gm)) {
      const target = relative(src, resolve(dirname(file), m[1]!));
      const to = target.includes('/') ? target.split('/')[0]! : '(root)';
      if (to !== from) out.push({ edge: `${rel} -> ${to}`, from, to });
    }
  }
  return out;
}

describe('layering (ARCHITECTURE.md)', () => {
  const imports = crossFolderImports();

  it('reads the import graph', () => {
    expect(imports.length).toBeGreaterThan(20);
  });

  it('every folder imports only the layers below it', () => {
    const broken = imports
      .filter(({ from, to }) => from !== '(root)' && !(ALLOWED[from] ?? []).includes(to))
      .map((i) => i.edge);
    expect(broken, 'imports that break the layering; see ARCHITECTURE.md').toEqual([]);
  });

  it('the rules themselves point one way: no folder may reach back to itself through them', () => {
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
      seen.add(from);
      return (ALLOWED[from] ?? []).some((n) => n === to || (!seen.has(n) && reaches(n, to, seen)));
    };
    expect(Object.keys(ALLOWED).filter((f) => reaches(f, f))).toEqual([]);
    expect(ALLOWED.core).toEqual(['config']);
  });

  it('every folder of gateway/src has its rule, and nothing below imports the composition root', () => {
    const folders = readdirSync(src, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.filter((f) => !(f in ALLOWED))).toEqual([]);
    expect(imports.filter((i) => i.to === '(root)' && i.from !== '(root)').map((i) => i.edge)).toEqual([]);
  });

  it('staff commands reach the alert service only through the command path (alerts/commands.ts)', () => {
    const direct = [...tsFiles(src)].flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(STAFF_COMMAND_CALL)].map(
        (m) => `${relative(src, file)}: ${m[0]}`,
      ),
    );
    expect(direct.some((d) => d.startsWith('alerts/commands.ts:'))).toBe(true);
    // The room's presence key marks arrival for the owner: a device event, not a staff command.
    expect(
      direct.filter(
        (d) => !d.startsWith('alerts/commands.ts:') && d !== 'rules/call-rules.ts: alerts.attend(',
      ),
    ).toEqual([]);
  });
});
