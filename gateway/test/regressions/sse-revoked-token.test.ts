// found by probing: an event stream opened with a machine token kept receiving alert changes
// (residents' names, rooms, who is coming) after an admin revoked the token, until the next
// heartbeat up to 15 s later. Logout ended a session's streams at once; revocation did not. Now a
// stream is checked before each change is sent to it, so a revoked token hears nothing more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import type { TestClient } from '../helpers/mqtt-client.js';
import { openStream } from '../helpers/sse-stream.js';

describe('an event stream whose token is revoked', () => {
  let g: TestGateway;
  let band: TestClient;

  beforeAll(async () => {
    g = await testGateway();
    band = await g.device('wb-1');
    await g.handset('alice');
  });
  afterAll(async () => {
    await g.stop();
  });

  it('gets no alert change after the revocation and is ended', async () => {
    const ctx = g.gateway.context;
    const made = ctx.accounts.createToken('wall-display', 'staff', 'test');
    if (!made.ok) throw new Error(made.problem);
    const s = await openStream(g, { cookie: '' }, { authorization: `Bearer ${made.token}` });
    expect(s.status).toBe(200);
    await s.until(() => s.events().length === 1);

    expect(ctx.accounts.revokeToken(made.id, 'staff:admin')).toBe(true);
    await band.send('deviceEvent', { type: 'sos' });
    await s.until(s.ended);
    expect(s.events().map((e) => e.event)).toEqual(['snapshot']);
    s.close();
  });
});
