import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

const OFFLINE_AFTER_MS = (3 * 60 + 10) * 1000;

describe('found by probing: reassurance for a device-offline alert', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * reassure/reassurance.ts handles `returned` before its "the resident did not call" check, so a
   * device-offline alert that a carer accepted and then did not attend in time tells the band
   * "Help is delayed. We are calling someone else now." The resident never called: a confused
   * (often cognitively impaired) resident hears that help is delayed for an emergency she does not
   * have, and may get up to look for it — the fall risk the reassurance exists to prevent.
   */
  it('a band whose offline alert is reclaimed from a carer is told nothing', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceHeartbeat', { intervalS: 60 });
    await g.tick(OFFLINE_AFTER_MS);
    const { alertId } = (await alice.next(onTopic('dispatch', { kind: 'device-offline' }))).payload;
    await alice.send('staffReply', { action: 'ack', alertId });
    await alice.next(onTopic('result'));
    // The band is back (it was in the charger); the accepted alert stays alice's to resolve.
    await band.send('deviceHeartbeat', { intervalS: 60 });
    for (let i = 0; i < 60; i++) {
      await g.tick(60_000); // alice never gets there: reminders, then the alert is taken back
      await band.send('deviceHeartbeat', { intervalS: 60 });
    }
    const audit = g.gateway.context.alertStore.audit(alertId as number).map((a) => a.action);
    expect(audit).toContain('returned');
    const told = band.drain().filter(onTopic('reassure'));
    expect(told.map((m) => m.payload.text)).toEqual([]);
  });
});
