import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { GatewayModule } from './module.js';

/** How soon an optional module that failed to start is tried again. */
const RETRY_MS = 30_000;

/**
 * Starts the feature modules in order. A critical module (the alarm path) that fails to start
 * stops the gateway with its error: better no gateway than one that looks up and loses calls. An
 * optional module (supervision, housekeeping, later forwarding and the console) that fails is
 * logged and tried again every 30 s, and the alarm path runs without it (as Zigbee2MQTT does with
 * an extension). Returns the function that stops them all, in reverse order.
 */
export async function startModules(
  modules: readonly GatewayModule[],
  clock: Clock,
  log: Logger,
): Promise<() => Promise<void>> {
  const started: GatewayModule[] = [];
  const retries = new Map<string, unknown>();
  /** Retried starts under way: stop() waits for them, so none finishes into a stopped gateway. */
  const retrying = new Set<Promise<void>>();
  let stopping = false;

  const retry = (m: GatewayModule, attempt: number): void => {
    const p = tryOptional(m, attempt);
    retrying.add(p);
    void p.finally(() => retrying.delete(p));
  };

  const tryOptional = async (m: GatewayModule, attempt: number): Promise<void> => {
    try {
      await m.start();
      started.push(m);
      if (attempt > 1) log.info({ module: m.name, attempt }, 'optional module started');
    } catch (err) {
      log.error(
        { err, module: m.name, attempt, retryInMs: RETRY_MS },
        'optional module failed to start; the alarm path runs without it',
      );
      await Promise.resolve(m.stop()).catch(() => undefined);
      if (!stopping)
        retries.set(
          m.name,
          clock.setTimeout(() => retry(m, attempt + 1), RETRY_MS),
        );
    }
  };

  const stop = async () => {
    stopping = true;
    for (const handle of retries.values()) clock.clearTimeout(handle);
    // One that starts now is stopped with the others; one that fails is not tried again.
    await Promise.all(retrying);
    for (const m of started.splice(0).reverse()) {
      try {
        await m.stop();
      } catch (err) {
        log.error({ err, module: m.name }, 'error while stopping');
      }
    }
  };

  for (const m of modules) {
    if (m.optional) {
      await tryOptional(m, 1);
      continue;
    }
    try {
      await m.start();
      started.push(m);
    } catch (err) {
      await stop();
      throw err;
    }
  }
  return stop;
}
