import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../../src/config/load.js';
import { Pseudonyms } from '../../src/core/pseudonym.js';
import { encodeLine, nanos } from '../../src/forwarding/line-protocol.js';
import { MEASUREMENTS } from '../../src/forwarding/measurements.js';
import { renderTimeSeriesReference } from '../../src/forwarding/reference.js';

describe('time-series schema', () => {
  it('docs/time-series.md is up to date with measurements.ts (run `npm run docs:timeseries`)', () => {
    const committed = readFileSync(new URL('../../../docs/time-series.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderTimeSeriesReference());
  });

  it('alerts and workload are precious, telemetry and health routine', () => {
    expect(MEASUREMENTS.alert_event.class).toBe('precious');
    expect(MEASUREMENTS.staff_workload.class).toBe('precious');
    expect(MEASUREMENTS.wristband_vitals.class).toBe('routine');
    expect(MEASUREMENTS.gateway_health.class).toBe('routine');
  });

  it('encodes typed fields, escapes tags, leaves unknown values out', () => {
    const line = encodeLine(
      'device_status',
      { site: 'a b,c=d', zone: undefined, device_kind: 'wristband' },
      { battery_pct: 80, rssi_dbm: undefined, worn: false },
      nanos(1_700_000_000_123, 42),
    );
    expect(line).toBe(
      'device_status,device_kind=wristband,site=a\\ b\\,c\\=d battery_pct=80i,worn=false 1700000000123000042',
    );
    expect(encodeLine('device_status', { site: 's' }, {}, '1')).toBeUndefined();
    expect(encodeLine('device_status', { site: 's' }, { battery_pct: 1.5 }, '1')).toBeUndefined();
  });

  it('pseudonymous keys are stable for a secret, differ between secrets, and are 16 hex digits', () => {
    const a = new Pseudonyms('site-secret-0123456789');
    const key = a.key('resident', 'r1');
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(new Pseudonyms('site-secret-0123456789').key('resident', 'r1')).toBe(key);
    expect(new Pseudonyms('other-secret-0123456789').key('resident', 'r1')).not.toBe(key);
    expect(a.key('device', 'r1')).not.toBe(key);
  });
});

describe('forwarding settings', () => {
  const problems = (forwarding: object) => {
    try {
      loadConfig({ overrides: { forwarding } });
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('no InfluxDB configured is valid (forwarding off)', () => {
    expect(problems({})).toEqual([]);
  });

  it('refuses an incomplete InfluxDB 2.x setting with one path: message line per problem', () => {
    expect(problems({ influx: { url: 'ftp://x' } })).toEqual([
      'forwarding.influx.url: must be an http:// or https:// URL',
      'forwarding.residentKeySecret: must be at least 16 characters when forwarding is on (it keys the pseudonyms)',
      'forwarding.influx.org: is required for InfluxDB 2.x/3.x',
      'forwarding.influx.bucket: is required for InfluxDB 2.x/3.x',
      'forwarding.influx.token: is required for InfluxDB 2.x/3.x',
    ]);
  });

  it('accepts InfluxDB 1.x with a database, and refuses a version it does not know', () => {
    const secret = 'site-secret-0123456789';
    expect(problems({ influx: { url: 'http://db:8086', version: 1 }, residentKeySecret: secret })).toEqual(
      [],
    );
    expect(
      problems({ influx: { url: 'http://db:8086', version: 1, database: '' }, residentKeySecret: secret }),
    ).toEqual(['forwarding.influx.database: is required for InfluxDB 1.x']);
    expect(problems({ influx: { version: 3 } }).join('\n')).toContain('forwarding.influx.version');
  });

  it('refuses a backoff whose first wait is above its longest', () => {
    expect(problems({ outbox: { retryMinMs: 5000, retryMaxMs: 1000 } })).toEqual([
      'forwarding.outbox.retryMinMs: must not be above forwarding.outbox.retryMaxMs',
    ]);
  });
});
