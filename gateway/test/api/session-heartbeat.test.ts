import { afterAll, beforeAll, expect, it } from 'vitest';
import { HEARTBEAT_MS } from '../../src/api/routes/events/index.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import type { AuthedApi } from '../helpers/http.js';
import { openStream } from '../helpers/sse-stream.js';

// A console left open (the live stream's heartbeat) keeps its session from idling out, but only up
// to the absolute expiry: then the stream ends and the session with it. A session with no page
// open idles out as before. Short settings, so the fake clock runs through them quickly.
const HOUR = 3_600_000;
let g: TestGateway;
let watched: AuthedApi & { cookie: string };
let idle: AuthedApi & { cookie: string };
beforeAll(async () => {
  g = await testGateway({ auth: { sessionIdleH: 1, sessionMaxDays: 0.5 } });
  watched = await g.console('alice');
  idle = await g.console('bob');
});
afterAll(async () => {
  await watched.close();
  await idle.close();
  await g.stop();
});

const live = async (who: AuthedApi) =>
  (await who.inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode === 200;

it('keeps a watched session past the idle limit, ends it at the absolute expiry; an unwatched one idles out', async () => {
  const s = await openStream(g, watched);
  await s.until(() => s.events().length === 1);
  await g.tick(3 * HOUR); // three idle limits, with only the stream's heartbeats
  expect(s.ended()).toBe(false);
  expect(await live(idle)).toBe(false);
  expect(await live(watched)).toBe(true);
  await g.tick(9 * HOUR - HEARTBEAT_MS); // just short of 12 h since login (sessionMaxDays 0.5)
  expect(s.ended()).toBe(false);
  await g.tick(2 * HEARTBEAT_MS); // past it: the next heartbeat ends the stream
  await s.until(s.ended);
  expect(await live(watched)).toBe(false);
  s.close();
});
