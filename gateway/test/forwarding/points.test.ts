import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/model.js';
import { Pseudonyms } from '../../src/core/pseudonym.js';
import { PointEncoder } from '../../src/forwarding/points.js';
import type { DeviceContext } from '../../src/register/types.js';

const reading = (seq: number) => ({
  seq,
  ts: Date.UTC(2026, 10, 23, 10, 0, seq),
  heartRateBpm: 70,
  activity: 3,
  worn: true,
  batteryPct: 80,
  rssiDbm: -60,
});

describe('the point encoder', () => {
  it("keeps a device's line heads per context: a site reload (a new context) gives the new zone", () => {
    const lines: string[] = [];
    const keys = new Pseudonyms('secret');
    const enc = new PointEncoder({
      siteId: 'site a',
      keys,
      now: () => 0,
      deviceStatusEveryMs: 60_000,
      sink: (_cls, line) => lines.push(line),
      withheld: () => {},
    });
    const context = (zone: string) =>
      ({
        device: { id: 'wb-1', kind: 'wristband' },
        resident: { id: 'r1' },
        zone: { id: zone },
      }) as unknown as DeviceContext;
    const north = context('north');
    enc.telemetry({ source: north, message: reading(1), receivedAt: 0 });
    enc.telemetry({ source: north, message: reading(2), receivedAt: 1000 });
    enc.telemetry({ source: context('south wing'), message: reading(3), receivedAt: 2000 });
    const vitals = lines.filter((l) => l.startsWith('wristband_vitals,'));
    const resident = keys.key('resident', 'r1');
    const tsOf = (seq: number) => `${Date.UTC(2026, 10, 23, 10, 0, seq)}${String(seq).padStart(6, '0')}`;
    expect(vitals).toEqual([
      `wristband_vitals,device_kind=wristband,resident=${resident},site=site\\ a,zone=north heart_rate_bpm=70i,activity=3 ${tsOf(1)}`,
      `wristband_vitals,device_kind=wristband,resident=${resident},site=site\\ a,zone=north heart_rate_bpm=70i,activity=3 ${tsOf(2)}`,
      `wristband_vitals,device_kind=wristband,resident=${resident},site=site\\ a,zone=south\\ wing heart_rate_bpm=70i,activity=3 ${tsOf(3)}`,
    ]);
    expect(lines.filter((l) => l.startsWith('device_status,'))).toHaveLength(1); // once a minute
  });
});

describe('alert points', () => {
  const alert = (id: number, ruleId: string | null, rulesVersion: string | null): Alert => ({
    id,
    kind: 'vital-sign',
    priority: 'medium',
    state: 'raised',
    deviceId: `wb-${id}`,
    residentId: `r${id}`,
    roomId: null,
    zoneId: 'north',
    raisedAt: 0,
    updatedAt: 0,
    count: 1,
    lastTriggerAt: 0,
    ownerId: null,
    acknowledgedAt: null,
    attendedAt: null,
    closedAt: null,
    outcome: null,
    note: null,
    level: 0,
    deadlineAt: null,
    reminders: 0,
    handoverTo: null,
    excludeStaff: null,
    ruleId,
    rulesVersion,
    heldBack: null,
  });

  it('carry the rule id and rules version as tags: one series per rule and version, however many alerts', () => {
    const lines: string[] = [];
    const enc = new PointEncoder({
      siteId: 's',
      keys: new Pseudonyms('secret'),
      now: () => 1_000,
      deviceStatusEveryMs: 60_000,
      sink: (_cls, line) => lines.push(line),
      withheld: () => {},
    });
    const rules = ['heart-rate', 'inactivity', 'calls'];
    const versions = ['0123456789ab', 'ba9876543210'];
    for (let id = 1; id <= 600; id++)
      enc.alert({
        alert: alert(id, rules[id % 3]!, versions[id % 2]!),
        previousState: null,
        action: 'raised',
        actor: { kind: 'system' },
        detail: { reason: `free text ${id}` },
        auditId: id,
      });
    enc.alert({
      alert: { ...alert(601, null, null), kind: 'alert-summary', residentId: null },
      previousState: null,
      action: 'raised',
      actor: { kind: 'system' },
      detail: {},
      auditId: 601,
    });
    const tagsOf = (l: string) =>
      Object.fromEntries(
        l
          .split(' ')[0]!
          .split(',')
          .slice(1)
          .map((t) => t.split('=')),
      );
    expect(tagsOf(lines[0]!)).toMatchObject({ rule: 'inactivity', rules_version: 'ba9876543210' });
    const pairs = new Set(lines.map((l) => `${tagsOf(l).rule}@${tagsOf(l).rules_version}`));
    expect(pairs).toEqual(
      new Set([...rules.flatMap((r) => versions.map((v) => `${r}@${v}`)), 'undefined@undefined']),
    );
    // The alert no rule raised has neither tag (not an empty one).
    expect(lines.at(-1)).not.toMatch(/rule/);
  });
});
