import { createServer, type IncomingMessage } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { emitTelemetry, eventually, forwardingGateway } from '../helpers/forwarding.js';

/** An InfluxDB that takes every request and never answers (hung, or a half-dead proxy). */
async function hungInflux() {
  const requests: IncomingMessage[] = [];
  const server = createServer((req) => {
    requests.push(req);
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests };
}

describe('found by probing: the gateway is stopped while InfluxDB 2.x hangs', { timeout: 30_000 }, () => {
  /**
   * Outbox.stop() waited for the worker thread to exit. After a v2 write timed out,
   * @influxdata/influxdb-client keeps the hung socket open, so the thread never exited and the
   * gateway's stop never returned (systemd then kills it after its stop timeout).
   */
  it('stops within the write timeout', async () => {
    const influx = await hungInflux();
    const g = await forwardingGateway(influx, {
      influx: { version: 2, org: 'o', bucket: 'b', token: 't', timeoutMs: 300 },
    });
    emitTelemetry(g, 'wb-1', 10);
    await g.tick(100);
    await eventually(async () => expect(influx.requests.length).toBeGreaterThanOrEqual(2));

    const stopped = g.gateway.stop().then(() => 'stopped');
    const late = new Promise<string>((resolve) =>
      setTimeout(() => resolve('still stopping after 5 s'), 5000),
    );
    expect(await Promise.race([stopped, late])).toBe('stopped');
  });
});
