import { describe, expect, it } from 'vitest';
import { emitTelemetry, eventually, forwardingGateway, influxdForTest } from '../helpers/forwarding.js';

describe('found by probing: device status forwarding when the wall clock steps back', () => {
  /**
   * points.ts forwards a band's battery, signal and skin contact at most once a minute, measured
   * on the wall clock: `receivedAt - last < 60 s`. After NTP stepped the clock back an hour that
   * difference stayed negative for the whole hour, and no band's battery or "not worn" reached
   * the Devices dashboard until the clock caught up again.
   */
  it('forwards the next status after a one-hour step back', { timeout: 30_000 }, async () => {
    const influx = await influxdForTest();
    const g = await forwardingGateway(influx);
    emitTelemetry(g, 'wb-1', 1, 0);
    await g.tick(61_000);
    emitTelemetry(g, 'wb-1', 1, 1);
    await g.tick(100);
    await eventually(async () => expect(await influx.count('device_status', 'battery_pct')).toBe(2));

    g.fake.setSystemTime(g.fake.now - 3_600_000);
    await g.tick(61_000);
    emitTelemetry(g, 'wb-1', 1, 2);
    await g.tick(100);
    await eventually(async () => expect(await influx.count('device_status', 'battery_pct')).toBe(3));
  });
});
