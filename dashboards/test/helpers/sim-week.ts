import type { AlertKind, Priority } from '@careedge/edge';
import { KioskPattern, seededRandom, Wristband } from '@careedge/firmware-sim';
import type { AlertAction } from '../../../gateway/src/alerts/events.js';
import type { Actor, Alert } from '../../../gateway/src/alerts/model.js';
import { Pseudonyms } from '../../../gateway/src/core/pseudonym.js';
import { PointEncoder } from '../../../gateway/src/forwarding/points.js';
import type { DeviceContext } from '../../../gateway/src/register/types.js';

export const SITE = 'sunrise';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export interface SimWeek {
  from: number;
  to: number;
  lines: string[];
  /** Every alert as it ended the week, to check the panels' figures against. */
  alerts: Alert[];
  residents: number;
}

/** A resident's usual day: asleep at night, up from 07:00, busiest late morning and afternoon. */
const rhythm = (hour: number) => (hour < 6 || hour >= 22 ? 0.05 : hour < 8 ? 0.4 : hour < 20 ? 1 : 0.5);

/**
 * A week of a small site (20 residents in two zones, four staff on 12-hour shifts) as the
 * gateway's own point encoder turns it into line protocol: wristband telemetry every 5 minutes
 * (firmware-sim's readings, shaped by the hour of day), device status, alerts with their whole
 * lifecycle, gateway health every minute. Time is computed, not waited for: a week in a second.
 */
export function simulateWeek(from = Date.UTC(2026, 10, 16), seed = 7): SimWeek {
  const to = from + 7 * DAY;
  const random = seededRandom(seed);
  const lines: string[] = [];
  const keys = new Pseudonyms('dashboards-test-site-secret');
  // Alert points are stamped with the time of the commit that announced them: the simulated one.
  const commits = { at: 0, auditId: 0 };
  const encoder = new PointEncoder({
    now: () => commits.at,
    siteId: SITE,
    keys,
    deviceStatusEveryMs: 15 * MIN,
    sink: (_cls, line) => lines.push(line),
    withheld: () => {},
  });

  const bands = Array.from({ length: 20 }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    const zone = i < 10 ? { id: 'east', name: 'East wing' } : { id: 'west', name: 'West wing' };
    const source: DeviceContext = {
      device: { id: `wb-${n}`, kind: 'wristband', residentId: `r${n}` },
      // Resident 20 declined vitals forwarding: their status still goes, their vitals never.
      resident: {
        id: `r${n}`,
        name: `Resident ${n}`,
        roomId: `room-${n}`,
        ...(i === 19 ? { forwardVitals: false } : {}),
      },
      room: { id: `room-${n}`, name: `Room ${n}`, zoneId: zone.id },
      zone,
    };
    const sim = new Wristband({
      url: 'mqtt://unused',
      siteId: SITE,
      id: source.device.id,
      secret: 'unused',
      random,
    });
    return { source, sim, seq: 0 };
  });

  for (const b of bands)
    encoder.status({
      source: b.source,
      message: { seq: b.seq++, ts: from, state: 'online' },
      receivedAt: from,
    });
  for (let t = from; t < to; t += 5 * MIN) {
    const hour = new Date(t).getUTCHours();
    for (const [i, b] of bands.entries()) {
      const r = b.sim.nextReadings();
      // Band 3 lies on the night stand from 22:00 to 06:00: no skin contact, no pulse.
      const off = i === 2 && (hour >= 22 || hour < 6);
      const { heartRateBpm, ...rest } = r;
      const message = {
        ...rest,
        ...(off ? {} : heartRateBpm === undefined ? {} : { heartRateBpm }),
        worn: !off,
        activity: Math.round(r.activity * rhythm(hour) * 10) / 10,
        seq: b.seq++,
        ts: t + i * 1000,
      };
      encoder.telemetry({ source: b.source, message, receivedAt: t });
    }
  }
  // Band 7 went flat on the last evening: offline by its last will.
  const last = bands[6]!;
  encoder.status({
    source: last.source,
    message: { seq: last.seq++, ts: to - 3 * HOUR, state: 'offline' },
    receivedAt: to - 3 * HOUR,
  });

  for (let t = from; t < to; t += MIN)
    encoder.health(t, {
      ingest_per_s: 20 / 300 + random() * 0.01,
      rejects: random() < 0.01 ? 1 : 0,
      outbox_backlog: Math.floor(random() * 50),
      event_loop_delay_ms: 2 + random() * 8,
      broker_clients: 24 - (random() < 0.01 ? 3 : 0),
    });

  // Feedback kiosks: the west lounge is where the west wing dines (a dip after meals). Their own
  // random source, so the rest of the week stays as it was.
  const kioskRandom = seededRandom(seed + 1);
  for (const [kioskId, zoneId, dining] of [
    ['kiosk-lounge', 'west', true],
    ['kiosk-east', 'east', false],
  ] as const) {
    const pattern = new KioskPattern({ dining, timezone: 'Europe/London', random: kioskRandom });
    let seq = 0;
    for (let t = from; t < to; t += MIN) {
      const tap = pattern.minute(t);
      if (tap)
        encoder.feedback({ kioskId, zoneId, face: tap.face, reason: tap.reason ?? null, at: t, seq: seq++ });
    }
  }

  const alerts = simulateAlerts(
    from,
    to,
    random,
    encoder,
    bands.map((b) => b.source),
    commits,
  );
  return { from, to, lines, alerts, residents: bands.length };
}

