import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';

// Defaults: offline after 3 missed 60 s heartbeats + 10 s grace.
const OFFLINE_AFTER_MS = (3 * 60 + 10) * 1000;

describe('found by probing: heartbeat supervision when the wall clock steps back', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * supervision.ts heard(): `lastHeardAt = Math.max(lastHeardAt, at)`. When NTP steps the clock of
   * a Pi back (it had run ahead: no RTC, a bad fake-hwclock save, a GPS/RTC glitch), every
   * heartbeat after the step is older than the one before it and is ignored; the deadline stays
   * pinned to the old, future time. A band that then dies (battery, taken off and left in a drawer)
   * is reported offline only after the step size has passed again: an hour later for a one-hour
   * step, instead of ~3 minutes. presence-clock-back fixed the same class for presence keys.
   */
  it('a band that goes silent after a 1 h clock step back is reported within the normal deadline', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    await g.handset('alice');
    await band.send('deviceHeartbeat', { intervalS: 60 });
    await g.tick(30_000);
    g.fake.setSystemTime(g.fake.now - 3600_000); // NTP steps the clock back one hour
    // A fresh connection (the step back trips the publish-rate bucket, see publish-rate-clock-back).
    const again = await g.device('wb-1');
    await again.send('deviceHeartbeat', { intervalS: 60 }); // the band's last words
    await g.tick(OFFLINE_AFTER_MS + 60_000);
    const offline = g.alerts.open().filter((a) => a.kind === 'device-offline');
    expect(offline, 'the dead band is not reported for about an hour').toHaveLength(1);
  });
});
