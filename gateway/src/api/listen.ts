import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';

/** How often the HTTP API tries to listen again when its port or address is not available. */
export const HTTP_LISTEN_RETRY_MS = 10_000;

/** fastify's own keep-alive default, so both listeners treat idle connections alike. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

export interface HttpListener {
  /** The plain port listened on; undefined while not listening yet. */
  port(): number | undefined;
  /** The HTTPS port listened on; undefined without HTTPS or while not listening yet. */
  tlsPort(): number | undefined;
  /** Stops trying and closes both servers. */
  close(): Promise<void>;
}

export interface HttpsListen {
  host: string;
  port: number;
  key: string;
  cert: string;
  /** A TLS handshake that failed (plain HTTP on the HTTPS port, a client refusing the certificate). */
  onHandshakeError?(err: Error, source: string | undefined): void;
}

/**
 * Listens on the configured plain address (fastify's own server: loopback only, the config check
 * sees to it) and, with `https`, on an HTTPS server of its own that hands every request to the
 * same fastify app (`app.routing`: the same routes, hooks and plugins; `request.protocol` tells
 * them apart). When an address cannot be listened on (the port taken by another program, the
 * address not there yet at boot) it logs that and tries again every HTTP_LISTEN_RETRY_MS instead
 * of failing: the API must never keep the gateway, and so alarms, from running.
 */
export async function listenOrRetry(
  app: FastifyInstance,
  where: { host: string; port: number },
  clock: Clock,
  https?: HttpsListen,
): Promise<HttpListener> {
  const timers: unknown[] = [];
  let closed = false;
  const retrying = async (what: string, at: { host: string; port: number }, listen: () => Promise<void>) => {
    const attempt = async (): Promise<void> => {
      try {
        await listen();
      } catch (err) {
        if (closed) return;
        app.log.error(
          { err, ...at, retryInMs: HTTP_LISTEN_RETRY_MS },
          `${what} cannot listen (alarms are not affected); trying again`,
        );
        timers.push(clock.setTimeout(() => void attempt(), HTTP_LISTEN_RETRY_MS));
      }
    };
    await attempt();
  };

  let server: HttpsServer | undefined;
  if (https) {
    await app.ready(); // routes are complete before the first request comes in by app.routing
    // A stalled handshake holds a socket; 10 s is plenty on a site network (node's default: 120 s).
    server = createHttpsServer({ key: https.key, cert: https.cert, handshakeTimeout: 10_000 }, app.routing);
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.on('tlsClientError', (err, socket) => https.onHandshakeError?.(err, socket.remoteAddress));
  }
  await retrying('HTTP API', where, () => app.listen(where).then(() => undefined)); // fastify logs where
  if (server && https) {
    const tls = server;
    const at = { host: https.host, port: https.port };
    await retrying('HTTPS API', at, () => listenServer(tls, at));
    if (tls.listening) app.log.info({ ...at, port: portOf(tls) }, 'HTTPS API listening');
  }
  return {
    port: () => (app.server.listening ? portOf(app.server) : undefined),
    tlsPort: () => (server?.listening ? portOf(server) : undefined),
    close: async () => {
      closed = true;
      for (const t of timers) clock.clearTimeout(t);
      if (server?.listening) {
        const closing = new Promise<void>((resolve) => server.close(() => resolve()));
        // Long-lived answers (event streams) would otherwise hold the close for ever.
        server.closeAllConnections();
        await closing;
      }
      await app.close();
    },
  };
}

const listenServer = (server: HttpsServer, at: { host: string; port: number }) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

const portOf = (server: { address(): ReturnType<HttpsServer['address']> }) => {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : undefined;
};

/** Counts failed HTTPS handshakes: a browser that refused the certificate, plain HTTP on the port. */
export function httpsHandshakeFailures(registry: Registry): HttpsListen['onHandshakeError'] {
  const failures = new Counter({
    registers: [registry],
    name: 'careedge_https_handshake_failures_total',
    help: 'TLS handshakes on the HTTPS port that failed (plain HTTP, a client refusing the certificate).',
  });
  return () => failures.inc();
}
