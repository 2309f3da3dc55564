import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertServiceSink } from '../../src/rules/alert-sink.js';
import { parseRulesFile } from '../../src/rules/file.js';
import { RULE_KINDS } from '../../src/rules/kinds/index.js';
import { SqliteRuleStateStore } from '../../src/rules/state-store.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';
import { THROWING_BPM, testEngine, testHighHeartRate } from './test-kind.js';

const kinds = [...RULE_KINDS, testHighHeartRate];
const RULES = `rules:
  - { id: calls, kind: instant }
  - { id: device-offline, kind: heartbeat-missed }
  - id: hr
    kind: test-high-heart-rate
`;

describe('rules in the gateway', () => {
  let g: TestGateway;
  beforeEach(async () => {
    g = await testGateway();
  });
  afterEach(async () => {
    await g.stop();
  });

  /** The engine with the gateway's real parts (alert service, SQLite, register) and the test kind. */
  function engineOn(gateway: TestGateway['gateway']) {
    const { clock, alerts, db, register } = gateway.context;
    const engine = testEngine(
      {
        clock,
        sink: new AlertServiceSink(alerts),
        store: new SqliteRuleStateStore(db),
        subjects: (deviceId) => {
          const c = register.deviceContext(deviceId);
          return (
            c && {
              deviceId,
              residentId: c.resident?.id ?? null,
              roomId: c.room?.id ?? null,
              zoneId: c.zone?.id ?? null,
            }
          );
        },
      },
      parseRulesFile(RULES, 'rules.yaml', { kinds }),
    );
    engine.start();
    const send = (bpm: number) =>
      engine.handle({
        type: 'telemetry',
        at: clock.now(),
        deviceId: 'wb-1',
        message: { seq: 1, ts: 0, activity: 10, worn: true, batteryPct: 80, rssiDbm: -60, heartRateBpm: bpm },
      });
    return { engine, send };
  }

  it('an SOS and a device-offline alert carry the rule id and the rules version (the example file)', async () => {
    const version = g.gateway.context.rules.current().version;
    expect(version).toMatch(/^[0-9a-f]{12}$/);
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceHeartbeat', { intervalS: 60 });
    await band.send('deviceEvent', { type: 'sos' });
    const sos = (await alice.next(onTopic('dispatch', { kind: 'sos' }))).payload;
    expect(g.alerts.get(sos.alertId as number)).toMatchObject({
      ruleId: 'calls',
      rulesVersion: version,
      priority: 'high',
    });

    await g.tick(190_000);
    const offline = (await alice.next(onTopic('dispatch', { kind: 'device-offline' }))).payload;
    expect(g.alerts.get(offline.alertId as number)).toMatchObject({
      ruleId: 'device-offline',
      rulesVersion: version,
    });

    const res = await g.api().inject({
      method: 'GET',
      url: `/api/v1/alerts/${sos.alertId}`,
    });
    expect(res.json().alert).toMatchObject({ ruleId: 'calls', rulesVersion: version });
  });

  it('a rule alert goes through the alert service: dispatched, with rule id and version, its state in the same commit', async () => {
    const alice = await g.handset('alice');
    const { send, engine } = engineOn(g.gateway);
    send(130);
    await g.tick(60_000);
    const d = (await alice.next(onTopic('dispatch', { kind: 'vital-sign' }))).payload;
    const alert = g.alerts.get(d.alertId as number);
    expect(alert).toMatchObject({ kind: 'vital-sign', priority: 'medium', residentId: 'r1', ruleId: 'hr' });
    expect(alert.rulesVersion).toMatch(/^[0-9a-f]{12}$/);
    // Durable with the alert, before any batch: a crash now would not raise it twice.
    const row = new SqliteRuleStateStore(g.gateway.context.db).all().find((r) => r.ruleId === 'hr');
    expect(row).toMatchObject({ openAlertId: alert.id, state: { raised: true } });
    engine.stop();
  });

  it('a low-priority rule alert nobody took closes itself when the condition clears, recorded as cleared by the rule', async () => {
    await g.handset('alice');
    const { send, engine } = engineOn(g.gateway);
    send(130);
    await g.tick(60_000);
    const [alert] = g.alerts.open().filter((a) => a.kind === 'vital-sign');
    // Low: clears itself. (The test kind raises medium; lower it the way fall-followup will.)
    g.alerts.ruleChanges.setPriority(alert!.id, 'low', { kind: 'system' }, { rule: 'hr', reason: 'test' });
    send(80);
    const closed = g.alerts.get(alert!.id);
    expect(closed).toMatchObject({ state: 'cancelled', outcome: 'cancelled' });
    const trail = g.gateway.context.alertStore.audit(alert!.id).map((e) => [e.action, e.actor, e.detail]);
    expect(trail).toContainEqual([
      'reprioritised',
      'system',
      { from: 'medium', to: 'low', rule: 'hr', reason: 'test' },
    ]);
    expect(trail).toContainEqual([
      'cancelled',
      'system',
      { clearedBy: 'rule', rule: 'hr', reason: 'heart rate back below' },
    ]);
    engine.stop();
  });

  it('a medium alert stays open when the condition clears; its trail notes it', async () => {
    const { send, engine } = engineOn(g.gateway);
    send(130);
    await g.tick(60_000);
    send(80);
    const [alert] = g.alerts.open().filter((a) => a.kind === 'vital-sign');
    expect(alert?.state).toBe('dispatched');
    expect(g.gateway.context.alertStore.audit(alert!.id).map((e) => e.action)).toContain('condition-cleared');
    engine.stop();
  });

  it('after g.restart mid-window the state is restored: one alert at the deadline, no duplicate after another restart', async () => {
    const first = engineOn(g.gateway);
    first.send(130);
    await g.tick(30_000);
    first.engine.stop();
    await g.restart();
    const second = engineOn(g.gateway);
    await g.tick(29_000);
    expect(g.alerts.open().filter((a) => a.kind === 'vital-sign')).toEqual([]);
    await g.tick(1000);
    expect(g.alerts.open().filter((a) => a.kind === 'vital-sign')).toHaveLength(1);
    second.engine.stop();

    await g.restart();
    const third = engineOn(g.gateway);
    third.send(130);
    await g.tick(120_000);
    const open = g.alerts.open().filter((a) => a.kind === 'vital-sign');
    expect(open).toHaveLength(1);
    expect(open[0]!.count).toBe(1);
    third.engine.stop();
  });

  it('a kind that throws raises a low unclassified alert to the shift supervisor', async () => {
    const sam = await g.handset('sam');
    const { send, engine } = engineOn(g.gateway);
    send(THROWING_BPM);
    const [alert] = g.alerts.open();
    expect(alert).toMatchObject({ kind: 'unclassified', priority: 'low', ruleId: 'hr', residentId: 'r1' });
    expect((await sam.next(onTopic('dispatch', { kind: 'unclassified' }))).payload).toMatchObject({
      alertId: alert!.id,
    });
    engine.stop();
  });
});
