import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topicFor } from '@careedge/edge';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/core/db.js';
import { AlarmJournal } from '../../src/journal/index.js';
import { TEST_SITE, type TestGateway, testGateway } from '../helpers/gateway.js';

describe('found by probing: a journaled alarm replayed after the site file changed', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * The journal keeps only device id, topic and payload; replay looks the device up in the
   * register as it is *now*. A restart is exactly when a site-file edit takes effect, so an SOS
   * Rose pressed just before a crash (PUBACKed, not yet an alert) is replayed, after the band was
   * reassigned to Harold in the same restart, as Harold's SOS in Room N2: the carers run to the
   * wrong room and Rose, on the floor in N1, is told nothing. The resident, room and zone should be
   * journaled with the alarm (they are what the press meant), or the replay should say the
   * mapping changed.
   */
  it("an SOS pressed by Rose before a crash is raised for Rose, not for the band's next wearer", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'careedge-probe2-'));
    const site = join(dir, 'site.yaml');
    writeFileSync(site, readFileSync(TEST_SITE, 'utf8'));
    g = await testGateway({ siteFile: site });
    // As if the gateway died after the PUBACK and before the alert's commit.
    await g.gateway.stop();
    const db = openDatabase(`${g.dir}/careedge.sqlite`);
    const topic = topicFor('deviceEvent', g.gateway.siteId, 'wb-1');
    const sos = { seq: 3, ts: g.fake.now - 1000, type: 'sos' };
    // Written as the broker's write-ahead writes it: with whom the band belonged to at the press.
    await new AlarmJournal(db, g.clock).record('wb-1', topic, Buffer.from(JSON.stringify(sos)), {
      residentId: 'r1',
      roomId: 'n1',
      zoneId: 'north',
    });
    db.close();
    // The manager's pending edit goes live with the restart: Rose's band now belongs to Harold
    // (and Harold's old band to Rose).
    writeFileSync(
      site,
      readFileSync(TEST_SITE, 'utf8')
        .replace('{ id: wb-1, kind: wristband, resident: r1,', '{ id: wb-1, kind: wristband, resident: rX,')
        .replace('{ id: wb-2, kind: wristband, resident: r2,', '{ id: wb-2, kind: wristband, resident: r1,')
        .replace('resident: rX,', 'resident: r2,'),
    );
    await g.restart();
    rmSync(dir, { recursive: true, force: true });
    expect(g.alerts.open()).toMatchObject([
      { deviceId: 'wb-1', kind: 'sos', residentId: 'r1', roomId: 'n1' },
    ]);
  });
});

describe('the write-ahead keeps whom an alarm was for', () => {
  it('records the resident, room and zone of the band with the journal entry', async () => {
    const g = await testGateway();
    try {
      const band = await g.device('wb-1');
      await band.send('deviceEvent', { type: 'sos' });
      const row = g.gateway.context.db
        .prepare('SELECT context FROM alarm_journal ORDER BY id DESC LIMIT 1')
        .get() as {
        context: string;
      };
      expect(JSON.parse(row.context)).toEqual({ residentId: 'r1', roomId: 'n1', zoneId: 'north' });
    } finally {
      await g.stop();
    }
  });
});
