import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

const isAlert = (f: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...f });

describe('found by probing: provisional numbers across a restart', () => {
  let g: TestGateway;
  afterEach(async () => {
    g.gateway.context.db.pragma('query_only = OFF');
    await g.stop();
  });

  /**
   * The card is read-only before and after a restart. Rose (wb-1) presses SOS → provisional
   * #2000000000 on Alice's handset. The gateway restarts (still read-only): UnrecordedAlarms starts
   * counting at 2000000000 again, so Harold's fall (wb-2) gets the SAME number. Alice's handset
   * keys alerts by alertId: Harold's fall lands on Rose's card (or is taken as a repeat of it), and
   * the one withdrawal "2000000000 recorded" later clears both. Two residents, one alarm on screen.
   */
  it('never gives two different alarms the same provisional number', async () => {
    g = await testGateway();
    const rose = await g.device('wb-1');
    const alice = await g.handset('alice');
    await g.settled();
    g.gateway.context.db.pragma('query_only = ON');
    await rose.send('deviceEvent', { type: 'sos' });
    const first = (await alice.next(isAlert({ reason: 'unrecorded' }))).payload;

    await g.restart();
    g.gateway.context.db.pragma('query_only = ON'); // the card is still read-only
    const alice2 = await g.handset('alice');
    const harold = await g.device('wb-2');
    await harold.send('deviceEvent', { type: 'fall' });
    const second = (await alice2.next(isAlert({ reason: 'unrecorded' }))).payload;
    expect(second.residentId).not.toBe(first.residentId);
    expect(second.alertId, `${first.residentId} and ${second.residentId} share a number`).not.toBe(
      first.alertId,
    );
  });
});
