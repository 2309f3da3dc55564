import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { ERROR_CATALOGUE, ERROR_CODES, ReplyResult, toJsonSchema } from '@careedge/edge';
import { describe, expect, it } from 'vitest';
import { buildHttpApi } from '../../src/api/http.js';
import { emptyHttpApiDeps, OPENAPI_FILE, openApiDocument, renderOpenApi } from '../../src/api/openapi.js';

const committed = readFileSync(new URL(`../../../${OPENAPI_FILE}`, import.meta.url), 'utf8');

/** The `code` values a schema of the error body allows (anyOf of enums, as the documents write it). */
const codesOf = (errorBody: { properties: { code: { anyOf: { enum?: string[]; const?: string }[] } } }) =>
  errorBody.properties.code.anyOf.flatMap((c) => c.enum ?? (c.const ? [c.const] : []));

interface Operation {
  responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }>;
}

describe('docs/openapi.json', () => {
  it('is what the routes say (run `npm run openapi` after changing a route)', async () => {
    expect(committed).toBe(await renderOpenApi());
  });

  it('is served at /docs without a login, and does not list /docs itself', async () => {
    const app = buildHttpApi(emptyHttpApiDeps());
    const res = await app.inject({ method: 'GET', url: '/docs' });
    await app.close();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(JSON.parse(committed));
    expect(Object.keys(JSON.parse(committed).paths)).not.toContain('/docs');
  });

  it('is a valid OpenAPI 3 document', async () => {
    const doc = await SwaggerParser.validate(JSON.parse(committed));
    expect(doc).toMatchObject({ openapi: expect.stringMatching(/^3\./) });
  });

  it('documents every route with a response schema for success and for errors; login, health and metrics need no credentials', async () => {
    const doc = (await openApiDocument()) as {
      paths: Record<string, Record<string, Operation & { security?: unknown[] }>>;
      security: unknown[];
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/alerts',
      '/api/v1/alerts/{id}',
      '/api/v1/alerts/{id}/actions',
      '/api/v1/auth/login',
      '/api/v1/auth/logout',
      '/api/v1/auth/me',
      '/api/v1/auth/tokens',
      '/api/v1/auth/tokens/{id}',
      '/api/v1/devices',
      '/api/v1/events',
      '/api/v1/feedback/happy-index',
      '/api/v1/residents',
      '/api/v1/rooms',
      '/api/v1/roster',
      '/api/v1/rules',
      '/api/v1/rules/learning',
      '/api/v1/staff',
      '/api/v1/zones',
      '/healthz',
      '/metrics',
    ]);
    expect(doc.components.securitySchemes).toEqual({
      session: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'careedge_session' }),
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(doc.security).toEqual([{ session: [] }, { bearer: [] }]);
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, { responses, security }] of Object.entries(methods)) {
        const where = `${method} ${path}`;
        const success = Object.keys(responses).filter((s) => s.startsWith('2'));
        expect(success.length, where).toBe(1);
        expect(Object.keys(responses), where).toContain('500');
        const open = ['/healthz', '/metrics', '/api/v1/auth/login'].includes(path);
        expect(security, where).toEqual(open ? [] : undefined);
        if (!open) expect(Object.keys(responses), where).toEqual(expect.arrayContaining(['401', '403']));
        for (const r of Object.values(responses)) {
          expect(
            Object.values(r.content ?? {}).every((c) => c.schema !== undefined),
            where,
          ).toBe(true);
        }
      }
    }
  });
});

describe('the error catalogue', () => {
  it('gives every code an HTTP error status and a description', () => {
    for (const code of ERROR_CODES) {
      const { status, description } = ERROR_CATALOGUE[code];
      expect(Number.isInteger(status) && status >= 400 && status < 600, code).toBe(true);
      expect(description.length, code).toBeGreaterThan(10);
    }
  });

  it('is what ReplyResult (AsyncAPI) and the HTTP error answers (OpenAPI) both publish, exactly', async () => {
    const result = toJsonSchema(ReplyResult) as unknown as {
      properties: { error: Parameters<typeof codesOf>[0] };
    };
    expect(codesOf(result.properties.error)).toEqual(ERROR_CODES);
    const doc = JSON.parse(committed) as { paths: Record<string, Record<string, Operation>> };
    const errorAnswers = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods)
        .flatMap((op) => Object.entries(op.responses))
        .filter(([status]) => Number(status) >= 400 && status !== '503')
        .map(
          ([, r]) =>
            r.content['application/json']!.schema as { properties: { error: Parameters<typeof codesOf>[0] } },
        ),
    );
    expect(errorAnswers.length).toBeGreaterThan(5);
    for (const schema of errorAnswers) expect(codesOf(schema.properties.error)).toEqual(ERROR_CODES);
  });
});
