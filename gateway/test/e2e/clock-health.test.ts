import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('clock health: a gateway clock behind what it recorded is reported', () => {
  let g: TestGateway;
  beforeEach(async () => {
    g = await testGateway();
  });
  afterEach(async () => {
    await g.stop();
  });

  it('reports the clock degraded after a restart 1 h 02 min behind the last audit entry, and clears it later', async () => {
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    await alice.next(onTopic('dispatch', { type: 'alert' }));
    const recordedAt = g.fake.now;

    // A Pi without a real-time clock reboots with an old time.
    g.fake.setSystemTime(recordedAt - (62 * 60_000 + 10_000));
    await g.restart();
    const health = g.gateway.context.health.list();
    expect(health).toMatchObject([
      {
        problem: 'clock',
        reason: 'clock is 1 h 02 min behind the last recorded event; is time sync working?',
      },
    ]);
    const res = await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`);
    expect(res.status).toBe(503);
    const watcher = await g.client('btn-n1');
    await watcher.listen('gatewayState');
    const state = (await watcher.next(onTopic('state'))).payload;
    expect(state).toMatchObject({ state: 'degraded', problems: [{ problem: 'clock' }] });
    expect(await g.metric('careedge_health_problem', { problem: 'clock' })).toBe(1);

    const sam = await g.handset('sam');
    await g.tick(60 * 60_000);
    expect(g.gateway.context.health.has('clock')).toBe(true); // still behind
    await g.tick(3 * 60_000);
    expect(g.gateway.context.health.has('clock')).toBe(false);
    await sam.next(onTopic('dispatch', { type: 'system', problem: 'clock', state: 'recovered' }));
    expect((await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`)).status).toBe(200);
  });

  it('counts a wall-clock jump at run time without calling it degraded', async () => {
    await g.tick(60_000);
    expect(await g.metric('careedge_clock_jumps_total', { direction: 'forward' })).toBe(0);
    g.fake.setSystemTime(g.fake.now + 3600_000); // NTP steps the clock an hour forward
    await g.tick(60_000);
    expect(await g.metric('careedge_clock_jumps_total', { direction: 'forward' })).toBe(1);
    expect(g.gateway.context.health.degraded).toBe(false);
  });
});
