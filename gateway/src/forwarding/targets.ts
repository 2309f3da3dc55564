import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { HttpError, InfluxDB } from '@influxdata/influxdb-client';
import { retryAfterMs } from '../core/retry.js';

const gzip = promisify(gzipCb);

/** Where points go: InfluxDB 1.x (v1 /write) or 2.x/3.x (v2 write API). */
export type TargetOptions =
  | {
      version: 1;
      url: string;
      database: string;
      retentionPolicy: string;
      username: string;
      password: string;
      timeoutMs: number;
    }
  | { version: 2; url: string; org: string; bucket: string; token: string; timeoutMs: number };

/**
 * What a write came to. `refused`: InfluxDB refused the body as malformed (HTTP 400) or too large
 * (413, its own or a proxy's body limit), so sending it again cannot help; smaller parts may.
 * Transient failures (network, 5xx, 401, timeouts) are thrown.
 */
export type WriteResult = { ok: true } | { ok: false; refused: string };

/** The answers that refuse this body for good: malformed, or too large. */
const refuses = (status: number) => status === 400 || status === 413;

export interface Target {
  write(lines: string): Promise<WriteResult>;
}

export function openTarget(o: TargetOptions): Target {
  return o.version === 1 ? v1Target(o) : v2Target(o);
}

/** InfluxDB 1.x: POST /write with a gzipped body; plain fetch, no client library needed. */
function v1Target(o: Extract<TargetOptions, { version: 1 }>): Target {
  const url = new URL('write', o.url.endsWith('/') ? o.url : `${o.url}/`);
  url.searchParams.set('db', o.database);
  if (o.retentionPolicy) url.searchParams.set('rp', o.retentionPolicy);
  url.searchParams.set('precision', 'ns');
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    'content-encoding': 'gzip',
  };
  if (o.username)
    headers.authorization = `Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`;
  return {
    async write(lines) {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        // Level 1: most of the gain (line protocol is repetitive) for a fraction of the CPU of
        // the default level, which a 2-core gateway needs for its alarms.
        body: await gzip(lines, { level: 1 }),
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      const text = res.status === 204 ? '' : await res.text();
      if (res.status === 204) return { ok: true };
      if (refuses(res.status)) return { ok: false, refused: errorText(text) || res.statusText };
      throw answered(
        res.status,
        errorText(text) || res.statusText,
        'username and password',
        res.headers.get('retry-after'),
      );
    },
  };
}

/**
 * InfluxDB 2.x/3.x through @influxdata/influxdb-client. Its own batching and retries are off
 * (maxRetries 0, one flush per call): the outbox does both, durably.
 */
function v2Target(o: Extract<TargetOptions, { version: 2 }>): Target {
  const client = new InfluxDB({ url: o.url, token: o.token, timeout: o.timeoutMs });
  return {
    async write(lines) {
      const records = lines.split('\n');
      const api = client.getWriteApi(o.org, o.bucket, 'ns', {
        batchSize: records.length + 1,
        flushInterval: 0,
        maxRetries: 0,
        gzipThreshold: 1024,
        // A rejected promise here becomes the result of flush() (the client's contract).
        writeFailed: (err) => Promise.reject(err),
      });
      api.writeRecords(records);
      try {
        await api.flush();
        return { ok: true };
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        if (refuses(err.statusCode)) return { ok: false, refused: errorText(err.body) || err.message };
        const header = err.headers?.['retry-after'];
        throw answered(
          err.statusCode,
          errorText(err.body) || err.message,
          'token',
          Array.isArray(header) ? header[0] : header,
        );
      } finally {
        api.dispose();
      }
    },
  };
}

/**
 * A write InfluxDB answered with a failure, to be retried. Its message is what /healthz shows: a
 * refused token or password says so and names the setting (InfluxDB is reachable, and retrying
 * will not help until the setting is fixed).
 */
function answered(
  status: number,
  text: string,
  credentials: string,
  retryAfter?: string | null,
): Error & { retryAfterMs?: number } {
  const err: Error & { retryAfterMs?: number } = new Error(
    status === 401 || status === 403
      ? `InfluxDB refused the credentials (${status}: ${text}); check the ${credentials} in forwarding.influx`
      : `InfluxDB answered ${status}: ${text}`,
  );
  const ms = retryAfterMs(retryAfter, Date.now());
  if (ms !== undefined) err.retryAfterMs = ms;
  return err;
}

/** InfluxDB's `{"error": "…"}` as its message. */
function errorText(body: string | undefined): string {
  if (!body) return '';
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    return String(parsed.error ?? parsed.message ?? body);
  } catch {
    return body.slice(0, 500);
  }
}
