import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished, vi } from 'vitest';

export const SECRET = 'paging-secret-0123456789';

/** How the paging system answers one request: a status (with headers, body), or never. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface Received {
  id: string;
  attempt: number;
  event: string;
  headers: IncomingHttpHeaders;
  /** The raw bytes as they came. */
  raw: Buffer;
  json: { id: string; event: string; alertId: number | null; createdAt: string; data: unknown };
  /** The signature checked as README's receiver example does. */
  verified: boolean;
}

/**
 * README's receiver check without its freshness test (the deliveries carry fake time): the HMAC
 * of `<timestamp>.<raw body>`, compared in constant time. README's own example is run as written
 * in delivery.test.ts.
 */
export function verify(secret: string, headers: IncomingHttpHeaders, raw: Buffer): boolean {
  const ts = String(headers['x-careedge-timestamp'] ?? '');
  const given = Buffer.from(String(headers['x-careedge-signature'] ?? ''));
  const mac = createHmac('sha256', secret).update(`${ts}.`).update(raw).digest('hex');
  const expected = Buffer.from(`sha256=${mac}`);
  return /^\d+$/.test(ts) && given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A paging system on a real `node:http` server: it records every request and answers from a
 * script (200 once the script is used up). `down()` closes it, so connections are refused;
 * `up()` listens again on the same port.
 */
export async function pagingServer(secret = SECRET) {
  const received: Received[] = [];
  const script: Answer[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({
        id: String(req.headers['x-careedge-delivery']),
        attempt: Number(req.headers['x-careedge-attempt']),
        event: String(req.headers['x-careedge-event']),
        headers: req.headers,
        raw,
        json: JSON.parse(raw.toString('utf8')),
        verified: verify(secret, req.headers, raw),
      });
      const answer = script.shift() ?? { status: 200 };
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const down = () =>
    new Promise<void>((resolve) => {
      for (const r of hanging.splice(0)) r.destroy();
      server.closeAllConnections();
      if (!server.listening) resolve();
      else server.close(() => resolve());
    });
  onTestFinished(down);
  return {
    url: `http://127.0.0.1:${port}/page?token=receiver-token`,
    received,
    /** Answers for the next requests, in order. */
    answer(...answers: Answer[]) {
      script.push(...answers);
    },
    /** Waits (real time: the requests are real I/O) until `n` requests came. */
    async waitFor(n: number) {
      await vi.waitFor(() => {
        if (received.length < n) throw new Error(`${received.length} of ${n} requests so far`);
      });
    },
    down,
    up: () => listen(port),
    /** Ids in the order they arrived. */
    ids: () => received.map((r) => r.id),
  };
}

export type PagingServer = Awaited<ReturnType<typeof pagingServer>>;
