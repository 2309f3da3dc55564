import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { loadTlsCredentials } from '../../src/core/tls.js';
import { makeTempDir } from '../helpers/tmp.js';

const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);
const DAY = 86_400_000;
const log = silentLogger();

const load = (
  dataDir: string,
  tls: Partial<{ certFile: string; keyFile: string; selfSignedNames: string }> = {},
  now = NOW,
) => loadTlsCredentials({ config: loadConfig({ overrides: { dataDir, tls } }), now: () => now, log });

const problemsOf = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).problems;
};

const publicKeyOf = (pem: string) =>
  new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }).toString('hex');

describe('the TLS certificate', () => {
  it('is generated on first start into <dataDir>/tls/ (key 0600) and the same one is used on the next', async () => {
    const dir = makeTempDir();
    const first = await load(dir);
    expect(first.source).toBe('self-signed');
    expect(first.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const keyFile = join(dir, 'tls', 'gateway.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'tls')).mode & 0o077).toBe(0);
    const cert = new X509Certificate(readFileSync(join(dir, 'tls', 'gateway.crt')));
    expect(cert.fingerprint256).toBe(first.fingerprint);
    // What a browser and a device check: the names, and a validity iPhones accept (≤ 825 days).
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBeLessThanOrEqual(826 * DAY);

    const second = await load(dir);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(second.key).toBe(first.key);
  });

  it('a key file that came back readable from a backup is made 0600 again', async () => {
    const dir = makeTempDir();
    const first = await load(dir);
    const keyFile = join(dir, 'tls', 'gateway.key');
    writeFileSync(keyFile, first.key, { mode: 0o644 });
    expect((await load(dir)).fingerprint).toBe(first.fingerprint);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('is renewed with the same key when it nears its end or lacks a configured name', async () => {
    const dir = makeTempDir();
    const first = await load(dir);
    expect(new X509Certificate(first.cert).checkHost('care.sunrise.example')).toBeUndefined();

    const named = await load(dir, { selfSignedNames: 'care.sunrise.example, 192.168.10.5' });
    expect(named.fingerprint).not.toBe(first.fingerprint);
    expect(publicKeyOf(named.cert)).toBe(publicKeyOf(first.cert)); // a device pinning the key still connects
    const x509 = new X509Certificate(named.cert);
    expect(x509.checkHost('care.sunrise.example')).toBe('care.sunrise.example');
    expect(x509.checkIP('192.168.10.5')).toBe('192.168.10.5');
    // Nothing changed since: reused.
    expect((await load(dir, { selfSignedNames: 'care.sunrise.example,192.168.10.5' })).fingerprint).toBe(
      named.fingerprint,
    );

    const later = Date.parse(new X509Certificate(named.cert).validTo) - 10 * DAY;
    const renewed = await load(dir, { selfSignedNames: 'care.sunrise.example' }, later);
    expect(renewed.fingerprint).not.toBe(named.fingerprint);
    expect(publicKeyOf(renewed.cert)).toBe(publicKeyOf(first.cert));
    expect(Date.parse(renewed.validTo)).toBeGreaterThan(later + 800 * DAY);
  });

  it("uses the centre's own certificate and key files when configured", async () => {
    const own = makeTempDir();
    const generated = await load(own);
    const dir = makeTempDir();
    const certFile = join(dir, 'centre.crt');
    const keyFile = join(dir, 'centre.key');
    copyFileSync(join(own, 'tls', 'gateway.crt'), certFile);
    copyFileSync(join(own, 'tls', 'gateway.key'), keyFile);
    const used = await load(dir, { certFile, keyFile });
    expect(used).toMatchObject({ source: 'configured', fingerprint: generated.fingerprint, certFile });
  });

  it('refuses the start, saying which setting and why, for files that are missing, not PEM, or not a pair', async () => {
    const a = makeTempDir();
    const b = makeTempDir();
    const certA = (await load(a)).certFile;
    await load(b);
    const keyB = join(b, 'tls', 'gateway.key');
    const missing = join(a, 'nothing.pem');

    expect(await problemsOf(load(a, { certFile: missing, keyFile: keyB }))).toEqual([
      `tls.certFile: no such file ${missing}`,
    ]);
    expect(await problemsOf(load(a, { certFile: certA, keyFile: missing }))).toEqual([
      `tls.keyFile: no such file ${missing}`,
    ]);
    expect(await problemsOf(load(a, { certFile: certA, keyFile: keyB }))).toEqual([
      'tls.keyFile: does not match the certificate in tls.certFile',
    ]);
    const notPem = join(a, 'garbage.crt');
    writeFileSync(notPem, 'not a certificate\n');
    const [line] = await problemsOf(load(a, { certFile: notPem, keyFile: keyB }));
    expect(line).toMatch(/^tls\.certFile: not a PEM certificate/);
  });
});

describe('the TLS settings', () => {
  const problems = (overrides: Parameters<typeof loadConfig>[0]) => {
    try {
      loadConfig(overrides);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    return [];
  };

  it('by default: plain HTTP and MQTT on this machine only, as before, and no TLS listener', () => {
    const c = loadConfig();
    expect(c.http).toMatchObject({ host: '127.0.0.1', port: 8080, tls: { enabled: false, port: 8443 } });
    expect(c.mqtt).toMatchObject({ host: '127.0.0.1', port: 1883, tls: { enabled: false, port: 8883 } });
  });

  it('refuses plain HTTP beyond loopback, with TLS or without', () => {
    const [line] = problems({ overrides: { http: { host: '0.0.0.0' } } });
    expect(line).toMatch(/^http\.host: plain HTTP may listen on a loopback address only .*not 0\.0\.0\.0/);
    expect(line).toContain('http.tls.enabled');
    expect(problems({ overrides: { http: { host: '192.168.1.2', tls: { enabled: true } } } })).toHaveLength(
      1,
    );
    expect(problems({ env: { CAREEDGE_HTTP__HOST: '::' } })[0]).toMatch(/^http\.host:/);
    for (const host of ['127.0.0.1', '127.0.1.1', '::1', 'localhost'])
      expect(problems({ overrides: { http: { host } } })).toEqual([]);
  });

  it('HTTPS on the network is fine, set from the environment too', () => {
    const c = loadConfig({ env: { CAREEDGE_HTTP__TLS__ENABLED: 'true', CAREEDGE_MQTT__TLS__PORT: '18883' } });
    expect(c.http.tls).toEqual({ enabled: true, host: '0.0.0.0', port: 8443 });
    expect(c.mqtt.tls.port).toBe(18883);
  });

  it('a certificate file needs its key file and the other way round', () => {
    expect(problems({ overrides: { tls: { certFile: '/etc/careedge/tls/gateway.crt' } } })).toEqual([
      'tls.keyFile: is required with tls.certFile',
    ]);
    expect(problems({ overrides: { tls: { keyFile: '/etc/careedge/tls/gateway.key' } } })).toEqual([
      'tls.certFile: is required with tls.keyFile',
    ]);
  });
});
