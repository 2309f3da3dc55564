import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { testGateway } from '../helpers/gateway.js';
import { makeTempDir } from '../helpers/tmp.js';

const problems = (uplink: object, residentKeySecret = 'a-secret-of-the-site-0123') => {
  try {
    loadConfig({ overrides: { uplink, forwarding: { residentKeySecret } } });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('uplink settings', () => {
  it('refuses invalid ones with a path: message line each', () => {
    expect(problems({ url: 'http://hq.example:1883' })).toEqual([
      'uplink.url: must be an mqtt:// or mqtts:// URL',
    ]);
    expect(problems({ url: 'mqtt://hq.example:1883' }, 'short')).toEqual([
      'forwarding.residentKeySecret: must be at least 16 characters when the uplink is on (it keys the pseudonyms)',
    ]);
    expect(problems({ url: 'mqtt://hq.example:1883', caFile: '/etc/hosts' })).toEqual([
      'uplink.caFile: only used with an mqtts:// url',
    ]);
    expect(problems({ url: 'mqtts://hq.example:8883', caFile: '/nonexistent/ca.pem' })).toEqual([
      'uplink.caFile: no such file /nonexistent/ca.pem',
    ]);
    expect(problems({ url: 'mqtt://hq.example', retryMinMs: 5000, retryMaxMs: 1000 })).toEqual([
      'uplink.retryMinMs: must not be above uplink.retryMaxMs',
    ]);
    expect(problems({ topicPrefix: 'hq/#' }).join('\n')).toMatch(/^uplink\.topicPrefix: /);
    expect(problems({ maxQueued: 1 }).join('\n')).toMatch(/^uplink\.maxQueued: /);
    expect(problems({ url: 'mqtts://hq.example:8883', caFile: '/etc/hosts' })).toEqual([]);
  });

  it('a CA file for TLS is read from the path given', () => {
    const ca = join(makeTempDir('careedge-ca-'), 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
    expect(problems({ url: 'mqtts://hq.example:8883', caFile: ca })).toEqual([]);
  });

  it('no uplink configured: nothing starts and no queue file is made', async () => {
    const g = await testGateway();
    onTestFinished(() => g.stop());
    expect(existsSync(join(g.dir, 'uplink.sqlite'))).toBe(false);
    expect(await g.metric('careedge_uplink_connected')).toBe(0);
  });
});
