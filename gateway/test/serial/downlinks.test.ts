import type { SerialFrame } from '@careedge/edge';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { RateLimitedLog } from '../../src/core/rate-limited-log.js';
import { Downlinks, type FrameSender } from '../../src/serial/downlinks.js';
import { serialMetrics } from '../../src/serial/metrics.js';
import { fakeClock } from '../helpers/fake-clock.js';

function setUp(o: { tries?: number; queueLimit?: number } = {}) {
  const time = fakeClock();
  const registry = new Registry();
  const metrics = serialMetrics(registry);
  const downlinks = new Downlinks({
    clock: time.clock,
    log: new RateLimitedLog(silentLogger(), time.clock, 60_000),
    metrics,
    ackTimeoutMs: 1000,
    tries: o.tries ?? 3,
    queueLimit: o.queueLimit ?? 4,
    firstLinkSeq: () => 1,
  });
  const sent: SerialFrame[] = [];
  const port: FrameSender = { port: '/dev/ttyTEST', send: (f) => sent.push(f) > 0 };
  const count = async (name: string, labels: Record<string, string>) =>
    (await registry.getSingleMetric(name)?.get())?.values.find((v) =>
      Object.entries(labels).every(([k, x]) => v.labels[k] === x),
    )?.value ?? 0;
  return { ...time, downlinks, sent, port, count };
}

const reassure = (alertId: number) => ({ ts: 1, alertId, kind: 'help-coming', text: 'Help is coming.' });

describe('serial downlinks', () => {
  it('sends again, same linkSeq, until the base station ACKs, and gives up after the tries (counted)', async () => {
    const { downlinks, sent, port, fake, count } = setUp();
    downlinks.attach('bs-1', port);
    downlinks.enqueue('bs-1', 'wb-1', 'reassurance', reassure(1));
    downlinks.enqueue('bs-1', 'wb-1', 'reassurance', reassure(2));
    expect(sent.map((f) => f.linkSeq)).toEqual([1, 2]);
    expect(downlinks.answered('bs-1', 2)).toBe(true);
    fake.tick(1000);
    fake.tick(1000);
    expect(sent.map((f) => f.linkSeq)).toEqual([1, 2, 1, 1]);
    expect(sent.every((f) => f.type === 'reassurance' && f.deviceId === 'wb-1')).toBe(true);
    fake.tick(1000);
    fake.tick(10_000);
    expect(sent).toHaveLength(4); // three tries of linkSeq 1
    expect(await count('careedge_serial_downlinks_dropped_total', { reason: 'given-up' })).toBe(1);
    expect(downlinks.answered('bs-1', 1)).toBe(false); // too late: already given up
  });

  it('keeps downlinks while the base station is away and sends them, in order, when it logs in', async () => {
    const { downlinks, sent, port, count } = setUp({ queueLimit: 3 });
    for (const id of [1, 2, 3, 4]) downlinks.enqueue('bs-1', 'wb-1', 'reassurance', reassure(id));
    expect(sent).toEqual([]);
    downlinks.attach('bs-1', port);
    expect(sent.map((f) => f.payload.alertId)).toEqual([2, 3, 4]);
    expect(await count('careedge_serial_downlinks_dropped_total', { reason: 'queue-full' })).toBe(1);
  });

  it('puts unacknowledged downlinks back when the port goes, and sends them with the same linkSeq on return', () => {
    const { downlinks, sent, port } = setUp();
    downlinks.attach('bs-1', port);
    downlinks.enqueue('bs-1', 'wb-1', 'reassurance', reassure(1));
    downlinks.detach('bs-1', port);
    downlinks.enqueue('bs-1', 'kiosk-1', 'thanks', { ts: 1, text: 'Thank you' });
    const other: FrameSender = { port: '/dev/ttyOTHER', send: (f) => sent.push(f) > 0 };
    downlinks.attach('bs-1', other);
    expect(sent.map((f) => [f.type, f.linkSeq])).toEqual([
      ['reassurance', 1],
      ['reassurance', 1],
      ['thanks', 2],
    ]);
  });

  it('sends only the newest configuration of a device (it is retained state)', () => {
    const { downlinks, sent, port } = setUp();
    downlinks.enqueue('bs-1', 'kiosk-1', 'configuration', { ts: 1, version: 1 });
    downlinks.enqueue('bs-1', 'kiosk-1', 'configuration', { ts: 2, version: 2 });
    downlinks.attach('bs-1', port);
    expect(sent.map((f) => f.payload.version)).toEqual([2]);
  });

  it('drops a downlink the base station refuses (NACK) without sending it again', async () => {
    const { downlinks, sent, port, fake, count } = setUp();
    downlinks.attach('bs-1', port);
    downlinks.enqueue('bs-1', 'wb-9', 'reassurance', reassure(1));
    expect(downlinks.answered('bs-1', 1, 'unknown-device')).toBe(true);
    fake.tick(10_000);
    expect(sent).toHaveLength(1);
    expect(await count('careedge_serial_downlinks_dropped_total', { reason: 'refused' })).toBe(1);
  });
});
