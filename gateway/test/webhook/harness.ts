import { Writable } from 'node:stream';
import { pino } from 'pino';
import { onTestFinished, vi } from 'vitest';
import { type DeepPartial, loadConfig } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { EventBus } from '../../src/core/bus.js';
import { type Db, openDatabase } from '../../src/core/db.js';
import { Health } from '../../src/core/health.js';
import { createMetrics } from '../../src/core/metrics.js';
import type { WebhookEvents, WebhookOutcome } from '../../src/webhook/events.js';
import { WebhookModule } from '../../src/webhook/webhook-module.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { SECRET } from './paging-server.js';

/**
 * The webhook module on its own, as app.ts builds it: a real SQLite file, the gateway's bus and
 * health, a fake clock, and a logger whose lines the test can read. `random` fixes the jitter.
 */
export async function webhookUnderTest(o: {
  file: string;
  url: string;
  webhook?: DeepPartial<GatewayConfig['webhook']>;
  random?: () => number;
  time?: ReturnType<typeof fakeClock>;
}) {
  const time = o.time ?? fakeClock();
  const db: Db = openDatabase(o.file);
  const lines: string[] = [];
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const metrics = createMetrics();
  const health = new Health(time.clock);
  const bus = new EventBus<WebhookEvents>(log);
  const outcomes: WebhookOutcome[] = [];
  bus.on('test', 'webhook:delivery', (outcome) => outcomes.push(outcome));
  const config = loadConfig({
    overrides: { webhook: { enabled: true, url: o.url, secret: SECRET, ...o.webhook } },
  });
  const module = new WebhookModule({
    db,
    bus,
    clock: time.clock,
    log,
    metrics,
    health,
    config,
    random: o.random ?? (() => 0.5),
  });
  await module.start();
  onTestFinished(async () => {
    if (!db.open) return;
    await module.stop();
    db.close();
  });
  return {
    module,
    db,
    time,
    health,
    outcomes,
    lines,
    /** Fires the sender's due timer (fake time), then waits until `n` outcomes were told. */
    async outcomesReach(n: number) {
      await vi.waitFor(async () => {
        await time.tick(0);
        if (outcomes.length < n) throw new Error(`${outcomes.length} of ${n} outcomes so far`);
      });
    },
    /** Fires due timers (fake time stands still) until `check` holds: real I/O runs meanwhile. */
    async until(check: () => boolean, what = 'the condition') {
      await vi.waitFor(async () => {
        await time.tick(0);
        if (!check()) throw new Error(`still waiting for ${what}`);
      });
    },
    metric: async (name: string, labels: Record<string, string> = {}) => {
      const m = await metrics.registry.getSingleMetric(name)?.get();
      const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
      return v?.value ?? 0;
    },
    warning: () => health.listWarnings().find((w) => w.warning === 'webhook')?.reason,
  };
}
