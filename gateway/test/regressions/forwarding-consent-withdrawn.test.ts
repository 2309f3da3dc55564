import { describe, expect, it } from 'vitest';
import {
  consentSite,
  emitTelemetry,
  eventually,
  forwardingGateway,
  influxdForTest,
  keys,
} from '../helpers/forwarding.js';
import { TEST_SITE } from '../helpers/gateway.js';

describe('found by probing: consent withdrawn while vitals wait in the outbox', () => {
  /**
   * Consent is checked when a point is made. Harold's vitals queued during an InfluxDB outage,
   * while the site file still said he consented, left the gateway after his family withdrew
   * consent (forwardVitals: false, gateway restarted): hours of them, after an outage of hours.
   */
  it('the vitals of a resident who no longer consents never leave, whenever they were queued', {
    timeout: 30_000,
  }, async () => {
    const influx = await influxdForTest();
    const g = await forwardingGateway({ url: 'http://127.0.0.1:9' }, {}, { siteFile: TEST_SITE });
    emitTelemetry(g, 'wb-1', 5); // Rose
    emitTelemetry(g, 'wb-2', 5); // Harold, who consents for now
    await g.tick(100);
    await eventually(async () =>
      expect(await g.metric('careedge_forward_outbox_points')).toBeGreaterThanOrEqual(10),
    );

    // Harold's consent is withdrawn in the site file; InfluxDB is back.
    g.config.siteFile = consentSite();
    g.config.forwarding.influx.url = influx.url;
    await g.restart();

    await eventually(async () => {
      expect(
        await influx.count('wristband_vitals', 'activity', `"resident" = '${keys.key('resident', 'r1')}'`),
      ).toBe(5);
      expect(await g.metric('careedge_forward_outbox_points')).toBe(0);
    });
    expect(
      await influx.count('wristband_vitals', 'activity', `"resident" = '${keys.key('resident', 'r2')}'`),
    ).toBe(0);
    expect(await g.metric('careedge_forward_points_withheld_total', { reason: 'no-consent' })).toBe(5);
    // His band's battery and skin contact still count (device status is not vitals).
    expect(
      await influx.count('device_status', 'battery_pct', `"resident" = '${keys.key('resident', 'r2')}'`),
    ).toBe(1);
  });
});
