import { describe, expect, it } from 'vitest';
import { eventually, forwardingGateway, influxdForTest } from '../helpers/forwarding.js';

describe('found by probing: telemetry the schema takes but InfluxDB cannot store', {
  timeout: 30_000,
}, () => {
  /**
   * The telemetry schema bounds neither `ts` nor `steps` above. A band with a garbage clock (year
   * 2286) or a step counter gone wild (1e21, which JavaScript writes as "1e+21") made lines
   * InfluxDB cannot parse: each was refused (400), cost a dozen split writes and a dead letter,
   * and the band's good readings of that point were lost with it.
   */
  it('keeps the lines valid: an unusable field is left out, an unstorable time is withheld and counted', async () => {
    const influx = await influxdForTest();
    const g = await forwardingGateway(influx);
    const ctx = g.gateway.context;
    const source = ctx.register.deviceContext('wb-1');
    if (!source) throw new Error('no wb-1');
    const base = Date.UTC(2026, 10, 23, 9, 0, 0);
    const reading = { heartRateBpm: 70, activity: 5, worn: true, batteryPct: 80, rssiDbm: -60 };
    const send = (seq: number, ts: number, steps?: number) =>
      ctx.bus.emit('device:telemetry', {
        source,
        message: { seq, ts, steps, ...reading },
        receivedAt: g.clock.now(),
      });
    send(1, base, 12);
    send(2, base + 1000, 1e21);
    send(3, base + 2000, 2 ** 63);
    send(4, 10_000_000_000_000); // 2286-11-20: past InfluxDB's last instant (2262)
    await g.tick(100);

    await eventually(async () => {
      expect(await influx.count('wristband_vitals', 'heart_rate_bpm')).toBe(3);
    });
    expect(await influx.count('wristband_vitals', 'steps')).toBe(1);
    expect(await g.metric('careedge_forward_points_dead_lettered_total')).toBe(0);
    expect(await g.metric('careedge_forward_points_withheld_total', { reason: 'out-of-range' })).toBe(1);
  });
});
