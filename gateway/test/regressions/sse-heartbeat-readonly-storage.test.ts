// found by probing: with the SD card gone read-only and a console open, the live stream's
// heartbeat checks the session every 15 s, and that check also records the session as seen (a
// write, once a minute). The write threw SQLITE_READONLY inside a clock timer: an uncaught
// exception in the gateway process, alarm path included. Now recording "seen" is best effort: the
// session is read as it is, and the stream goes on with its heartbeats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEARTBEAT_MS } from '../../src/api/routes/events/index.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import type { AuthedApi } from '../helpers/http.js';
import { openStream } from '../helpers/sse-stream.js';

describe('a live stream while SQLite refuses writes', () => {
  let g: TestGateway;
  let alice: AuthedApi & { cookie: string };

  beforeAll(async () => {
    g = await testGateway();
    alice = await g.console('alice');
  });
  afterAll(async () => {
    await alice.close();
    await g.stop();
  });

  it('keeps its heartbeats past the minute the session would be marked seen', async () => {
    const s = await openStream(g, alice);
    await s.until(() => s.events().length === 1);
    const db = g.gateway.context.db;
    db.pragma('query_only = 1'); // every write fails, as on a card gone read-only
    try {
      for (let i = 0; i < 6; i++) await g.tick(HEARTBEAT_MS);
      await s.until(() => s.text().split(': heartbeat').length - 1 >= 5);
      expect(s.ended()).toBe(false);
      expect((await alice.inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200);
    } finally {
      db.pragma('query_only = 0');
    }
    s.close();
  });
});
