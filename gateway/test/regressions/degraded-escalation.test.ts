import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

const isAlert = (f: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...f });

describe('found by probing: an alert raised before the SD card goes read-only', () => {
  let g: TestGateway;
  afterEach(async () => {
    g.gateway.context.db.pragma('query_only = OFF');
    await g.stop();
  });

  /**
   * Rose presses SOS; Alice's handset is told (dispatched, level 0) but Alice is busy / her handset
   * is in a pocket. Then the card goes read-only. The degraded-mode path (unrecorded.ts) only covers
   * NEW alarms; the dispatcher's escalation of the existing alert needs an SQLite write, fails, and
   * guard() retries every 5 s for ever — Bob, the nurse, the supervisor are never told. Two minutes
   * on, still only Alice has ever heard of Rose's SOS.
   */
  it('escalates an existing unacknowledged SOS to the next people while storage refuses writes', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    const bob = await g.handset('bob');
    const sam = await g.handset('sam');
    await band.send('deviceEvent', { type: 'sos' });
    const { alertId } = (await alice.next(isAlert({ reason: 'new' }))).payload;
    await g.settled();

    g.gateway.context.db.pragma('query_only = ON'); // card remounted read-only
    for (let i = 0; i < 4; i++) await g.tick(30_000); // four high-priority ack timeouts
    await g.settled();

    const toBob = bob.drain().filter(isAlert());
    const toSam = sam.drain().filter(isAlert());
    expect(toBob.length, `nobody but Alice was ever told of SOS #${alertId} after 2 min`).toBeGreaterThan(0);
    expect(toSam.length, 'the supervisor was never told either').toBeGreaterThan(0);
  });

  /**
   * Alice acknowledges a real alert while the card is read-only: the ack cannot be stored, so she
   * gets an error and the alert stays 'dispatched' with nobody owning it. Since escalation cannot be
   * stored either, nobody else is asked: the resident's alarm is in limbo.
   */
  it('after a refused acknowledgement of a real alert, somebody else is asked', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    const bob = await g.handset('bob');
    await band.send('deviceEvent', { type: 'sos' });
    const { alertId } = (await alice.next(isAlert({ reason: 'new' }))).payload;
    await g.settled();
    g.gateway.context.db.pragma('query_only = ON');
    const sent = await alice.send('staffReply', { action: 'ack', alertId });
    const res = (await alice.next(onTopic('result', { transaction: sent.seq }))).payload;
    // Whatever the answer, either Alice owns it or someone else gets asked.
    for (let i = 0; i < 4; i++) await g.tick(30_000);
    await g.settled();
    const owned = res.status === 'ok';
    const askedBob = bob.drain().filter(isAlert()).length > 0;
    expect(
      owned || askedBob,
      `ack refused (${JSON.stringify(res.error)}) and nobody else asked in 2 min`,
    ).toBe(true);
  });
});

describe('found by probing: storage failure seen only by the escalation path', () => {
  let g: TestGateway;
  afterEach(async () => {
    g.gateway.context.db.pragma('query_only = OFF');
    await g.stop();
  });

  /**
   * Escalation writes failing every 5 s is a storage failure, but only ingest's alarm path asks the
   * health service: /healthz stays 200 and no supervisor notice goes out, so nobody on site learns
   * that the gateway can no longer escalate, and the watchdog / dashboard shows green.
   */
  it('reports degraded when escalating an existing alert fails because the card is read-only', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    const sam = await g.handset('sam');
    await band.send('deviceEvent', { type: 'sos' });
    await alice.next(isAlert({ reason: 'new' }));
    await g.settled();
    g.gateway.context.db.pragma('query_only = ON');
    for (let i = 0; i < 2; i++) await g.tick(30_000);
    await g.settled();
    const res = await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`);
    const notices = sam.drain().filter(onTopic('dispatch', { type: 'system', state: 'degraded' }));
    expect({ healthz: res.status, supervisorNotices: notices.length }).toEqual({
      healthz: 503,
      supervisorNotices: 1,
    });
  });
});
