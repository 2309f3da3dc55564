import { afterEach, describe, expect, it, vi } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('found by probing: a full SD card that the storage probe does not see', () => {
  let g: TestGateway;
  afterEach(async () => {
    vi.restoreAllMocks();
    await g.stop();
  });

  /**
   * A failed alarm write counted as a storage problem only when the probe's write failed too. The
   * probe inserts 8 KB and rolls back: in WAL mode such a transaction never reaches the disk, so on
   * a full card it succeeds while every commit that needs new space fails with SQLITE_FULL. The
   * alarm went out from memory, but /healthz stayed "ok" and nobody was told the card was full.
   */
  it("takes the failed write's own SQLITE_FULL for what it says: storage degraded, the SOS sent from memory", async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await g.settled();
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    vi.spyOn(g.gateway.context.alertStore, 'insert').mockImplementation(() => {
      throw full;
    });

    await band.send('deviceEvent', { type: 'sos' });
    await alice.next(onTopic('dispatch', { type: 'alert', reason: 'unrecorded' }));
    const res = await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'degraded',
      problems: [{ problem: 'storage', reason: 'database or disk is full' }],
    });
  });

  it('does not call a bug a storage problem: an error without an SQLite storage code leaves /healthz ok', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await g.settled();
    vi.spyOn(g.gateway.context.alertStore, 'insert').mockImplementation(() => {
      throw new TypeError('a bug');
    });
    await band.send('deviceEvent', { type: 'sos' });
    await alice.next(onTopic('dispatch', { type: 'alert', reason: 'unrecorded' }));
    expect((await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`)).status).toBe(200);
  });
});
