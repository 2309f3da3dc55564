import { formatJson } from '@careedge/edge';
import pino from 'pino';
import { Registry } from 'prom-client';
import { buildHttpApi, type HttpApiDeps } from './http.js';

/** Where `npm run openapi` writes the document, relative to the repository. */
export const OPENAPI_FILE = 'docs/openapi.json';

/** An API with nothing behind it: for the document (which calls no route) and framework tests. */
export function emptyHttpApiDeps(): HttpApiDeps {
  return {
    siteId: 'site',
    log: pino({ enabled: false }),
    clock: { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} },
    bus: { on: () => {}, removeOwner: () => {} },
    health: { list: () => [], listWarnings: () => [] },
    metrics: { registry: new Registry() },
    alertStore: {
      get: () => undefined,
      getArchived: () => undefined,
      countOpen: () => 0,
      list: () => [],
      targets: () => [],
      auditPage: () => [],
      open: () => [],
      auditSince: () => [],
      lastAuditId: () => 0,
    },
    commands: {
      execute: () => ({ ok: false, error: { code: 'internal-error', message: 'none', status: 500 } }),
    },
    accounts: {
      login: async () => ({ ok: false, reason: 'invalid' }),
      logout: () => {},
      session: () => undefined,
      token: () => undefined,
      tokens: () => [],
      createToken: () => ({ ok: false, problem: 'none' }),
      revokeToken: () => false,
      recordAdminAction: () => {},
    },
    register: {
      staff: () => undefined,
      allZones: () => [],
      allRooms: () => [],
      allResidents: () => [],
      allDevices: () => [],
      allStaff: () => [],
      rosterEntries: () => [],
    },
    rules: {
      status: () => ({ file: 'rules.yaml', version: '', rules: [] }),
      reload: () => ({ ok: false, problems: [] }),
    },
    ruleLearning: { residents: () => [] },
    happyIndex: { read: () => [], now: () => 0 },
  };
}

/** The OpenAPI 3 document, as @fastify/swagger derives it from the route schemas. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const app = buildHttpApi(emptyHttpApiDeps());
  await app.ready();
  const doc = app.swagger() as unknown as Record<string, unknown>;
  await app.close();
  return doc;
}

/** The committed file's text: laid out as biome formats JSON, so `npm run check` agrees. */
export const renderOpenApi = async () => `${formatJson(await openApiDocument())}\n`;
