import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('found by probing: a band stuck sending SOS', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * Alarms are exempt from the publish rate (right: never refuse an alarm), but nothing coalesces
   * their repeats: every repeated SOS of a band with a stuck button or a firmware retry loop is a
   * commit (an fsync on the SD card) and an `update` to every handset asked. 100 presses buzz the
   * carer's handset 100 times; a second resident's alert arriving meanwhile is one line among a
   * hundred, and the card does 100 fsyncs for one alarm. Repeats should be rate-limited per alert
   * (count them, send at most one update per few seconds).
   */
  it("100 repeats of one SOS do not send the carer's handset 100 messages", async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await Promise.all(Array.from({ length: 100 }, () => band.send('deviceEvent', { type: 'sos' })));
    for (let i = 0; i < 100 && g.alerts.open()[0]?.count !== 100; i++) await g.settled();
    await alice.next(onTopic('dispatch', { reason: 'new' }));
    expect(g.alerts.open()).toMatchObject([{ deviceId: 'wb-1', count: 100 }]);
    await new Promise((r) => setTimeout(r, 200)); // let the updates arrive
    const updates = alice.drain().filter(onTopic('dispatch', { reason: 'update' }));
    expect(updates.length, 'the carer handset buzzed once per repeat').toBeLessThan(10);
  });
});
