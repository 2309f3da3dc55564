import { afterEach, describe, expect, it, vi } from 'vitest';
import { STORAGE_PROBE_INTERVAL_MS } from '../../src/ingest/unrecorded.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';

/**
 * Found by probing: a device event whose write failed with SQLITE_FULL made the storage degraded
 * (its own code is the verdict, since the probe's rolled-back insert never reaches a full card),
 * but the next probe, 10 s later, passed as it always does there and cleared it, while the
 * event's retries still failed with SQLITE_FULL. Only an unrecorded alarm kept the problem up;
 * any other event (a carer's presence, a cancel) left /healthz "ok" on a full card.
 */
describe('found by probing: a storage verdict from a failed write and the blind probe', () => {
  let g: TestGateway;
  afterEach(async () => {
    vi.restoreAllMocks();
    await g.stop();
  });

  const health = async () => (await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`)).status;

  it('stays degraded while the failed write keeps failing, and clears once it is stored', async () => {
    g = await testGateway();
    const button = await g.device('btn-n1');
    await g.settled();
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const setPresence = vi.spyOn(g.gateway.context.alertStore, 'setPresence').mockImplementation(() => {
      throw full;
    });

    await button.send('deviceEvent', { type: 'presence', on: true });
    await expect.poll(health).toBe(503);
    await g.tick(3 * STORAGE_PROBE_INTERVAL_MS); // probes pass; the presence's retries still fail
    expect(setPresence.mock.calls.length, 'retried').toBeGreaterThan(1);
    expect(await health(), 'a full card is not healed by a probe that cannot see it').toBe(503);

    setPresence.mockRestore(); // space freed: the next retry stores it
    await g.tick(STORAGE_PROBE_INTERVAL_MS);
    await g.tick(STORAGE_PROBE_INTERVAL_MS);
    expect(await health()).toBe(200);
  });
});
