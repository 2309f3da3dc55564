import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { formatRecordedLine, type RecordedMessage } from '@careedge/edge';
import { describe, expect, it } from 'vitest';
import type { OfflineRules, OpenOfflineRules, ReplayAlert } from '../../src/rules/offline.js';
import { runReplayCli } from '../../src/rules/replay-cli.js';
import { TEST_SITE } from '../helpers/gateway.js';
import { makeTempDir } from '../helpers/tmp.js';

const T0 = Date.UTC(2026, 10, 2, 9, 0, 0); // 09:00 in London (GMT in November)
const MIN = 60_000;

/**
 * A test-only stand-in for the engine: one rule `battery` that raises battery-low for the band's
 * resident when the battery falls below the rules file's `below:`, once until it is back above.
 */
const batteryRules: OpenOfflineRules = async ({ rulesFile, site }) => {
  const below = Number(/below: (\d+)/.exec(rulesFile ? readFileSync(rulesFile, 'utf8') : '')?.[1] ?? 20);
  const residentOf = new Map(site.devices.map((d) => [d.id, d.residentId ?? d.id]));
  const raised: ReplayAlert[] = [];
  const low = new Set<string>();
  let now = 0;
  const rules: OfflineRules = {
    feed(m) {
      now = m.ts;
      if (m.channel !== 'deviceTelemetry') return;
      if (m.payload.batteryPct >= below) {
        low.delete(m.deviceId);
        return;
      }
      if (low.has(m.deviceId)) return;
      low.add(m.deviceId);
      raised.push({
        at: m.ts,
        ruleId: 'battery',
        ruleKind: 'battery-low',
        alertKind: 'battery-low',
        subject: { kind: 'resident', id: residentOf.get(m.deviceId)! },
        priority: 'low',
        reason: `battery ${m.payload.batteryPct}% < ${below}%`,
        repeats: 0,
        priorityChanges: [],
        clearedAt: null,
      });
    },
    advanceTo(ts) {
      now = Math.max(now, ts);
    },
    alerts: () => raised,
    close() {},
  };
  return rules;
};

function recording(dir: string, batteries: [deviceId: string, minute: number, pct: number][]): string {
  const file = join(dir, 'rec.jsonl');
  const lines = batteries.map(([deviceId, minute, batteryPct], seq) => {
    const m: RecordedMessage = {
      ts: T0 + minute * MIN,
      deviceId,
      channel: 'deviceTelemetry',
      payload: { seq, ts: T0 + minute * MIN, activity: 5, worn: true, batteryPct, rssiDbm: -60 },
    };
    return formatRecordedLine(m);
  });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function replay(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runReplayCli(args, batteryRules, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    progressStream: new PassThrough(),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('careedge-gateway replay', () => {
  it('prints the alerts in time order (local time, rule, subject, priority, what) and the count per rule', async () => {
    const dir = makeTempDir();
    const file = recording(dir, [
      ['wb-2', 0, 15],
      ['wb-1', 1, 30],
      ['wb-1', 2, 19],
      ['wb-1', 3, 18], // still low: no second alert
      ['wb-1', 4, 90],
      ['wb-1', 5, 10],
    ]);
    const { code, out } = await replay([file, '--site', TEST_SITE]);
    expect(code).toBe(0);
    expect(out).toContain('Replayed 6 messages');
    const timeline = out.split('\n').filter((l) => / battery /.test(l));
    expect(timeline).toEqual([
      expect.stringMatching(
        /^2026-11-02 09:00:00 +battery +resident r2 +low +battery-low: battery 15% < 20%$/,
      ),
      expect.stringMatching(
        /^2026-11-02 09:02:00 +battery +resident r1 +low +battery-low: battery 19% < 20%$/,
      ),
      expect.stringMatching(
        /^2026-11-02 09:05:00 +battery +resident r1 +low +battery-low: battery 10% < 20%$/,
      ),
    ]);
    expect(out).toMatch(/Alerts per rule:\nrule +alerts\nbattery +3/);
  });

  it('with two rules files, prints the alerts that differ side by side', async () => {
    const dir = makeTempDir();
    const file = recording(dir, [
      ['wb-1', 0, 25],
      ['wb-2', 1, 15],
      ['wb-1', 2, 90],
    ]);
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, 'below: 20\n');
    writeFileSync(b, 'below: 30\n');
    const { code, out } = await replay([file, '--site', TEST_SITE, '--rules', a, '--rules', b]);
    expect(code).toBe(0);
    expect(out).toContain(`Alerts that differ (A: ${a}, B: ${b}): 1`);
    expect(out).toMatch(/battery-low +resident r1 +— +2026-11-02 09:00:00 low battery: battery 25% < 30%/);
    expect(out, 'the alert both raised alike is not a difference').not.toMatch(/resident r2 .*—/);
    expect(out).toMatch(/Alerts per rule \(A: .*a\.yaml\):\nrule +alerts\nbattery +1/);
    expect(out).toMatch(/Alerts per rule \(B: .*b\.yaml\):\nrule +alerts\nbattery +2/);
  });

  it('--json gives the run, the alerts and the counts; a bad line is skipped, named by file and line', async () => {
    const dir = makeTempDir();
    const file = recording(dir, [
      ['wb-1', 0, 10],
      ['wb-1', 1, 50],
    ]);
    appendFileSync(
      file,
      '{"ts":1,"deviceId":"wb-1","channel":"deviceTelemetry","payload":{"seq":0}}\n{"ts":',
    );
    const { code, out } = await replay([file, '--site', TEST_SITE, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result).toMatchObject({
      messages: 2,
      firstTs: T0,
      lastTs: T0 + MIN,
      skipped: { count: 2 },
      ruleSets: [{ rules: 'default', counts: { battery: 1 } }],
    });
    expect(result.skipped.first[0]).toMatch(/rec\.jsonl:3: deviceTelemetry payload: .*activity/);
    expect(result.skipped.first[1]).toMatch(/rec\.jsonl:4: not JSON/);
    expect(result.ruleSets[0].alerts[0]).toMatchObject({ at: T0, subject: { kind: 'resident', id: 'r1' } });
    expect(result.perMinute).toBeGreaterThan(0);
  });

  it('takes FILE.site.yaml beside the recording; says what is missing otherwise', async () => {
    const dir = makeTempDir();
    const file = recording(dir, [['wb-1', 0, 10]]);
    const missing = await replay([file]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--site: which site file .*rec\.site\.yaml/);
    writeFileSync(join(dir, 'rec.site.yaml'), readFileSync(TEST_SITE));
    expect((await replay([file])).code).toBe(0);
    expect((await replay([file, '--rules', 'nope.yaml'])).err).toMatch(/--rules nope\.yaml: no such file/);
    expect((await replay([file, '--bogus'])).code).toBe(2);
  });
});
