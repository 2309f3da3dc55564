import { afterAll, describe, expect, it } from 'vitest';
import { buildHttpApi } from '../../src/api/http.js';
import { emptyHttpApiDeps } from '../../src/api/openapi.js';

describe('found by probing: some malformed URLs are answered outside the error catalogue', () => {
  /**
   * The API promises that every error is `{"error": {"code", "message"}}` with a catalogue code.
   * A URL with a broken percent-escape (`/%ff`) or an over-long alert number was answered by
   * fastify's router before any handler, as `{"error": "Bad Request", "code": "FST_ERR_BAD_URL",
   * …}` (or status 414), so a console or monitoring script that reads `error.code` breaks on it
   * (`error` is a string there), and the OpenAPI document does not describe that shape.
   */
  const api = buildHttpApi(emptyHttpApiDeps());
  afterAll(async () => {
    await api.close();
  });

  it.each([
    ['/%ff%fe', /not valid/],
    ['/api/v1/alerts/%E0%A4%A', /not valid/],
    [`/api/v1/alerts/${'9'.repeat(150)}`, /too long/],
  ])('GET %s: 400 invalid-request from the catalogue', async (url, message) => {
    const res = await api.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: 'invalid-request', message: expect.stringMatching(message) },
    });
  });
});
