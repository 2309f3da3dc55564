import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

/**
 * A test-only InfluxDB 2.x write endpoint in front of an InfluxDB 1.x: `/api/v2/write?bucket=…`
 * becomes `/write?db=…` (as InfluxDB 1.8+ does natively), body and encoding passed through, the
 * answer passed back. Records each write's Authorization and Content-Encoding headers.
 */
export async function influxV2Shim(v1Url: string) {
  const authorizations: string[] = [];
  const encodings: string[] = [];
  const body = async (req: IncomingMessage) => {
    const parts: Buffer[] = [];
    for await (const p of req) parts.push(p as Buffer);
    return Buffer.concat(parts);
  };
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://shim');
      if (req.method !== 'POST' || url.pathname !== '/api/v2/write') {
        res.writeHead(404).end();
        return;
      }
      authorizations.push(String(req.headers.authorization));
      encodings.push(String(req.headers['content-encoding'] ?? 'identity'));
      const target = new URL('/write', v1Url);
      target.searchParams.set('db', url.searchParams.get('bucket') ?? '');
      target.searchParams.set('precision', url.searchParams.get('precision') ?? 'ns');
      try {
        const answer = await fetch(target, {
          method: 'POST',
          headers: req.headers['content-encoding']
            ? { 'content-encoding': req.headers['content-encoding'] }
            : {},
          body: await body(req),
        });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
      } catch {
        res
          .writeHead(503)
          .end(JSON.stringify({ code: 'unavailable', message: 'InfluxDB behind the shim is down' }));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, authorizations, encodings };
}
