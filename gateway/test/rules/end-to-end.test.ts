import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/model.js';
import { EXAMPLE_RULES } from '../../src/rules/file.js';
import { TEST_SITE, type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';
import { makeTempDir } from '../helpers/tmp.js';

/**
 * The anomaly rules end to end in the real gateway (broker, MQTT clients, SQLite, fake time), on
 * the example rules file unless a test writes its own: from a band's messages to a carer's handset
 * and the audit trail.
 */
const example = readFileSync(EXAMPLE_RULES, 'utf8');
const MIN = 60_000;

/** A reading as a band sends it; the fields a test cares about override these. */
const reading = (over: Record<string, unknown> = {}) => ({
  heartRateBpm: 72,
  activity: 10,
  steps: 0,
  worn: true,
  batteryPct: 80,
  rssiDbm: -60,
  ...over,
});

function tempFile(name: string, text: string): string {
  const file = join(makeTempDir(), name);
  writeFileSync(file, text);
  return file;
}

describe('rules end to end', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /** Sends a reading and lets the gateway handle it (telemetry is handled after its PUBACK). */
  const send = async (band: TestClient, over: Record<string, unknown> = {}) => {
    await band.send('deviceTelemetry', reading(over));
    await g.settled();
  };
  const openOf = (kind: string) => g.alerts.open().filter((a) => a.kind === kind);
  const trail = (a: Alert) => g.gateway.context.alertStore.audit(a.id);

  it("a tachycardia from a band's telemetry is dispatched to the zone's carer with the rule id and version", async () => {
    g = await testGateway();
    const version = g.gateway.context.rules.current().version;
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await send(band, { heartRateBpm: 130 });
    await g.tick(30_000);
    await send(band, { heartRateBpm: 134 });
    await g.tick(29_000);
    await send(band, { heartRateBpm: 131 });
    expect(openOf('vital-sign'), 'not before the minute').toEqual([]);
    await g.tick(6000); // the kind samples a band's readings every 5 s
    await send(band, { heartRateBpm: 128 });
    const d = (await alice.next(onTopic('dispatch', { kind: 'vital-sign' }))).payload;
    expect(g.alerts.get(d.alertId as number)).toMatchObject({
      kind: 'vital-sign',
      priority: 'medium',
      residentId: 'r1',
      zoneId: 'north',
      ruleId: 'tachycardia',
      rulesVersion: version,
    });
    // More readings beyond the limit repeat nothing: one alert for the episode.
    await g.tick(30_000);
    await send(band, { heartRateBpm: 129 });
    expect(openOf('vital-sign')).toHaveLength(1);
  });

  it('two rules raising the same alert kind for one resident keep one alert each: one open alert per (resident, rule)', async () => {
    const rules = `${example}
  - id: heart-rate-over-100
    kind: vital-threshold
    params: { above: 100, below: null, sustainS: 60 }
`;
    g = await testGateway({ rules: { file: tempFile('rules.yaml', rules) } });
    const band = await g.device('wb-1');
    await send(band, { heartRateBpm: 110 });
    await g.tick(61_000);
    await send(band, { heartRateBpm: 110 });
    expect(openOf('vital-sign').map((a) => a.ruleId)).toEqual(['heart-rate-over-100']);
    await g.tick(30_000);
    await send(band, { heartRateBpm: 130 });
    await g.tick(61_000);
    await send(band, { heartRateBpm: 130 });
    const open = openOf('vital-sign');
    expect(open.map((a) => a.ruleId).sort()).toEqual(['heart-rate-over-100', 'tachycardia']);
    expect(open.find((a) => a.ruleId === 'tachycardia')?.count).toBe(1);
  });

  it('a battery-low alert is cleared by the device when it is charged, and recorded as such', async () => {
    g = await testGateway();
    const band = await g.device('wb-2');
    await g.handset('alice');
    await send(band, { batteryPct: 18 });
    const [alert] = openOf('battery-low');
    expect(alert).toMatchObject({ priority: 'low', deviceId: 'wb-2', ruleId: 'battery-low' });
    await g.tick(20 * MIN);
    await send(band, { batteryPct: 25 });
    expect(openOf('battery-low'), 'not yet back to 30 %').toHaveLength(1);
    await g.tick(20 * MIN);
    await send(band, { batteryPct: 31 });
    expect(g.alerts.get(alert!.id)).toMatchObject({ state: 'cancelled', outcome: 'cancelled' });
    expect(trail(alert!).at(-1)).toMatchObject({
      action: 'cancelled',
      actor: 'device:wb-2',
      detail: { clearedBy: 'device', rule: 'battery-low' },
    });
  });

  it("a fall followed by no motion raises the fall alert's priority, recorded in its audit trail", async () => {
    // Falls at medium here, so that the follow-up has somewhere to go (the default is high).
    const rules = example.replace(
      '  - id: calls\n    kind: instant\n    params: {}',
      '  - id: calls\n    kind: instant\n    params: { priority: { fall: medium } }',
    );
    expect(rules).not.toBe(example);
    g = await testGateway({ rules: { file: tempFile('rules.yaml', rules) } });
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'fall' });
    const d = (await alice.next(onTopic('dispatch', { kind: 'fall' }))).payload;
    const fall = g.alerts.get(d.alertId as number);
    expect(fall).toMatchObject({ priority: 'medium', ruleId: 'calls' });
    await send(band, { activity: 0 });
    await g.tick(60_000);
    await send(band, { activity: 1 });
    expect(g.alerts.get(fall.id).priority).toBe('medium');
    await g.tick(60_000);
    expect(g.alerts.get(fall.id).priority).toBe('high');
    expect(openOf('fall'), 'the same alert, not a second one').toHaveLength(1);
    expect(trail(fall).find((e) => e.action === 'reprioritised')).toMatchObject({
      actor: 'system',
      detail: {
        from: 'medium',
        to: 'high',
        rule: 'fall-followup',
        reason: 'no motion for 120 s after the fall',
      },
    });
  });

  it("a fall followed by motion and a cancel at the room's care button lowers the fall alert (the default high), recorded", async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const button = await g.device('btn-n1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'fall' });
    const d = (await alice.next(onTopic('dispatch', { kind: 'fall' }))).payload;
    await g.tick(20_000);
    await send(band, { activity: 35, steps: 12 });
    await button.send('deviceEvent', { type: 'cancel' });
    await g.settled();
    const fall = g.alerts.get(d.alertId as number);
    expect(fall).toMatchObject({ priority: 'medium', state: 'dispatched', deviceId: 'wb-1' });
    expect(trail(fall).find((e) => e.action === 'reprioritised')).toMatchObject({
      actor: 'system',
      detail: { from: 'high', to: 'medium', rule: 'fall-followup' },
    });
    // The resident in the other room is not followed up by this button.
    expect(g.alerts.open().filter((a) => a.residentId === 'r2')).toEqual([]);
  });

  it('a cancel at the care button without motion after the fall lowers nothing', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const button = await g.device('btn-n1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'fall' });
    const d = (await alice.next(onTopic('dispatch', { kind: 'fall' }))).payload;
    await g.tick(20_000);
    await send(band, { activity: 0 });
    await button.send('deviceEvent', { type: 'cancel' });
    await g.settled();
    expect(g.alerts.get(d.alertId as number).priority).toBe('high');
  });

  it('a resident flagged at risk of night wandering raises when moving about at night; one not flagged does not', async () => {
    const site = readFileSync(TEST_SITE, 'utf8').replace(
      '{ id: r1, name: Rose Tyler, room: n1 }',
      '{ id: r1, name: Rose Tyler, room: n1, nightWanderingRisk: true }',
    );
    g = await testGateway(
      { siteFile: tempFile('site.yaml', site) },
      { start: Date.UTC(2026, 10, 24, 1, 30, 0) }, // 01:30 at the test site (UTC)
    );
    const rose = await g.device('wb-1');
    const harold = await g.device('wb-2');
    const alice = await g.handset('alice');
    for (let i = 0; i <= 11; i++) {
      await send(rose, { activity: 35 });
      await send(harold, { activity: 35 });
      await g.tick(MIN);
    }
    const d = (await alice.next(onTopic('dispatch', { kind: 'night-wandering' }))).payload;
    expect(g.alerts.get(d.alertId as number)).toMatchObject({
      priority: 'medium',
      residentId: 'r1',
      ruleId: 'night-wandering',
    });
    expect(openOf('night-wandering')).toHaveLength(1);
  });

  it('a gateway restart in the middle of a not-worn window gives one alert, not two', async () => {
    g = await testGateway(); // 10:00, inside the day hours
    let band = await g.device('wb-3');
    const off = { worn: false, heartRateBpm: undefined, activity: 0 };
    for (let i = 0; i < 8; i++) {
      await send(band, off);
      await g.tick(4 * MIN);
    }
    await g.restart();
    band = await g.device('wb-3');
    for (let i = 0; i < 7; i++) {
      await send(band, off);
      await g.tick(i < 6 ? 4 * MIN : 3 * MIN);
    }
    expect(openOf('not-worn'), 'not before the hour').toEqual([]);
    await g.tick(MIN);
    const [alert] = openOf('not-worn');
    expect(alert).toMatchObject({ priority: 'low', residentId: 'r3', ruleId: 'band-not-worn', count: 1 });

    await g.restart();
    band = await g.device('wb-3');
    for (let i = 0; i < 5; i++) {
      await send(band, off);
      await g.tick(4 * MIN);
    }
    expect(openOf('not-worn').map((a) => [a.id, a.count])).toEqual([[alert!.id, 1]]);
  });
});
