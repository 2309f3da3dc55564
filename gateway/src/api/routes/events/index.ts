import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { AlertChange } from '../../../alerts/events.js';
import { type Alert, type AuditEntry, actorName } from '../../../alerts/model.js';
import type { AlertStore } from '../../../alerts/store.js';
import type { Accounts } from '../../../auth/accounts.js';
import type { Clock } from '../../../core/clock.js';
import type { Metrics } from '../../../core/metrics.js';
import { ApiError } from '../../errors.js';
import { AUTH_ERRORS, ERROR_RESPONSES, httpError } from '../../schemas.js';
import { eventStreamMetrics } from './metrics.js';

export interface EventRoutesDeps {
  bus: AlertChangeBus;
  alertStore: Pick<AlertStore, 'get' | 'getArchived' | 'open' | 'auditSince' | 'lastAuditId'>;
  accounts: Pick<Accounts, 'session' | 'token'>;
  clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  metrics: Pick<Metrics, 'registry'>;
  /** The open streams, shared with the hook that ends a session's streams at logout (http.ts). */
  streams: LiveStreams;
  /** At most this many open streams (each holds a socket and a bus fan-out); 50 by default. */
  maxStreams?: number;
}

/** The open event streams of one app. */
export class LiveStreams {
  readonly open = new Set<Stream>();

  /** Ends the streams of a session that just ended (logout); the heartbeat would, within 15 s. */
  endSession(sessionId: string): void {
    for (const s of [...this.open]) if (s.sessionId === sessionId) s.close();
  }
}

/** The part of the gateway's bus the stream listens on (the bus itself belongs to the composition root). */
export interface AlertChangeBus {
  on(owner: string, event: 'alert:changed', listener: (change: AlertChange) => void): void;
  removeOwner(owner: string): void;
}

/** Comments this often keep proxies from closing an idle stream and let the browser see a dead one. */
export const HEARTBEAT_MS = 15_000;
/** A reconnect that missed more changes than this reloads the open list instead (`resync`). */
export const REPLAY_LIMIT = 500;
const MAX_STREAMS = 50;
/**
 * A stream whose client has not taken this much yet is cut: a tab that stopped reading would
 * otherwise have every change queued for it in memory. It reconnects with Last-Event-ID.
 */
export const MAX_BACKLOG_BYTES = 1024 * 1024;
/** How soon the browser reconnects after the stream drops (the SSE `retry:` field). */
const RETRY_MS = 2_000;

/** One change as the console gets it: the alert as it is now, and what happened. */
interface ChangeEvent {
  alert: Alert;
  action: string;
  actor: string;
  at: number;
  detail: Record<string, unknown>;
}

interface Stream {
  res: ServerResponse;
  /** Still allowed to listen: the session or token is live (logout, expiry, revocation end it). */
  allowed: () => boolean;
  sessionId: string | null;
  close: () => void;
}

let buses = 0;

/**
 * `GET /api/v1/events`, Server-Sent Events for the console (docs/design/console.md, "Live
 * updates"): a `snapshot` of the open alerts, then an `alert` event per alert change with the
 * audit entry's id as the SSE id. A browser reconnecting sends `Last-Event-ID` and gets the
 * changes it missed from the audit table, or `resync` and a fresh snapshot when they are too many.
 */
