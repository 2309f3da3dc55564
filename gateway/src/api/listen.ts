import type { FastifyInstance } from 'fastify';
import type { Clock } from '../core/clock.js';

/** How often the HTTP API tries to listen again when its port or address is not available. */
export const HTTP_LISTEN_RETRY_MS = 10_000;

export interface HttpListener {
  /** The port listened on; undefined while not listening yet. */
  port(): number | undefined;
  /** Stops trying and closes the server. */
  close(): Promise<void>;
}

/**
 * Listens on the configured address. When it cannot (the port taken by another program, the
 * address not there yet at boot) it logs that and tries again every HTTP_LISTEN_RETRY_MS instead of
 * failing: the API is read-only and must never keep the gateway, and so alarms, from running.
 */
export async function listenOrRetry(
  app: FastifyInstance,
  where: { host: string; port: number },
  clock: Clock,
): Promise<HttpListener> {
  let timer: unknown;
  let closed = false;
  const attempt = async (): Promise<void> => {
    try {
      await app.listen(where); // fastify logs where it listens
    } catch (err) {
      if (closed) return;
      app.log.error(
        { err, ...where, retryInMs: HTTP_LISTEN_RETRY_MS },
        'HTTP API cannot listen (alarms are not affected); trying again',
      );
      timer = clock.setTimeout(() => void attempt(), HTTP_LISTEN_RETRY_MS);
    }
  };
  await attempt();
  return {
    port: () => {
      const address = app.server.listening ? app.server.address() : null;
      return typeof address === 'object' && address ? address.port : undefined;
    },
    close: async () => {
      closed = true;
      clock.clearTimeout(timer);
      await app.close();
    },
  };
}
