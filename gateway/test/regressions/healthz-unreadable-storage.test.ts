import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHttpApi } from '../../src/api/http.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('found by probing: /healthz answers 500 instead of degraded when the SD card returns garbage', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop().catch(() => undefined); // the database is broken on purpose
  });

  /**
   * /healthz counted the open alerts with a SQLite read. When the card starts returning corrupt
   * pages (a worn SD card), that read throws and /healthz answered 500 `internal-error`: the
   * monitoring that should say "storage: …" to the technician got an opaque error instead, even
   * with the storage problem already known, at exactly the moment health matters. It must still
   * answer 503 `degraded` with the problem, so the card is replaced before alarms are lost.
   */
  it('answers 503 degraded, naming storage, when the alerts cannot be read', async () => {
    g = await testGateway();
    const api = buildHttpApi(g.gateway.context);
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    await alice.next(onTopic('dispatch', { type: 'alert' }));

    const { db } = g.gateway.context;
    db.pragma('cache_size = 0'); // every read goes to the file
    db.pragma('wal_checkpoint(TRUNCATE)');
    const fd = openSync(db.name, 'r+'); // every page after the first turns to garbage
    const size = fstatSync(fd).size;
    writeSync(fd, Buffer.alloc(size - 4096, 0xab), 0, size - 4096, 4096);
    closeSync(fd);

    const res = await api.inject({ method: 'GET', url: '/healthz' });
    await api.close();
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      status: 'degraded',
      site: 'testsite',
      problems: [{ problem: 'storage', reason: expect.stringMatching(/alerts cannot be read/) }],
    });
    expect(res.json()).not.toHaveProperty('openAlerts');
  });
});
