// found by probing: a console path with `..` (plain or as %2f), a dot file or a NUL served nothing
// (@fastify/send refuses them) but answered 400 invalid-request with a bare "Forbidden" or "Bad
// Request", which says neither what nor where. Now they are not-found, naming the path, like any
// other missing console file; the real files are still served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApi } from '../../src/api/http.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';

describe('console file paths that try to leave the console folder', () => {
  let g: TestGateway;
  let app: ReturnType<typeof buildHttpApi>;
  beforeAll(async () => {
    g = await testGateway();
    app = buildHttpApi(g.gateway.context);
  });
  afterAll(async () => {
    await app.close();
    await g.stop();
  });

  it('are not-found, never a file from outside, and the console files still load', async () => {
    for (const url of [
      '/console/.env',
      '/console/..%2fapi.js',
      '/console/a/..%2f..%2f..%2fetc%2fpasswd',
      '/console/vendor/..%2f..%2f..%2fpackage.json',
      '/console/%00',
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('not-found');
      expect(res.json().error.message, url).toMatch(/^no console file "/);
    }
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/console/vendor/htm-preact.mjs' })).statusCode).toBe(200);
  });
});
