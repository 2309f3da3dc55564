import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { validatePayload, type WristbandTelemetry } from '@careedge/edge';
import { parseSimSite } from '@careedge/firmware-sim';
import { parseSiteFile } from '@careedge/gateway';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateHistory, type HistoryOptions } from '../../src/history/generate.js';
import { parseJsonLine, writeJsonLines } from '../../src/history/jsonl.js';
import { localDays } from '../../src/history/local-days.js';
import { type HistoryMessage, INCIDENT_KINDS, type Incident } from '../../src/history/types.js';

const OPTIONS: HistoryOptions = {
  residents: 8,
  days: 7,
  seed: 3,
  startDate: '2026-10-20',
  // A daylight-saving change in the week: 25 October 2026, 02:00 BST → 01:00 GMT.
  timezone: 'Europe/London',
  missingHourChance: 0.1,
};
const MIN = 60_000;

const hashOf = (messages: Iterable<HistoryMessage>, limit = Number.POSITIVE_INFINITY) => {
  const hash = createHash('sha256');
  let n = 0;
  for (const m of messages) {
    if (n++ >= limit) break;
    hash.update(JSON.stringify(m));
  }
  return hash.digest('hex');
};

type Sample = WristbandTelemetry;

describe('simulated resident history (ground truth for the anomaly rules)', () => {
  const history = generateHistory(OPTIONS);
  const { truth } = history;
  const local = localDays(OPTIONS.startDate, OPTIONS.days, OPTIONS.timezone);
  const { midnights } = local;
  const all: HistoryMessage[] = [];
  const telemetry = new Map<string, Sample[]>();
  const byDevice = new Map<string, HistoryMessage[]>();

  beforeAll(() => {
    for (const m of history.messages()) {
      all.push(m);
      if (!byDevice.has(m.deviceId)) byDevice.set(m.deviceId, []);
      byDevice.get(m.deviceId)!.push(m);
      if (m.channel === 'deviceTelemetry') {
        if (!telemetry.has(m.deviceId)) telemetry.set(m.deviceId, []);
        telemetry.get(m.deviceId)!.push(m.payload);
      }
    }
  });

  /** Wall-clock minutes since local midnight (not elapsed ones: a daylight-saving day is in the week). */
  const localMinute = (ts: number) => {
    let d = 0;
    while (ts >= midnights[d + 1]!) d++;
    return local.wallMinute(d, ts);
  };
  const inIncident = (deviceId: string, ts: number, pad = 0) =>
    truth.incidents.find((i) => i.deviceId === deviceId && ts >= i.startTs - pad && ts < i.endTs + pad);
  const samplesIn = (i: Incident, fromTs = i.startTs, toTs = i.endTs) =>
    telemetry.get(i.deviceId)!.filter((s) => s.ts >= fromTs && s.ts < toTs);
  const incidentsOf = (kind: Incident['kind']) => truth.incidents.filter((i) => i.kind === kind);
  const profileOf = (i: Incident) => truth.residents.find((r) => r.residentId === i.residentId)!;
  /** Mean activity over each `windowMin`-minute window ending at each sample (worn samples only). */
  const rollingMeans = (samples: Sample[], windowMin: number) =>
    samples.map((s, k) => {
      const window = samples
        .slice(Math.max(0, k - windowMin + 1), k + 1)
        .filter((w) => w.ts > s.ts - windowMin * MIN);
      return { ts: s.ts, mean: window.reduce((a, w) => a + w.activity, 0) / window.length, n: window.length };
    });

  it('is the same, byte for byte, for the same seed, and differs for another', () => {
    expect(hashOf(generateHistory(OPTIONS).messages())).toBe(hashOf(all));
    expect(hashOf(generateHistory({ ...OPTIONS, seed: 4 }).messages(), 1000)).not.toBe(hashOf(all, 1000));
    expect(JSON.stringify(generateHistory(OPTIONS).truth)).toBe(JSON.stringify(truth));
  });

  it('sends only payloads that the edge channel schemas accept, in time order', () => {
    expect(all.length).toBeGreaterThan(8 * 7 * 1440 * 1.9);
    let last = 0;
    const problems: string[] = [];
    for (const m of all) {
      const decoded = validatePayload(m.channel, m.payload);
      if (!decoded.ok) problems.push(`${m.deviceId} ${m.channel}: ${decoded.errors.join('; ')}`);
      if (m.ts < last) problems.push(`${m.deviceId} ${m.channel} at ${m.ts} after ${last}`);
      last = m.ts;
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(all[0]!.ts).toBe(truth.startTs);
    expect(last).toBeLessThan(truth.endTs);
  });

  it('counts seq up by one per message of a device, from 0 again only after a dead battery', () => {
    for (const [deviceId, messages] of byDevice) {
      // A will takes its seq at CONNECT, just before `online`, and is published later: leave
      // wills out, and `online` is then 2 past the message before it.
      const seqs = messages.filter((m) => !(m.channel === 'deviceStatus' && m.payload.state === 'offline'));
      const step = (m: HistoryMessage) => (m.channel === 'deviceStatus' ? 2 : 1);
      const restarts = seqs.filter((m, k) => k > 0 && m.payload.seq !== seqs[k - 1]!.payload.seq + step(m));
      const dead = truth.incidents.filter((i) => i.deviceId === deviceId && i.kind === 'dead-battery');
      expect(restarts.map((m) => [m.payload.seq, m.ts])).toEqual(dead.map((i) => [1, i.marks.backTs]));
    }
  });

  it('heartbeats at the interval with intervalS, and telemetry at the telemetry interval', () => {
    const band = byDevice.get(truth.residents[0]!.deviceId)!;
    const beats = band.filter((m) => m.channel === 'deviceHeartbeat');
    expect(beats.every((m) => m.channel === 'deviceHeartbeat' && m.payload.intervalS === 60)).toBe(true);
    for (const channel of ['deviceHeartbeat', 'deviceTelemetry']) {
      const ticks = band.filter((m) => m.channel === channel);
      const steps = new Set(ticks.slice(1).map((m, k) => m.ts - ticks[k]!.ts));
      // Every minute, and whole minutes across a missing hour.
      expect(steps.has(60_000)).toBe(true);
      expect([...steps].every((s) => s % 60_000 === 0)).toBe(true);
    }
  });

  it('has every incident kind, each with its deadline, for this resident and device', () => {
    expect(new Set(truth.incidents.map((i) => i.kind))).toEqual(new Set(INCIDENT_KINDS));
    for (const i of truth.incidents) {
      expect(i.deadlineS).toBe(truth.deadlinesS[i.kind]);
      expect(truth.residents.find((r) => r.residentId === i.residentId)?.deviceId).toBe(i.deviceId);
      expect(i.endTs).toBeGreaterThan(i.startTs);
    }
  });

  it('tachycardia: heart rate above 120 throughout the episode, and never outside one', () => {
    for (const i of incidentsOf('tachycardia')) {
      const window = samplesIn(i);
      expect(window.length).toBeGreaterThanOrEqual(11);
      expect(window.every((s) => s.heartRateBpm! > 120)).toBe(true);
    }
    for (const [deviceId, samples] of telemetry) {
      const high = samples.filter((s) => (s.heartRateBpm ?? 0) > 120 || (s.heartRateBpm ?? 100) < 40);
      expect(high.every((s) => inIncident(deviceId, s.ts)?.kind === 'tachycardia')).toBe(true);
    }
  });

  it('band taken off: an off-wrist event, then worn=false for hours; otherwise off only for the evening charge', () => {
    for (const i of incidentsOf('band-off')) {
      const events = byDevice.get(i.deviceId)!.filter((m) => m.channel === 'deviceEvent');
      expect(events.map((m) => [m.ts, m.channel === 'deviceEvent' && m.payload.type])).toContainEqual([
        i.startTs,
        'off-wrist',
      ]);
      const window = samplesIn(i);
      expect((i.endTs - i.startTs) / MIN).toBeGreaterThanOrEqual(180);
      expect(window.every((s) => !s.worn && s.heartRateBpm === undefined)).toBe(true);
    }
    // Outside incidents the longest off-wrist run is the charge: under 50 minutes.
    for (const [deviceId, samples] of telemetry) {
      let runFrom: number | undefined;
      for (const s of samples) {
        if (s.worn || inIncident(deviceId, s.ts)?.kind === 'band-off') runFrom = undefined;
        else {
          runFrom ??= s.ts;
          expect(s.ts - runFrom, `${deviceId} off the wrist from ${runFrom}`).toBeLessThan(50 * MIN);
        }
      }
    }
  });

  it('dead battery: it drains to 0, the band says nothing until it is back, then reboots', () => {
    for (const i of incidentsOf('dead-battery')) {
      const messages = byDevice.get(i.deviceId)!;
      const zero = i.marks.batteryZeroTs!;
      const last = messages.filter((m) => m.ts <= zero).at(-1)!;
      expect(last.channel === 'deviceTelemetry' && last.payload.batteryPct).toBe(0);
      const silent = messages.filter((m) => m.ts > zero && m.ts < i.marks.backTs!);
      // Only the broker's last will, on the band's behalf.
      expect(silent.map((m) => m.channel === 'deviceStatus' && m.payload.state)).toEqual(['offline']);
      const failing = samplesIn(i, i.startTs, zero + 1);
      expect(failing[0]!.batteryPct).toBeGreaterThanOrEqual(25);
      expect(failing.every((s, k) => k === 0 || s.batteryPct <= failing[k - 1]!.batteryPct)).toBe(true);
      expect(failing.some((s) => s.batteryPct < 20 && s.ts < zero - 60 * MIN)).toBe(true);
    }
    // Otherwise the battery never comes near a low-battery warning.
    for (const [deviceId, samples] of telemetry) {
      const low = samples.filter(
        (s) => s.batteryPct < 25 && inIncident(deviceId, s.ts)?.kind !== 'dead-battery',
      );
      expect(low).toEqual([]);
    }
  });

  it('fall with no button press: a fall event and no motion after it; no falls otherwise', () => {
    const falls = all.filter((m) => m.channel === 'deviceEvent' && m.payload.type === 'fall');
    expect(falls.map((m) => [m.deviceId, m.ts]).sort()).toEqual(
      incidentsOf('fall-no-motion')
        .map((i) => [i.deviceId, i.marks.fallTs])
        .sort(),
    );
    expect(
      all.some((m) => m.channel === 'deviceEvent' && (m.payload.type === 'sos' || m.payload.type === 'call')),
    ).toBe(false);
    for (const i of incidentsOf('fall-no-motion')) {
      const after = samplesIn(i);
      expect(after.length).toBeGreaterThanOrEqual(39);
      expect(after.every((s) => s.activity <= 2 && s.steps === 0 && s.worn)).toBe(true);
    }
  });

  it('night wandering: a flagged resident up and moving at night; other nights show only short visits', () => {
    for (const i of incidentsOf('night-wandering')) {
      expect(truth.nightWanderingRisk).toContain(i.residentId);
      expect(localMinute(i.startTs)).toBeLessThan(5 * 60);
      const window = samplesIn(i);
      expect(window.length).toBeGreaterThanOrEqual(29);
      expect(window.every((s) => s.activity >= 25)).toBe(true);
    }
    // A 10-minute sustained-movement check at night fires only inside incidents.
    for (const [deviceId, samples] of telemetry) {
      const night = samples.filter(
        (s) => localMinute(s.ts) < 5 * 60 && !inIncident(deviceId, s.ts, 10 * MIN),
      );
      const alerts = rollingMeans(night, 10).filter((w) => w.n >= 8 && w.mean >= 20);
      expect(alerts, deviceId).toEqual([]);
    }
  });

  it('late rising: still asleep well past the usual time on that day, up within ±30 min on others', () => {
    // Up = 20 minutes of movement: a few minutes' visit to the toilet is not getting up.
    const upAt = (deviceId: string, day: number) => {
      const morning = telemetry
        .get(deviceId)!
        .filter((s) => s.worn && s.ts >= midnights[day]! + 4 * 60 * MIN && s.ts < midnights[day + 1]!);
      const up = rollingMeans(morning, 20).find((w) => w.n >= 16 && w.mean >= 10);
      return up === undefined ? undefined : local.wallMinute(day, up.ts);
    };
    for (const i of incidentsOf('late-rising')) {
      const day = midnights.findLastIndex((m) => m <= i.startTs);
      expect(Math.abs(localMinute(i.startTs) - profileOf(i).wakeMin)).toBeLessThan(1);
      expect(upAt(i.deviceId, day)! - profileOf(i).wakeMin).toBeGreaterThan(150);
    }
    for (const profile of truth.residents) {
      for (let day = 0; day < OPTIONS.days; day++) {
        const during = (fromTs: number) => fromTs >= midnights[day]! && fromTs < midnights[day + 1]!;
        const busy =
          truth.incidents.some(
            (i) => i.deviceId === profile.deviceId && (during(i.startTs) || during(i.endTs)),
          ) || truth.gaps.some((g) => g.deviceId === profile.deviceId && during(g.fromTs));
        if (busy) continue;
        const up = upAt(profile.deviceId, day);
        expect(up, `${profile.deviceId} day ${day}`).toBeDefined();
        expect(Math.abs(up! - profile.wakeMin), `${profile.deviceId} day ${day}`).toBeLessThan(60);
      }
    }
  });

  it('unusual daytime inactivity: hours at rest in the day; an hour that still never happens otherwise', () => {
    for (const i of incidentsOf('daytime-inactivity')) {
      const window = samplesIn(i);
      expect(window.length).toBeGreaterThanOrEqual(179);
      expect(window.every((s) => s.activity <= 2 && s.worn)).toBe(true);
      expect(localMinute(i.startTs)).toBeGreaterThanOrEqual(600);
    }
    for (const [deviceId, samples] of telemetry) {
      const day = samples.filter((s) => {
        const m = localMinute(s.ts);
        return m >= 10 * 60 && m < 18 * 60 && s.worn && !inIncident(deviceId, s.ts, 60 * MIN);
      });
      const still = rollingMeans(day, 60).filter((w) => w.n >= 50 && w.mean < 6);
      expect(still, deviceId).toEqual([]);
    }
  });

  it("gives each resident a daily rhythm: nights low, days high, over every day's hours", () => {
    for (const profile of truth.residents) {
      const perHour = Array.from({ length: 24 }, () => ({ sum: 0, n: 0 }));
      for (const s of telemetry.get(profile.deviceId)!) {
        if (!s.worn || inIncident(profile.deviceId, s.ts)) continue;
        const hour = perHour[Math.floor(localMinute(s.ts) / 60) % 24]!;
        hour.sum += s.activity;
        hour.n++;
      }
      const mean = perHour.map((h) => h.sum / h.n);
      for (const h of [1, 2, 3, 4]) expect(mean[h], `${profile.residentId} ${h}:00`).toBeLessThan(4);
      for (const h of [11, 12, 15, 17]) expect(mean[h], `${profile.residentId} ${h}:00`).toBeGreaterThan(12);
    }
  });

  it('missing hours: no messages from the band, then the broker will, and online again', () => {
    expect(truth.gaps.length).toBeGreaterThan(0);
    for (const gap of truth.gaps) {
      const inside = byDevice.get(gap.deviceId)!.filter((m) => m.ts >= gap.fromTs && m.ts < gap.toTs);
      expect(inside.map((m) => m.channel === 'deviceStatus' && m.payload.state)).toEqual(['offline']);
      const back = byDevice.get(gap.deviceId)!.find((m) => m.ts >= gap.toTs)!;
      expect(back.channel === 'deviceStatus' && back.payload.state).toBe('online');
      expect(inIncident(gap.deviceId, gap.fromTs, 60 * MIN)).toBeUndefined();
    }
  });

  it('writes JSON lines that read back, checked, as the same messages', async () => {
    const small = generateHistory({ ...OPTIONS, residents: 2, days: 1 });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const tally = await writeJsonLines(small.messages(), out);
    const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
    expect(lines.length).toBe(tally.messages);
    const read = lines.map((l, k) => parseJsonLine(l, `history.jsonl:${k + 1}`));
    expect(JSON.stringify(read)).toBe(JSON.stringify([...small.messages()]));
    expect(() =>
      parseJsonLine('{"ts":1,"deviceId":"wb-01","channel":"deviceTelemetry","payload":{"seq":0}}', 'h:7'),
    ).toThrow(/^h:7: deviceTelemetry payload: .*ts/);
  });

  it('comes with a site file the gateway accepts: one resident, room and band each, in the time zone', () => {
    const site = parseSimSite(parse(history.site.yaml));
    expect(parse(history.site.yaml).site.timezone).toBe('Europe/London');
    expect(site.devices.map((d) => [d.id, d.residentId])).toEqual(
      truth.residents.map((r) => [r.deviceId, r.residentId]),
    );
    expect(truth.nightWanderingRisk.length).toBeGreaterThan(0);
    const flagged = parseSiteFile(history.site.yaml, 'history.site.yaml')
      .residents.filter((r) => r.nightWanderingRisk)
      .map((r) => r.id);
    expect(flagged).toEqual(truth.nightWanderingRisk);
  });
});

describe('a history across a daylight-saving change keeps to the wall clock', () => {
  // Europe/London 2026: 29 March 01:00 GMT → 02:00 BST (a 23-hour day), 25 October 02:00 BST → 01:00 GMT (25 hours).
  it.each([
    ['spring', '2026-03-28'],
    ['autumn', '2026-10-24'],
  ])(
    '%s: the nightly charge starts at its local time on the change day as on the days around it',
    (_, startDate) => {
      const options: HistoryOptions = {
        residents: 12,
        days: 3,
        seed: 5,
        startDate,
        timezone: 'Europe/London',
        missingHourChance: 0,
      };
      const history = generateHistory(options);
      const { truth } = history;
      const local = localDays(startDate, 3, 'Europe/London');
      expect(local.midnights[2]! - local.midnights[1]!).not.toBe(24 * 60 * MIN);
      const samples = [...history.messages()].filter((m) => m.channel === 'deviceTelemetry');
      let checked = 0;
      for (const profile of truth.residents) {
        for (let day = 0; day < 3; day++) {
          const busy = truth.incidents.some(
            (i) =>
              i.deviceId === profile.deviceId &&
              i.startTs < local.midnights[Math.min(day + 2, 3)]! && // a dead battery skips the charge the evening before
              i.endTs > local.midnights[day]!,
          );
          if (busy) continue;
          // The first reading off the wrist in the evening: the band went on its charger.
          const off = samples.find(
            (m) =>
              m.deviceId === profile.deviceId &&
              m.ts >= local.midnights[day]! &&
              m.ts < local.midnights[day + 1]! &&
              local.wallMinute(day, m.ts) >= 16 * 60 &&
              !(m.payload as Sample).worn,
          );
          const minute = local.wallMinute(day, off!.ts);
          expect(minute - profile.chargeStartMin, `${profile.deviceId} day ${day}`).toBeGreaterThanOrEqual(0);
          expect(minute - profile.chargeStartMin, `${profile.deviceId} day ${day}`).toBeLessThan(1);
          if (day === 1) checked++;
        }
      }
      expect(checked, 'residents checked on the change day').toBeGreaterThan(6);
    },
  );
});
