import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitTelemetry, eventually, forwardingGateway, influxdForTest } from '../helpers/forwarding.js';

describe('found by probing: the outbox file is corrupted between two runs (power cut on an SD card)', () => {
  /**
   * SQLite's errors do not survive the trip from the outbox worker to the main thread (the
   * structured clone keeps only their `code`), so /healthz and the log said "the outbox worker
   * failed (undefined)": nothing to tell an administrator which file to look at, or why.
   */
  it('says on /healthz what went wrong with the file', { timeout: 30_000 }, async () => {
    const influx = await influxdForTest();
    const g = await forwardingGateway(influx);
    emitTelemetry(g, 'wb-1', 10);
    await g.tick(100);
    await eventually(async () => expect(await influx.count('wristband_vitals', 'activity')).toBe(10));
    await g.gateway.stop();
    const fd = openSync(join(g.dir, 'outbox.sqlite'), 'r+');
    writeSync(fd, Buffer.alloc(4096, 'A'), 0, 4096, 0);
    closeSync(fd);

    await g.restart();
    const health = (await (await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`)).json()) as {
      warnings?: { warning: string; reason: string }[];
    };
    const reason = health.warnings?.find((w) => w.warning === 'forwarding')?.reason;
    expect(reason).toMatch(/not a database/);
  });
});
