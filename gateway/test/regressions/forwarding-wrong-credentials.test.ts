import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { emitTelemetry, eventually, forwardingGateway } from '../helpers/forwarding.js';

/** An InfluxDB that refuses the token or password, as 2.x and 1.x (auth-enabled) do. */
async function influxRefusing(status: 401 | 403) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        status === 401
          ? '{"code":"unauthorized","message":"unauthorized access"}'
          : '{"error":"authorization failed"}',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

const healthz = async (port: number) =>
  (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
    warnings?: { warning: string; reason: string }[];
  };

describe('found by probing: a wrong InfluxDB token or password', { timeout: 30_000 }, () => {
  /**
   * /healthz said "InfluxDB unreachable (unauthorized access)" for a v2 token InfluxDB refused:
   * it was reachable, the status was not named, and nothing pointed at the setting to fix.
   */
  it.each([
    [2, 401],
    [1, 403],
  ] as const)('v%i answering %i: /healthz says the credentials are refused', async (version, status) => {
    const influx = await influxRefusing(status);
    const g = await forwardingGateway(influx, {
      influx: { version, org: 'o', bucket: 'b', token: 'wrong', username: 'u', password: 'wrong' },
    });
    emitTelemetry(g, 'wb-1', 10);
    await g.tick(100);

    await eventually(async () => {
      const reason = (await healthz(g.gateway.httpPort)).warnings?.find(
        (w) => w.warning === 'forwarding',
      )?.reason;
      expect(reason).toMatch(
        new RegExp(`^InfluxDB refused the credentials \\(${status}\\b.*forwarding\\.influx`),
      );
    });
  });
});
