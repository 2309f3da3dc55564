import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 .cpuprofile (written by node --cpu-prof) this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Where a process spent its CPU, by owner: an npm package (`aedes`, `mqtt`, `better-sqlite3`…), a
 * folder of ours (`gateway/src/ingest`), Node internals, or the garbage collector. Self time only,
 * so every sample is counted once; `(idle)` is time with nothing to do.
 */
export function summariseCpuProfile(profile: CpuProfile): { owner: string; ms: number; share: number }[] {
  const ownerOf = new Map<number, string>();
  for (const n of profile.nodes) ownerOf.set(n.id, owner(n.callFrame.url, n.callFrame.functionName));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const o = ownerOf.get(id) ?? '(unknown)';
    totals.set(o, (totals.get(o) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const busy = [...totals].filter(([o]) => o !== '(idle)').reduce((n, [, ms]) => n + ms, 0);
  return [...totals]
    .map(([o, ms]) => ({ owner: o, ms, share: o === '(idle)' || busy === 0 ? 0 : ms / busy }))
    .sort((a, b) => b.ms - a.ms);
}

function owner(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/(gateway|edge|firmware-sim)\/src\/([^/]+)/.exec(url);
  if (ours) return ours[2]!.endsWith('.ts') ? `${ours[1]}/src/${ours[2]}` : `${ours[1]}/src/${ours[2]}/`;
  return url;
}

/**
 * Summarises the main-thread profile in `dir` as text lines (top `n` owners by busy time). tsx
 * runs its module loader on a worker thread, which writes a profile of its own; the gateway's is
 * the biggest one.
 */
export function describeProfileDir(dir: string, n = 12): string[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ f, size: statSync(join(dir, f)).size }))
    .sort((a, b) => b.size - a.size);
  const main = files[0]?.f;
  if (!main) return [`no .cpuprofile in ${dir} (the gateway writes it when it exits cleanly)`];
  const rows = summariseCpuProfile(JSON.parse(readFileSync(join(dir, main), 'utf8')) as CpuProfile);
  return [
    `gateway CPU by owner (self time, share of busy time) from ${join(dir, main)}:`,
    ...rows
      .filter((r) => r.owner !== '(idle)')
      .slice(0, n)
      .map(
        (r) => `  ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.owner}`,
      ),
  ];
}
