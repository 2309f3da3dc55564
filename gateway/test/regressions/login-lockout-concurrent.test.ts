import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildHttpApi } from '../../src/api/http.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';

// found by probing: wrong passwords sent all at once from one address were each checked against
// the lockout before any of them had failed, so a burst of 30 guesses got 30 password checks
// instead of stopping at sourceLockAfter (10 by default).
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

it('locks a login out after sourceLockAfter failures even when the guesses arrive together', async () => {
  // The refusals are held back on the gateway's clock (more and more as failures mount): move it.
  const guesses = await g.whileTicking(
    Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { staffId: 'alice', password: `wrong-guess-${i}` },
        }),
      ),
    ),
  );
  const checked = guesses.filter((r) => r.statusCode === 401).length;
  const locked = guesses.filter((r) => r.statusCode === 429 && r.json().error.code === 'login-locked').length;
  expect(checked).toBe(10);
  expect(locked).toBe(20);
});
