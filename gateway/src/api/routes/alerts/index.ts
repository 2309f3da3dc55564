import { AlertKind, isProvisionalAlertId, Priority } from '@careedge/edge';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AlertCommands } from '../../../alerts/commands.js';
import { AlertError, provisionalAlertError } from '../../../alerts/errors.js';
import type { AlertFilter, AlertStore } from '../../../alerts/store.js';
import { AlertParams, inRange } from '../../params.js';
import { AlertDetail, AlertList, AUTH_ERRORS, ERROR_RESPONSES } from '../../schemas.js';
import { alertActionRoutes } from './actions.js';

export interface AlertRoutesDeps {
  alertStore: Pick<AlertStore, 'get' | 'getArchived' | 'list' | 'targets' | 'auditPage'>;
  commands: Pick<AlertCommands, 'execute'>;
}

const Id = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$', description });
const STATES = ['raised', 'dispatched', 'acknowledged', 'attended', 'resolved', 'cancelled'] as const;
// A page of the audit trail: one alert's trail can run to thousands of entries (a stuck button's
// repeats), and answering them all at once would hold the event loop that carries the alarms.
const AuditPageQuery = Type.Object(
  {
    auditAfter: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      default: 0,
      description: 'Audit entries after this entry id.',
    }),
    auditLimit: Type.Integer({ minimum: 1, maximum: 1000, default: 500, description: 'At most this many.' }),
  },
  { additionalProperties: false },
);
const Millis = (description: string) =>
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });
const AlertListQuery = Type.Object(
  {
    state: Type.Union(
      [
        Type.Literal('open'),
        Type.Literal('recent'),
        Type.Literal('closed'),
        ...STATES.map((s) => Type.Literal(s)),
      ],
      {
        default: 'open',
        description:
          '`open`: the open alerts, oldest first; `recent`: the latest, open or closed; `closed`: resolved or cancelled, newest first; or one state, newest first.',
      },
    ),
    priority: Type.Optional(Priority),
    kind: Type.Optional(AlertKind),
    zone: Type.Optional(Id('Only alerts of this zone (site file id).')),
    resident: Type.Optional(Id('Only alerts of this resident (site file id).')),
    owner: Type.Optional(Id('Only alerts owned by this staff member.')),
    since: Type.Optional(Millis('Raised at or after this time (Unix epoch milliseconds).')),
    until: Type.Optional(Millis('Raised before this time (Unix epoch milliseconds).')),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

/** Alerts with their targets and audit trail, archived ones included; and the staff actions on them. */
export const alertRoutes: FastifyPluginAsyncTypebox<AlertRoutesDeps> = async (app, deps) => {
  app.get(
    '/api/v1/alerts',
    {
      config: { access: 'staff' },
      schema: {
        summary: 'List alerts',
        tags: ['alerts'],
        querystring: AlertListQuery,
        response: {
          200: AlertList,
          400: ERROR_RESPONSES[400],
          ...AUTH_ERRORS.read,
          500: ERROR_RESPONSES[500],
        },
      },
    },
    async (req) => {
      const { state, priority, kind, zone, resident, owner, since, until } = req.query;
      const limit = inRange(req.query.limit, 'querystring/limit', 1, 1000);
      const filter: AlertFilter = {
        ...(state === 'recent' ? {} : { state }),
        ...(priority ? { priority } : {}),
        ...(kind ? { kind } : {}),
        ...(zone ? { zoneId: zone } : {}),
        ...(resident ? { residentId: resident } : {}),
        ...(owner ? { ownerId: owner } : {}),
        ...(since === undefined
          ? {}
          : { since: inRange(since, 'querystring/since', 0, Number.MAX_SAFE_INTEGER) }),
        ...(until === undefined
          ? {}
          : { until: inRange(until, 'querystring/until', 0, Number.MAX_SAFE_INTEGER) }),
      };
      return { alerts: deps.alertStore.list(filter, limit, state === 'open' ? 'oldest' : 'newest') };
    },
  );

  app.get(
    '/api/v1/alerts/:id',
    {
      config: { access: 'staff' },
      schema: {
        summary: 'One alert with whom it was sent to and its audit trail',
        description:
          'Closed alerts older than alerts.archiveAfterDays live in the archive; they are answered the same way, with `archived: true`.',
        tags: ['alerts'],
        params: AlertParams,
        querystring: AuditPageQuery,
        response: { 200: AlertDetail, ...ERROR_RESPONSES, ...AUTH_ERRORS.read },
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

  await app.register(alertActionRoutes, { commands: deps.commands });
};
