import { describe, expect, it } from 'vitest';
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
