import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildHttpApi } from '../../src/api/http.js';
import { AuthStore } from '../../src/auth/store.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';

// A wrong console password from an address that keeps failing is answered late, as MQTT logins
// are (core/login-throttle.ts), and the wait holds nothing else back: not an SOS.
let g: TestGateway;
let app: ReturnType<typeof buildHttpApi>;
beforeAll(async () => {
  g = await testGateway();
  await (await g.console('alice')).close();
  app = buildHttpApi(g.gateway.context);
});
afterAll(async () => {
  await app.close();
  await g.stop();
});

const wrong = (i: number) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { staffId: 'alice', password: `wrong ${i}!` },
  });
const failures = () =>
  new AuthStore(g.gateway.context.db).auditPage(0, 100).filter((r) => r.action === 'login-failed').length;

it('holds a refused console login back by the delay on the clock, while an SOS is raised meanwhile', async () => {
  const { freeFailures, firstDelayMs } = g.config.logins;
  for (let i = 0; i < freeFailures - 1; i++) expect((await wrong(i)).statusCode).toBe(401);
  let answered = false;
  const held = wrong(freeFailures).then((r) => {
    answered = true;
    return r;
  });
  while (failures() < freeFailures) await g.settled();
  const band = await g.device('wb-1');
  await band.send('deviceEvent', { type: 'sos' });
  await expect.poll(() => g.alerts.open().map((a) => a.kind)).toEqual(['sos']);
  expect(answered).toBe(false);
  await g.tick(firstDelayMs - 1);
  expect(answered).toBe(false);
  await g.tick(1);
  expect((await held).statusCode).toBe(401);
});
