import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it, onTestFinished } from 'vitest';
import { emitTelemetry, eventually, forwardingGateway } from '../helpers/forwarding.js';

/**
 * An InfluxDB behind a reverse proxy with a body limit (nginx `client_max_body_size`, a cloud
 * gateway) or with its own `max-body-size`: it answers 413 to a batch that is too large.
 */
async function influxWithBodyLimit(maxBytes: number) {
  const accepted: string[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      if (body.length > maxBytes) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end('{"error":"Request Entity Too Large"}');
        return;
      }
      accepted.push(...gunzipSync(body).toString().split('\n'));
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, accepted };
}

describe('found by probing: InfluxDB answers 413 (body too large)', { timeout: 30_000 }, () => {
  /**
   * outbox-worker.ts treated 413 as a transient failure: the same oversized batch was sent again
   * after every backoff, for ever, and nothing behind it (alerts included) ever left the outbox.
   */
  it('sends the batch in smaller parts instead of retrying it for ever', async () => {
    const influx = await influxWithBodyLimit(8_000);
    const g = await forwardingGateway(influx);
    emitTelemetry(g, 'wb-1', 3000);
    await g.tick(100);

    await eventually(async () => {
      expect(influx.accepted.filter((l) => l.startsWith('wristband_vitals,'))).toHaveLength(3000);
    });
    expect(await g.metric('careedge_forward_points_dead_lettered_total')).toBe(0);
  });
});
