import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';

describe('found by probing: alarms exempt from the publish rate still spend its tokens', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * authorizePublish calls rate.take(client) BEFORE it asks isAlarmPublish, so every alarm spends a
   * token. A care button that flushes its queued calls after a Wi-Fi outage (or a resident pressing
   * again and again) empties the bucket; the next non-alarm from the same button — the carer's
   * presence key, or a reset — is refused and the button's connection is closed. Care home: the
   * carer's presence is lost, so her next press is a plain call (medium priority, asks herself
   * first) instead of an emergency call; or the reset is lost and the call keeps escalating.
   */
  it('a burst of alarms does not cost the same button its next presence message', async () => {
    g = await testGateway();
    const button = await g.device('btn-n1');
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 130; i++) sends.push(button.send('deviceEvent', { type: 'call' }));
    // The carer arrives and sets presence while the button is still flushing its queue.
    sends.push(button.send('deviceEvent', { type: 'presence', on: true }));
    for (const p of sends) p.catch(() => undefined); // on a closed connection they never settle
    await expect
      .poll(() => g.gateway.context.alertStore.presenceSince('n1') !== null || !button.client.connected, {
        timeout: 5000,
      })
      .toBe(true);
    expect(button.client.connected).toBe(true);
    expect(g.gateway.context.alertStore.presenceSince('n1')).not.toBeNull();
  });
});
