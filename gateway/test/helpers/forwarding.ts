import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onTestFinished, vi } from 'vitest';
import { type Influxd, startInfluxd } from '../../harness/influxd.js';
import type { DeepPartial } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { Pseudonyms } from '../../src/core/pseudonym.js';
import { TEST_SITE, type TestGateway, testGateway } from './gateway.js';
import { makeTempDir } from './tmp.js';

export const SECRET = 'test-site-secret-0123456789';
export const keys = new Pseudonyms(SECRET);

/** The test site with one resident (r2, wristband wb-2) who did not consent to vitals forwarding. */
export function consentSite(): string {
  const file = join(makeTempDir('careedge-site-'), 'site.yaml');
  const yaml = readFileSync(TEST_SITE, 'utf8').replace(
    '{ id: r2, name: Harold Finch, room: n2 }',
    '{ id: r2, name: Harold Finch, room: n2, forwardVitals: false }',
  );
  if (!yaml.includes('forwardVitals')) throw new Error('the test site changed: r2 not found');
  writeFileSync(file, yaml);
  return file;
}

/** A real influxd for the current test, closed when it finishes. */
export async function influxdForTest(): Promise<Influxd> {
  const influx = await startInfluxd();
  onTestFinished(() => influx.close());
  return influx;
}

/**
 * A test gateway forwarding to `influx` (v1 unless overridden), with short worker backoffs so
 * outages heal in milliseconds of real time.
 */
export async function forwardingGateway(
  influx: Pick<Influxd, 'url'>,
  forwarding: DeepPartial<GatewayConfig['forwarding']> = {},
  more: DeepPartial<GatewayConfig> = {},
): Promise<TestGateway> {
  const g = await testGateway({
    siteFile: consentSite(),
    mqtt: { host: '127.0.0.1', port: 0, publishesPerSecond: 10_000, publishBurst: 10_000 },
    ...more,
    forwarding: {
      ...forwarding,
      influx: { url: influx.url, version: 1, database: 'careedge', ...forwarding.influx },
      residentKeySecret: SECRET,
      outbox: { retryMinMs: 20, retryMaxMs: 200, breakerFailures: 2, ...forwarding.outbox },
    },
  });
  onTestFinished(() => g.stop());
  return g;
}

/** Telemetry from wristband `deviceId` straight onto the bus, as ingest would publish it. */
export function emitTelemetry(g: TestGateway, deviceId: string, count: number, firstSeq = 0): void {
  const ctx = g.gateway.context;
  const source = ctx.register.deviceContext(deviceId);
  if (!source) throw new Error(`no device ${deviceId}`);
  const base = Date.UTC(2026, 10, 23, 9, 0, 0);
  for (let seq = firstSeq; seq < firstSeq + count; seq++) {
    ctx.bus.emit('device:telemetry', {
      source,
      message: {
        seq,
        ts: base + seq * 1000,
        heartRateBpm: 60 + (seq % 40),
        activity: seq % 100,
        worn: true,
        batteryPct: 80,
        rssiDbm: -60,
      },
      receivedAt: g.clock.now(),
    });
  }
}

/** Waits (real time: InfluxDB and the outbox worker do not follow the fake clock) until `check` passes. */
export const eventually = (check: () => Promise<void>, timeout = 20_000) =>
  vi.waitFor(check, { timeout, interval: 50 });