export const eventRoutes: FastifyPluginAsyncTypebox<EventRoutesDeps> = async (app, deps) => {
  const maxStreams = deps.maxStreams ?? MAX_STREAMS;
  const metrics = eventStreamMetrics(deps.metrics.registry);
  const streams = deps.streams.open;
  const owner = `http-events-${++buses}`;

  deps.bus.on(owner, 'alert:changed', (change: AlertChange) => {
    if (streams.size === 0) return;
    const frame = event('alert', changeOf(change), change.auditId);
    for (const s of [...streams]) {
      // A token revoked (or a session ended elsewhere) since the last heartbeat hears nothing more.
      if (!s.allowed()) s.close();
      else if (s.res.writableLength <= MAX_BACKLOG_BYTES) s.res.write(frame);
      else {
        metrics.stalled.inc();
        s.res.destroy(); // drops the backlog; 'close' ends the stream
        s.close();
      }
    }
  });
  app.addHook('onClose', async () => {
    deps.bus.removeOwner(owner);
    for (const s of [...streams]) s.close();
  });

  const alertOf = (id: number) => deps.alertStore.get(id) ?? deps.alertStore.getArchived(id)?.alert;
  const snapshot = () =>
    event(
      'snapshot',
      { alerts: deps.alertStore.open(), now: deps.clock.now() },
      deps.alertStore.lastAuditId(),
    );
  /** The changes after `lastId`, or a resync and a snapshot when too many were missed (or the id is unknown). */
  const catchUp = (lastId: number): string => {
    const missed = deps.alertStore.auditSince(lastId, REPLAY_LIMIT + 1);
    if (missed.length > REPLAY_LIMIT || lastId > deps.alertStore.lastAuditId()) {
      metrics.resyncs.inc();
      return event('resync', { reason: 'too many changes missed' }) + snapshot();
    }
    let out = '';
    for (const entry of missed) {
      const alert = alertOf(entry.alertId);
      if (alert) out += event('alert', replayed(alert, entry), entry.id);
    }
    return out;
  };

  app.get(
    '/api/v1/events',
    {
      config: { access: 'staff' },
      // A HEAD would open a stream that never ends.
      exposeHeadRoute: false,
      schema: {
        summary: 'Live alert changes (Server-Sent Events)',
        description: `A \`text/event-stream\`: first \`event: snapshot\` with \`{alerts, now}\` (the open alerts, the gateway's time), then \`event: alert\` with \`{alert, action, actor, at, detail}\` for every change of an alert, its \`id\` the audit entry's id. A reconnect with \`Last-Event-ID\` gets the changes after that entry; with more than ${REPLAY_LIMIT} missed, \`event: resync\` and a new snapshot. A comment every ${HEARTBEAT_MS / 1000} s keeps the link alive; the stream ends when the session does (logout, expiry).`,
        tags: ['alerts'],
        headers: Type.Object({
          'last-event-id': Type.Optional(
            Type.String({ pattern: '^[0-9]{1,15}$', description: 'The last audit entry id received.' }),
          ),
        }),
        response: {
          200: {
            description: 'The event stream.',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          ...AUTH_ERRORS.read,
          500: ERROR_RESPONSES[500],
          503: httpError('`streams-full`: too many live streams are open; `Retry-After` says when to retry.'),
        },
      },
    },
    async (req, reply) => {
      if (streams.size >= maxStreams) {
        metrics.refused.inc();
        throw new ApiError('streams-full', `the gateway serves at most ${maxStreams} live streams`, {
          'retry-after': String(RETRY_MS / 1000),
        });
      }
      const allowed = stillAllowed(req, deps.accounts);
      const lastId = req.headers['last-event-id'];
      const first = lastId === undefined ? snapshot() : catchUp(Number(lastId));

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        // nginx and its kind would otherwise buffer the stream.
        'x-accel-buffering': 'no',
      });
      res.write(`retry: ${RETRY_MS}\n\n${first}`);

      let timer: unknown;
      const beat = () => {
        if (!allowed()) return stream.close();
        res.write(': heartbeat\n\n');
        timer = deps.clock.setTimeout(beat, HEARTBEAT_MS);
      };
      const stream: Stream = {
        res,
        allowed,
        sessionId: req.sessionId,
        close: () => {
          if (!streams.delete(stream)) return;
          deps.clock.clearTimeout(timer as never);
          metrics.open.dec();
          res.end();
        },
      };
      streams.add(stream);
      metrics.open.inc();
      timer = deps.clock.setTimeout(beat, HEARTBEAT_MS);
      res.on('close', stream.close);
    },
  );
};

/** The session or token the stream was opened with, checked again at each heartbeat. */
function stillAllowed(req: FastifyRequest, accounts: EventRoutesDeps['accounts']): () => boolean {
  const { sessionId } = req;
  if (sessionId) return () => accounts.session(sessionId) !== undefined;
  const bearer = req.headers.authorization?.split(' ')[1] ?? '';
  return () => accounts.token(bearer) !== undefined;
}

const changeOf = (c: AlertChange): ChangeEvent => ({
  alert: c.alert,
  action: c.action,
  actor: actorName(c.actor),
  at: c.alert.updatedAt,
  detail: c.detail,
});

const replayed = (alert: Alert, e: AuditEntry): ChangeEvent => ({
  alert,
  action: e.action,
  actor: e.actor,
  at: e.at,
  detail: e.detail,
});

/** One SSE frame; JSON has no raw newline, so `data` is one line. */
function event(name: string, data: unknown, id?: number): string {
  return `event: ${name}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`;
}
