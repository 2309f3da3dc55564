import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_SITE, type TestGateway, testGateway } from '../helpers/gateway.js';
import type { TestClient } from '../helpers/mqtt-client.js';
import { makeTempDir } from '../helpers/tmp.js';

const START = Date.UTC(2026, 10, 23, 7, 0, 0); // a Monday, 07:00 at the site (UTC)
const MIN = 60_000;

/** The test site with a second band for Rose (r1): a spare, lying switched on in its charger. */
function siteWithSpareBand(): string {
  const site = readFileSync(TEST_SITE, 'utf8').replace(
    '  - { id: wb-2,',
    '  - { id: wb-1b, kind: wristband, resident: r1, secret: wb-1b-secret-0123456789 }\n  - { id: wb-2,',
  );
  const file = join(makeTempDir(), 'site.yaml');
  writeFileSync(file, site);
  return file;
}

const reading = (worn: boolean) => ({ activity: 0, steps: 0, worn, batteryPct: 80, rssiDbm: -60 });

describe("found by probing: a resident's spare band, not worn, silences the rules on the band they wear", () => {
  /**
   * A resident's rules (not-up, inactivity, night-wandering…) take the readings of every band of
   * the resident. A second band left switched on in its charger says "not worn" every minute, and
   * each such reading reset what the worn band had told: not-up never saw fresh worn readings, so
   * Rose, still in bed at 11:00, was never reported not up.
   */
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  it('a resident still in bed is reported not up although a spare band lies in the charger', async () => {
    g = await testGateway({ siteFile: siteWithSpareBand() }, { start: START });
    const worn = await g.device('wb-1');
    const spare = await g.device('wb-1b');
    const send = async (band: TestClient, isWorn: boolean) => {
      await band.send('deviceTelemetry', reading(isWorn));
      await g.settled();
    };
    // 07:00 to 11:00: still in bed with the band on; the spare reports every minute too.
    for (let m = 0; m < 4 * 60; m++) {
      await send(worn, true);
      await g.tick(20_000);
      await send(spare, false);
      await g.tick(MIN - 20_000);
    }
    expect(g.alerts.open().filter((a) => a.kind === 'not-up' && a.residentId === 'r1')).toHaveLength(1);
  });

  it('the band she wears, taken off, is still reported not worn', async () => {
    g = await testGateway({ siteFile: siteWithSpareBand() }, { start: START + 4 * 60 * MIN });
    const worn = await g.device('wb-1');
    const spare = await g.device('wb-1b');
    const send = async (band: TestClient, isWorn: boolean) => {
      await band.send('deviceTelemetry', reading(isWorn));
      await g.settled();
    };
    await send(worn, true);
    // From 11:00 both bands lie on the table for 70 minutes.
    for (let m = 0; m < 70; m++) {
      await g.tick(20_000);
      await send(worn, false);
      await g.tick(20_000);
      await send(spare, false);
      await g.tick(MIN - 40_000);
    }
    expect(g.alerts.open().filter((a) => a.kind === 'not-worn' && a.residentId === 'r1')).toHaveLength(1);
  });
});
