import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

const isAlert = (f: Record<string, unknown> = {}) => onTopic('dispatch', { type: 'alert', ...f });

describe('found by probing: storage recovers while an SOS is still unanswered', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * Rose's SOS arrives while the card is read-only: it goes provisionally to everyone (Alice, Bob,
   * Carol, Dave, Sam) for 3 minutes — nobody can accept it. Storage comes back: the alert is stored
   * as if raised NOW, at level 0 with a fresh 30 s timeout, dispatched to Alice alone, and the
   * provisional is withdrawn ("recorded") from everyone else. The supervisor and the others see
   * the alarm vanish from their handsets although nobody has gone to Rose; the ladder restarts and
   * takes another 2 minutes to get back to them. raised_at also says Rose pressed 3 minutes later
   * than she did.
   */
  it('does not withdraw a 3-minute-old unanswered SOS from people it then stops asking', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const hs = {
      alice: await g.handset('alice'),
      bob: await g.handset('bob'),
      sam: await g.handset('sam'),
    };
    await g.settled();
    const db = g.gateway.context.db;
    db.pragma('query_only = ON');
    const pressedAt = g.clock.now();
    await band.send('deviceEvent', { type: 'sos' });
    const { alertId: provisional } = (await hs.sam.next(isAlert({ reason: 'unrecorded' }))).payload;
    await g.tick(180_000);
    db.pragma('query_only = OFF');
    await g.tick(10_000);
    await g.settled();
    const real = g.alerts.open().find((a) => a.deviceId === 'wb-1')!;

    const stoodDown = Object.entries(hs)
      .filter(([, c]) => {
        const msgs = c.drain();
        const withdrawn = msgs.some(onTopic('dispatch', { type: 'withdrawn', alertId: provisional }));
        const stillAsked = msgs.some(isAlert({ alertId: real.id }));
        return withdrawn && !stillAsked;
      })
      .map(([id]) => id);
    expect.soft(stoodDown, 'told the SOS is withdrawn, not asked about the real alert').toEqual([]);
    expect
      .soft(real.raisedAt, 'raised_at is the recovery time, not the press')
      .toBeLessThanOrEqual(pressedAt + 1000);
  });
});
