import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('found by probing: one stored alert with a value the API does not know blanks every alert list', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * The response schemas wrote kinds, priorities, states and outcomes as unions of literals, and
   * fast-json-stringify throws on a value that matches none. After rolling back a release that
   * added an alert kind or an outcome (what an administrator does when an upgrade misbehaves),
   * the database still holds rows with the newer value, and then GET /api/v1/alerts answered 500
   * for all alerts: a console listing the open alarms shows none, including a live SOS. The API
   * must pass through what is stored; the OpenAPI document still lists the known values.
   */
  it('lists the open alerts, the odd one with its stored value', async () => {
    g = await testGateway();
    const api = g.api();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    await alice.next(onTopic('dispatch', { type: 'alert', reason: 'new' }));
    const { db } = g.gateway.context;
    // A closed alert written by a newer release, with values this one does not know.
    db.prepare(
      `INSERT INTO alerts (kind, priority, state, device_id, zone_id, raised_at, updated_at, count,
         last_trigger_at, closed_at, outcome, level, reminders)
       VALUES ('wander', 'urgent', 'resolved', 'wb-2', 'north', 1, 2, 1, 1, 2, 'moved-room', 0, 0)`,
    ).run();
    db.prepare(
      `INSERT INTO audit (alert_id, at, actor, action, from_state, to_state, detail)
       VALUES (2, 2, 'system', 'paused', 'dispatched', 'paused', '{}')`,
    ).run();

    const open = await api.inject({ method: 'GET', url: '/api/v1/alerts' });
    const recent = await api.inject({ method: 'GET', url: '/api/v1/alerts?state=recent' });
    const odd = await api.inject({ method: 'GET', url: '/api/v1/alerts/2' });
    await api.close();
    expect(open.statusCode).toBe(200);
    expect(open.json().alerts.map((a: { kind: string }) => a.kind)).toEqual(['sos']);
    expect(recent.statusCode).toBe(200);
    expect(recent.json().alerts.map((a: { kind: string }) => a.kind)).toEqual(['wander', 'sos']);
    expect(odd.statusCode).toBe(200);
    expect(odd.json()).toMatchObject({
      alert: { kind: 'wander', priority: 'urgent', state: 'resolved', outcome: 'moved-room' },
      audit: [{ fromState: 'dispatched', toState: 'paused' }],
    });
  });
});
