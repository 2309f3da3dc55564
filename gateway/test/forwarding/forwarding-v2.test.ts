import { describe, expect, it } from 'vitest';
import { emitTelemetry, eventually, forwardingGateway, influxdForTest, keys } from '../helpers/forwarding.js';
import { influxV2Shim } from '../helpers/influx-v2-shim.js';

describe('forwarding to InfluxDB 2.x/3.x through @influxdata/influxdb-client (v2 write API via a shim)', {
  timeout: 60_000,
}, () => {
  const v2 = (shim: { url: string }) => ({
    influx: { url: shim.url, version: 2 as const, org: 'care', bucket: 'careedge', token: 'write-token-1' },
  });

  it('writes the points with the token, and retries through an outage of the database behind it', async () => {
    const influx = await influxdForTest();
    const shim = await influxV2Shim(influx.url);
    const g = await forwardingGateway(shim, v2(shim));
    emitTelemetry(g, 'wb-1', 6_000);
    await g.tick(50);
    await eventually(async () => expect(await influx.count('wristband_vitals', 'activity')).toBe(6_000));
    await influx.stop();
    emitTelemetry(g, 'wb-1', 1_000, 6_000);
    await g.tick(50);
    await eventually(async () =>
      expect(await g.metric('careedge_forward_write_errors_total')).toBeGreaterThan(0),
    );
    await influx.start();
    await eventually(async () => expect(await influx.count('wristband_vitals', 'activity')).toBe(7_000));
    const [row] = await influx.query('SELECT * FROM wristband_vitals LIMIT 1');
    expect(row).toMatchObject({ resident: keys.key('resident', 'r1'), site: 'testsite' });
    expect(new Set(shim.authorizations)).toEqual(new Set(['Token write-token-1']));
    expect(shim.encodings).toContain('gzip'); // the 5,000-point batches
  });

  it('a malformed point answered 400 goes to the dead letters, the rest is written', async () => {
    const influx = await influxdForTest();
    await fetch(`${influx.url}/write?db=careedge`, {
      method: 'POST',
      body: `wristband_vitals,site=testsite steps="many" ${Date.UTC(2026, 10, 23, 9, 0, 0)}000000`,
    });
    const shim = await influxV2Shim(influx.url);
    const g = await forwardingGateway(shim, v2(shim));
    emitTelemetry(g, 'wb-1', 100);
    const source = g.gateway.context.register.deviceContext('wb-1')!;
    g.gateway.context.bus.emit('device:telemetry', {
      source,
      message: {
        seq: 500,
        ts: Date.UTC(2026, 10, 23, 9, 30),
        activity: 1,
        steps: 10,
        worn: true,
        batteryPct: 80,
        rssiDbm: -60,
      },
      receivedAt: g.clock.now(),
    });
    await g.tick(50);
    await eventually(async () => {
      expect(await g.metric('careedge_forward_points_dead_lettered_total')).toBe(1);
      expect(await g.metric('careedge_forward_outbox_points')).toBe(0);
    });
    expect(await influx.count('wristband_vitals', 'activity')).toBe(100);
  });
});
