import { describe, expect, it } from 'vitest';
import { emitTelemetry, eventually, forwardingGateway, influxdForTest } from '../helpers/forwarding.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('found by probing: the outbox fills the card the alarm database lives on', () => {
  /**
   * The outbox was bounded only by forwarding.outbox.maxMb (1 GB by default), not by the space
   * left on the card it shares with careedge.sqlite. On a card with less free space than that,
   * a long InfluxDB outage filled it: every SOS after that was paged only as "unrecorded" (the
   * alarm journal and the alerts table could no longer be written) while /healthz said "ok".
   * The outbox now keeps forwarding.outbox.keepFreeMb free, dropping routine telemetry first.
   * (A reserve larger than any disk stands in for a nearly full card here.)
   */
  it('drops routine telemetry to keep the reserve free; alerts are kept and sent', {
    timeout: 30_000,
  }, async () => {
    const influx = await influxdForTest();
    const g = await forwardingGateway(influx, { outbox: { keepFreeMb: 10_000_000 } });
    await influx.stop();
    const rose = await g.device('wb-1');
    const alice = await g.handset('alice');
    await rose.send('deviceEvent', { type: 'sos' });
    await alice.next(onTopic('dispatch', { type: 'alert' }));
    emitTelemetry(g, 'wb-3', 4_000);
    await g.tick(50);

    await eventually(async () => {
      expect(await g.metric('careedge_forward_points_dropped_total')).toBe(4_001); // vitals and one status
      expect(await g.metric('careedge_forward_outbox_points')).toBe(2); // the alert: raised, dispatched
    });
    await influx.start();
    await eventually(async () => expect(await influx.count('alert_event', 'alert_id')).toBe(2));
    expect(await influx.count('wristband_vitals', 'activity')).toBe(0);
  });
});