/** What raises alerts, with the rule (its id in the rules file) that raises each. */
const KINDS: [AlertKind, Priority, string][] = [
  ['sos', 'high', 'calls'],
  ['fall', 'high', 'calls'],
  ['call', 'medium', 'calls'],
  ['call', 'low', 'calls'],
  ['device-offline', 'medium', 'device-offline'],
  ['vital-sign', 'medium', 'heart-rate'],
  ['inactivity', 'medium', 'inactivity'],
  ['battery-low', 'low', 'battery-low'],
];

/** The rules file changes once, mid-week: its content hash before and after. */
export const RULES_VERSIONS = ['1a2b3c4d5e6f', '6f5e4d3c2b1a'] as const;

/** Staff on shift at `t` for a zone: day 07–19 anna (east) and ben (west), night dmitri and eve. */
const responder = (t: number, zone: string) => {
  const h = new Date(t).getUTCHours();
  const day = h >= 7 && h < 19;
  return zone === 'east' ? (day ? 'anna' : 'dmitri') : day ? 'ben' : 'eve';
};

/** About eight alerts a day, each through its lifecycle; one left open at the end of the week. */
function simulateAlerts(
  from: number,
  to: number,
  random: () => number,
  encoder: PointEncoder,
  sources: DeviceContext[],
  /** The simulated commit each alert change is announced after: its time and audit entry. */
  commits: { at: number; auditId: number },
): Alert[] {
  const alerts: Alert[] = [];
  let id = 0;
  for (let t = from + 17 * MIN; t < to - 2 * HOUR; t += 2 * HOUR + Math.floor(random() * HOUR)) {
    const source = sources[Math.floor(random() * sources.length)]!;
    const [kind, priority, ruleId] = KINDS[Math.floor(random() * KINDS.length)]!;
    const a: Alert = {
      id: ++id,
      kind,
      priority,
      state: 'raised',
      deviceId: source.device.id,
      residentId: source.resident?.id ?? null,
      roomId: source.room?.id ?? null,
      zoneId: source.zone!.id,
      raisedAt: t,
      updatedAt: t,
      count: 1,
      lastTriggerAt: t,
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
      rulesVersion: RULES_VERSIONS[t < (from + to) / 2 ? 0 : 1],
      heldBack: null,
    };
    const system: Actor = { kind: 'system' };
    const step = (at: number, action: AlertAction, change: Partial<Alert>, actor: Actor = system) => {
      const previousState = action === 'raised' ? null : a.state;
      Object.assign(a, change, { updatedAt: at });
      commits.at = at;
      encoder.alert({
        alert: { ...a },
        previousState,
        action,
        actor,
        detail: {},
        auditId: ++commits.auditId,
      });
    };
    step(t, 'raised', {}, { kind: 'device', id: a.deviceId });
    step(t + 200, 'dispatched', { state: 'dispatched' });
    // Accepted within 5–90 s mostly; one in six waits for escalations.
    const escalations = random() < 1 / 6 ? 1 + Math.floor(random() * 3) : 0;
    let at = t + 200;
    for (let level = 1; level <= escalations; level++) {
      at += 30_000;
      if (level === 1 && random() < 0.5)
        step(at - 10_000, 'declined', {}, { kind: 'staff', id: responder(at, a.zoneId) });
      step(at, 'escalated', { level });
    }
    if (random() < 0.1) step(at + 5_000, 'repeated', { count: 2, lastTriggerAt: at + 5_000 });
    at += 5_000 + Math.floor(random() * 85_000);
    const staff = responder(at, a.zoneId);
    step(
      at,
      'acknowledged',
      { state: 'acknowledged', ownerId: staff, acknowledgedAt: at },
      { kind: 'staff', id: staff },
    );
    if (id === 3) {
      alerts.push({ ...a });
      continue; // still open: accepted, never closed
    }
    // A band back online, a battery charged: cleared by the device, nobody had to go.
    if ((kind === 'device-offline' || kind === 'battery-low') && random() < 0.5) {
      at += MIN;
      step(at, 'cancelled', { state: 'cancelled', closedAt: at, outcome: 'cancelled' });
    } else {
      at += 2 * MIN + Math.floor(random() * 6 * MIN);
      step(at, 'attended', { state: 'attended', attendedAt: at }, { kind: 'staff', id: staff });
      at += 3 * MIN + Math.floor(random() * 20 * MIN);
      step(
        at,
        'resolved',
        { state: 'resolved', closedAt: at, outcome: 'assisted' },
        { kind: 'staff', id: staff },
      );
    }
    alerts.push({ ...a });
  }
  return alerts;
}
