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
  dispatch: ['core', 'config', 'alerts', 'register', 'health'],
  rules: ['core', 'config', 'alerts', 'register'],
  reassure: ['core', 'config', 'alerts', 'register'],
  ingest: ['core', 'config', 'register', 'journal', 'health'],
  health: ['core', 'config', 'register'],
  api: ['core', 'config', 'alerts', 'register'],
};

/**
 * Imports that break the layering today, each to be removed (issue "Ready to grow"): the context
 * and event map in core/ still name feature types, and the alert service asks the dispatch
 * planner for the first dispatch inside its commit. Listed so no new one can join them.
 */
const KNOWN_DEBTS = new Set([
  'core/context.ts -> alerts',
  'core/context.ts -> dispatch',
  'core/context.ts -> mqtt',
  'core/context.ts -> register',
  'core/events.ts -> alerts',
  'core/events.ts -> register',
  'alerts/service.ts -> dispatch',
]);

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
      .map((i) => i.edge)
      .filter((edge) => !KNOWN_DEBTS.has(edge.replace(/^(\w+\/[\w-]+\.ts) -> /, '$1 -> ')));
    expect(broken, 'imports that break the layering; see ARCHITECTURE.md').toEqual([]);
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

  it('the known debts are still real (a paid one must leave the list)', () => {
    const edges = new Set(imports.map((i) => i.edge));
    expect([...KNOWN_DEBTS].filter((d) => !edges.has(d))).toEqual([]);
  });
});
