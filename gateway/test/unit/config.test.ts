import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configLeaves, envName, loadConfig } from '../../src/config/load.js';

const problemsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('gateway configuration', () => {
  it('fills every default from the schema', () => {
    const c = loadConfig();
    expect(c.mqtt.port).toBe(1883);
    expect(c.dispatch.ackTimeoutS).toEqual({ high: 30, medium: 120, low: 600 });
    expect(c.dispatch.attendTimeoutS).toBe(180);
    expect(c.rules.priority).toEqual({ sos: 'high', fall: 'high', call: 'medium', emergencyCall: 'high' });
  });

  it('derives environment names from the schema paths and applies them over the file', () => {
    expect(envName(['dispatch', 'ackTimeoutS', 'high'])).toBe('CAREEDGE_DISPATCH__ACK_TIMEOUT_S__HIGH');
    expect(configLeaves().map((l) => envName(l.path))).toContain('CAREEDGE_MQTT__PORT');
    const dir = mkdtempSync(join(tmpdir(), 'careedge-config-'));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, 'mqtt:\n  port: 1999\nhttp:\n  port: 9000\n');
    const c = loadConfig({
      file,
      env: { CAREEDGE_MQTT__PORT: '2000', CAREEDGE_DISPATCH__ACK_TIMEOUT_S__HIGH: '15' },
    });
    expect(c.mqtt.port).toBe(2000);
    expect(c.http.port).toBe(9000);
    expect(c.dispatch.ackTimeoutS.high).toBe(15);
  });

  it('lists every problem as "path: message"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'careedge-config-'));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(
      file,
      'mqtt:\n  port: 70000\ndispatch:\n  ackTimeoutS:\n    high: 0\n  attendTimeoutS: 9999999\nlog:\n  level: loud\nwhat: 1\n',
    );
    expect(
      problemsOf(() => loadConfig({ file, env: { CAREEDGE_HTTP__PORT: 'eighty', CAREEDGE_NOPE: '1' } })),
    ).toEqual([
      'CAREEDGE_NOPE: unknown setting (the configuration reference in README.md lists them)',
      'what: unknown setting',
      'mqtt.port: must be <= 65535',
      'http.port: must be a whole number (got "eighty")',
      'dispatch.ackTimeoutS.high: must be >= 1',
      'dispatch.attendTimeoutS: must be <= 86400',
      'log.level: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
  });

  it('reports a broken YAML file with its name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'careedge-config-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'mqtt: [\n');
    expect(problemsOf(() => loadConfig({ file }))[0]).toMatch(/broken\.yaml: /);
  });
});
