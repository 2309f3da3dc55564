import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import type { AuthedApi } from '../helpers/http.js';

// The console's history page lists closed alerts through GET /api/v1/alerts?state=closed, by
// resident, zone and day (since/until).
let g: TestGateway;
let alice: AuthedApi;
const ids = async (query: string) =>
  (await alice.inject({ method: 'GET', url: `/api/v1/alerts?${query}` }))
    .json()
    .alerts.map((a: { id: number }) => a.id);

beforeAll(async () => {
  g = await testGateway();
  alice = await g.console('alice');
});
afterAll(async () => {
  await alice.close();
  await g.stop();
});

it('lists closed alerts only, newest first, filtered by resident, zone and day', async () => {
  await (await g.device('wb-1')).send('deviceEvent', { type: 'sos' });
  await expect.poll(() => g.alerts.open().length).toBe(1);
  const resolved = g.alerts.open()[0]!.id;
  for (const action of [
    { action: 'accept' },
    { action: 'arrive' },
    { action: 'resolve', outcome: 'assisted' },
  ])
    expect(
      (await alice.inject({ method: 'POST', url: `/api/v1/alerts/${resolved}/actions`, payload: action }))
        .statusCode,
    ).toBe(200);
  await g.tick(60_000);
  await (await g.device('wb-2')).send('deviceEvent', { type: 'sos' });
  await expect.poll(() => g.alerts.open().length).toBe(1);
  const open = g.alerts.open()[0]!.id;
  expect(open).toBeGreaterThan(resolved);
  expect(await ids('state=closed')).toEqual([resolved]);
  expect(await ids('state=recent')).toEqual([open, resolved]);
  const { residentId, zoneId, raisedAt } = g.alerts.get(resolved)!;
  expect(await ids(`state=closed&resident=${residentId}`)).toEqual([resolved]);
  expect(await ids('state=recent&resident=r2')).toEqual([open]);
  expect(await ids(`state=closed&zone=${zoneId}`)).toEqual([resolved]);
  expect(await ids('state=closed&zone=no-such-zone')).toEqual([]);
  expect(await ids(`state=closed&since=${raisedAt}&until=${raisedAt + 1}`)).toEqual([resolved]);
  expect(await ids(`state=closed&since=${raisedAt + 1}`)).toEqual([]);
});
