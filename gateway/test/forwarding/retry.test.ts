import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { retryAfterMs } from '../../src/core/retry.js';
import { waitAfterFailure } from '../../src/forwarding/retry.js';
import { openTarget } from '../../src/forwarding/targets.js';
import { outboxWorkerOptions } from '../helpers/outbox.js';

/** A real HTTP server that answers every request 429 with `Retry-After: 7`. */
async function busyInflux(): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'too many requests' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('found by probing: Retry-After from InfluxDB (429, 503) was ignored', () => {
  it('reads delay-seconds and HTTP dates, and ignores what it cannot read', () => {
    const now = Date.UTC(2026, 10, 23, 10, 0, 0);
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs(' 120 ', now)).toBe(120_000);
    expect(retryAfterMs(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(retryAfterMs(new Date(now - 30_000).toUTCString(), now)).toBe(0);
    for (const bad of [undefined, null, '', 'soon', '-5']) expect(retryAfterMs(bad, now)).toBeUndefined();
  });

  it('waits at least what InfluxDB asked for, at most ten minutes, else backs off as before', () => {
    const base = { retryMinMs: 1000, retryMaxMs: 10_000, random: 0.5 };
    expect(waitAfterFailure({ ...base, failures: 1, retryAfterMs: undefined })).toBe(750);
    expect(waitAfterFailure({ ...base, failures: 5, retryAfterMs: undefined })).toBe(7500);
    expect(waitAfterFailure({ ...base, failures: 1, retryAfterMs: 7000 })).toBe(7000);
    expect(waitAfterFailure({ ...base, failures: 5, retryAfterMs: 100 })).toBe(7500);
    expect(waitAfterFailure({ ...base, failures: 1, retryAfterMs: 3_600_000 })).toBe(600_000);
  });

  it('a 429 with Retry-After from InfluxDB 1.x and 2.x comes back with the delay asked for', async () => {
    const url = await busyInflux();
    const v1 = openTarget(outboxWorkerOptions(url).target);
    await expect(v1.write('m,a=b f=1 1')).rejects.toMatchObject({
      message: 'InfluxDB answered 429: too many requests',
      retryAfterMs: 7000,
    });
    const v2 = openTarget({ version: 2, url, org: 'o', bucket: 'b', token: 't', timeoutMs: 5000 });
    await expect(v2.write('m,a=b f=1 1')).rejects.toMatchObject({ retryAfterMs: 7000 });
  });
});
