/**
 * Servers the tests and the bench start for real (InfluxDB), and the small parts they need: not
 * test code (the bench in firmware-sim uses them too, and gateway tests may not import firmware-sim),
 * not gateway/src either (the gateway never starts them).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { watchedProcess } from './watched-process.js';

export interface Influxd {
  url: string;
  port: number;
  /** Runs an InfluxQL statement; returns the rows of every series, as column → value. */
  query(q: string, db?: string): Promise<Record<string, unknown>[]>;
  /** `SELECT count(<field>) FROM <measurement> [WHERE …]` as a number (0 when nothing). */
  count(measurement: string, field: string, where?: string): Promise<number>;
  createDatabase(db: string): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  close(): Promise<void>;
}

/**
 * A real InfluxDB 1.x (Debian's influxd) on free ports with its own temporary data directory and
 * config file: reporting off, no authentication, quiet logs. `stop()` and `start()` again keep
 * the data and the port, for outage tests.
 */
export async function startInfluxd(database = 'careedge'): Promise<Influxd> {
  const dir = mkdtempSync(join(tmpdir(), 'careedge-influxd-'));
  const port = await freePort();
  const rpcPort = await freePort();
  const configFile = join(dir, 'influxdb.conf');
  writeFileSync(
    configFile,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${port}"
  auth-enabled = false
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[logging]
  level = "error"
`,
  );
  const url = `http://127.0.0.1:${port}`;

  const ping = async () => {
    try {
      return (await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) })).status === 204;
    } catch {
      return false;
    }
  };

  const { start, stop } = watchedProcess('influxd', ['influxd', '-config', configFile], ping);

  const query = async (q: string, db = database): Promise<Record<string, unknown>[]> => {
    const res = await fetch(`${url}/query?db=${encodeURIComponent(db)}&q=${encodeURIComponent(q)}`, {
      method: 'POST',
    });
    const body = (await res.json()) as {
      results: { error?: string; series?: { columns: string[]; values: unknown[][] }[] }[];
      error?: string;
    };
    const r = body.results?.[0];
    if (body.error || r?.error) throw new Error(`${q}: ${body.error ?? r?.error}`);
    return (r?.series ?? []).flatMap((s) =>
      s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]]))),
    );
  };

  await start();
  await query(`CREATE DATABASE "${database}"`);
  return {
    url,
    port,
    query,
    async count(measurement, field, where) {
      const rows = await query(
        `SELECT count("${field}") FROM "${measurement}"${where ? ` WHERE ${where}` : ''}`,
      );
      return Number(rows[0]?.count ?? 0);
    },
    createDatabase: async (db) => {
      await query(`CREATE DATABASE "${db}"`);
    },
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
