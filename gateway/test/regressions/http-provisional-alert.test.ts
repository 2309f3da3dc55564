import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('found by probing: the HTTP API says a live unrecorded alarm does not exist', () => {
  let g: TestGateway;
  afterEach(async () => {
    g.gateway.context.db.pragma('query_only = OFF');
    await g.stop();
  });

  /**
   * While the SD card refuses writes, an SOS goes to every carer on shift from memory under a
   * provisional number (2000000000 and up). Looking that number up (the number on the carer's
   * handset) answered 404 "alert … does not exist", as if the alarm were bogus or long gone,
   * while the resident is still waiting. The command path already answers `alert-unrecorded`
   * for these numbers, saying what it is and what to do; the read path must say the same.
   */
  it('answers alert-unrecorded (409) with what to do, not alert-not-found', async () => {
    g = await testGateway();
    const api = g.api();
    const rose = await g.device('wb-1');
    const alice = await g.handset('alice');
    await g.settled();
    g.gateway.context.db.pragma('query_only = ON');
    await rose.send('deviceEvent', { type: 'sos' });
    const { alertId } = (await alice.next(onTopic('dispatch', { type: 'alert', reason: 'unrecorded' })))
      .payload as { alertId: number };

    const res = await api.inject({ method: 'GET', url: `/api/v1/alerts/${alertId}` });
    await api.close();
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: { code: 'alert-unrecorded', message: expect.stringMatching(/could not store it/) },
    });
  });

  it('a number past 2^53 (1e20, 1e309 read as Infinity) is an invalid request, not a provisional alarm', async () => {
    g = await testGateway();
    const api = g.api();
    for (const id of ['1e20', '1e309', '9007199254740993']) {
      const res = await api.inject({ method: 'GET', url: `/api/v1/alerts/${id}` });
      expect(res.statusCode, id).toBe(400);
      expect(res.json().error.code).toBe('invalid-request');
    }
    await api.close();
  });
});
