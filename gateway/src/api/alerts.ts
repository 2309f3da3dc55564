import { isProvisionalAlertId } from '@careedge/edge';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AlertError, provisionalAlertError } from '../alerts/errors.js';
import type { AlertService } from '../alerts/service.js';
import type { AlertStore } from '../alerts/store.js';
import { AlertDetail, AlertList, ERROR_RESPONSES } from './schemas.js';

export interface AlertRoutesDeps {
  alerts: Pick<AlertService, 'open'>;
  alertStore: Pick<AlertStore, 'get' | 'getArchived' | 'recent' | 'targets' | 'auditPage'>;
}

// At most 2^53-1: larger numbers lose digits (1e309 parses as Infinity) and name no alert.
const AlertParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Alert number.' }),
});
// A page of the audit trail: one alert's trail can run to thousands of entries (a stuck button's
// repeats), and answering them all at once would hold the event loop that carries the alarms.
const AuditPageQuery = Type.Object({
  auditAfter: Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    default: 0,
    description: 'Audit entries after this entry id.',
  }),
  auditLimit: Type.Integer({ minimum: 1, maximum: 1000, default: 500, description: 'At most this many.' }),
});
const AlertListQuery = Type.Object({
  state: Type.Union([Type.Literal('open'), Type.Literal('recent')], {
    default: 'open',
    description: '`open`: every open alert, oldest first; `recent`: the latest, open or closed.',
  }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});

/** Read access to alerts with their targets and audit trail, archived ones included. */
export const alertRoutes: FastifyPluginAsyncTypebox<AlertRoutesDeps> = async (app, deps) => {
  app.get(
    '/api/v1/alerts',
    {
      schema: {
        summary: 'List alerts',
        tags: ['alerts'],
        querystring: AlertListQuery,
        response: { 200: AlertList, 400: ERROR_RESPONSES[400], 500: ERROR_RESPONSES[500] },
      },
    },
    async (req) => {
      const { state } = req.query;
      const limit = inRange(req.query.limit, 'querystring/limit', 1, 1000);
      return {
        alerts: state === 'open' ? deps.alerts.open().slice(0, limit) : deps.alertStore.recent(limit),
      };
    },
  );

  app.get(
    '/api/v1/alerts/:id',
    {
      schema: {
        summary: 'One alert with whom it was sent to and its audit trail',
        description:
          'Closed alerts older than alerts.archiveAfterDays live in the archive; they are answered the same way, with `archived: true`.',
        tags: ['alerts'],
        params: AlertParams,
        querystring: AuditPageQuery,
        response: { 200: AlertDetail, ...ERROR_RESPONSES },
      },
    },
    async (req) => {
      const id = inRange(req.params.id, 'params/id', 1, Number.MAX_SAFE_INTEGER);
      const live = deps.alertStore.get(id);
      const found = live
        ? { alert: live, targets: deps.alertStore.targets(id) }
        : deps.alertStore.getArchived(id);
      // A number handed out from memory while storage failed: the alarm is real, it has no record.
      if (!found && isProvisionalAlertId(id)) {
        throw provisionalAlertError(id, 'it has no record here (once stored it gets a number of its own)');
      }
      if (!found) throw new AlertError('alert-not-found', `alert ${id} does not exist`);
      const auditAfter = inRange(req.query.auditAfter, 'querystring/auditAfter', 0, Number.MAX_SAFE_INTEGER);
      const auditLimit = inRange(req.query.auditLimit, 'querystring/auditLimit', 1, 1000);
      // One more than asked for tells whether another page follows.
      const audit = deps.alertStore.auditPage(id, auditAfter, auditLimit + 1);
      const more = audit.length > auditLimit;
      if (more) audit.length = auditLimit;
      return { ...found, audit, ...(more ? { auditNext: audit.at(-1)!.id } : {}), archived: !live };
    },
  );
};

/**
 * Ajv's coercion reads "1e309" as ±Infinity and lets it past `integer`, `minimum` and `maximum`
 * alike (SQLite's LIMIT then fails with a 500): a number the schema already checked, checked again.
 */
function inRange(value: number, where: string, min: number, max: number): number {
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  throw new AlertError(
    'invalid-request',
    value > max ? `${where}: must be <= ${max}` : `${where}: must be >= ${min}`,
  );
}
