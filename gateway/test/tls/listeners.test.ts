import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { loadTlsCredentials } from '../../src/core/tls.js';
import { secretOf, type TestGateway, testGateway } from '../helpers/gateway.js';
import { TestClient } from '../helpers/mqtt-client.js';
import { makeTempDir } from '../helpers/tmp.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** GET over HTTPS trusting only `ca`; the certificate the server showed comes back with the answer. */
const getHttps = (port: number, path: string, ca: string, servername = 'localhost') =>
  new Promise<{ status: number; body: Record<string, unknown>; fingerprint: string }>((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, ca, servername, rejectUnauthorized: true },
      (res) => {
        const fingerprint = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256;
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), fingerprint }));
      },
    );
    req.on('error', reject);
    req.end();
  });

const getPlain = (port: number, path: string) =>
  new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });

describe('HTTPS and MQTT over TLS on the running gateway', () => {
  let g: TestGateway;
  let ca: string;
  beforeAll(async () => {
    g = await testGateway({
      http: { host: '127.0.0.1', port: 0, tls: { enabled: true, host: '127.0.0.1', port: 0 } },
      mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: true, host: '127.0.0.1', port: 0 } },
    });
    ca = g.gateway.tls!.cert;
  });
  afterAll(async () => {
    await g.stop();
  });

  it('answers /healthz over HTTPS to a client that pins the generated certificate, with its fingerprint', async () => {
    const { status, body, fingerprint } = await getHttps(g.gateway.httpsPort!, '/healthz', ca);
    expect(status).toBe(200);
    expect(fingerprint).toBe(g.gateway.tls!.fingerprint);
    expect(body.tls).toEqual({
      fingerprint,
      source: 'self-signed',
      validTo: g.gateway.tls!.validTo,
    });
    // The plain loopback listener serves the same app, for monitoring.
    expect(await getPlain(g.gateway.httpPort, '/healthz')).toBe(200);
  });

  it('refuses plain HTTP on the HTTPS port, and counts the failed handshake', async () => {
    const before = await g.metric('careedge_https_handshake_failures_total');
    await expect(getPlain(g.gateway.httpsPort!, '/healthz')).rejects.toThrow();
    await g.settled();
    expect(await g.metric('careedge_https_handshake_failures_total')).toBe(before + 1);
  });

  it('a client refuses a gateway whose certificate is not the pinned one, or does not name the host it asked for', async () => {
    const other = await loadTlsCredentials({
      config: { dataDir: makeTempDir(), tls: { certFile: '', keyFile: '', selfSignedNames: '' } },
      now: () => Date.now(),
      log: silentLogger(),
    });
    await expect(getHttps(g.gateway.httpsPort!, '/healthz', other.cert)).rejects.toThrow(
      /self.signed|verify/i,
    );
    await expect(getHttps(g.gateway.httpsPort!, '/healthz', ca, 'care.elsewhere.example')).rejects.toThrow(
      /altnames|does not match|Hostname/i,
    );
    const url = `mqtts://127.0.0.1:${g.gateway.mqttTlsPort}`;
    const login = { username: 'wb-1', password: secretOf('wb-1'), reconnectPeriod: 0, clientId: 'wb-1' };
    await expect(connectAsync(url, { ...login, ca: other.cert, servername: 'localhost' })).rejects.toThrow(
      /self.signed|verify/i,
    );
    await expect(connectAsync(url, { ...login, ca, servername: 'care.elsewhere.example' })).rejects.toThrow(
      /altnames|does not match|Hostname/i,
    );
  });

  it('a wristband logs in over mqtts://, sends an SOS, gets its PUBACK, and the alert is raised', async () => {
    const band = await TestClient.connect(
      g.gateway.mqttTlsPort!,
      g.gateway.siteId,
      'wb-1',
      secretOf('wb-1'),
      {
        ca,
      },
    );
    try {
      expect(band.client.stream.constructor.name).toBe('TLSSocket');
      await band.send('deviceEvent', { type: 'sos' }); // resolves on the PUBACK (QoS 1)
      await g.settled();
      expect(g.alerts.open().map((a) => [a.deviceId, a.kind])).toEqual([['wb-1', 'sos']]);
    } finally {
      await band.close();
    }
  });

  it('keeps the protections on the TLS port: a wrong password is refused and counted', async () => {
    const before = await g.metric('careedge_mqtt_denied_total', { kind: 'auth' });
    await expect(
      connectAsync(`mqtts://127.0.0.1:${g.gateway.mqttTlsPort}`, {
        username: 'wb-2',
        password: 'not-the-secret',
        reconnectPeriod: 0,
        ca,
        servername: 'localhost',
      }),
    ).rejects.toThrow(/Not authorized|Bad username or password/i);
    expect(await g.metric('careedge_mqtt_denied_total', { kind: 'auth' })).toBe(before + 1);
  });

  it('serves the same certificate after a restart', async () => {
    const fingerprint = g.gateway.tls!.fingerprint;
    await g.restart();
    expect(g.gateway.tls!.fingerprint).toBe(fingerprint);
    expect((await getHttps(g.gateway.httpsPort!, '/healthz', ca)).fingerprint).toBe(fingerprint);
  });
});

describe('a gateway that cannot serve TLS as configured', () => {
  it('refuses to start with a `path: message` line when the configured files are missing', async () => {
    const dir = makeTempDir();
    const certFile = join(dir, 'centre.crt');
    const err = await testGateway({
      http: { host: '127.0.0.1', port: 0, tls: { enabled: true, host: '127.0.0.1', port: 0 } },
      tls: { certFile, keyFile: join(dir, 'centre.key') },
    }).then(
      async (g) => {
        await g.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([`tls.certFile: no such file ${certFile}`]);
  });
});

describe('careedge-gateway', () => {
  /** Runs the real CLI with settings from the environment; its exit code and what it wrote to stderr. */
  const run = async (env: Record<string, string>) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, CAREEDGE_DATA_DIR: makeTempDir(), CAREEDGE_LOG__LEVEL: 'silent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const [code] = (await once(child, 'exit')) as [number];
    return { code, stderr };
  };

  it('refuses to start with plain HTTP on every address, or with a certificate file that is not there', async () => {
    const [plain, missing] = await Promise.all([
      run({ CAREEDGE_HTTP__HOST: '0.0.0.0' }),
      run({
        CAREEDGE_MQTT__PORT: '0',
        CAREEDGE_HTTP__PORT: '0',
        CAREEDGE_MQTT__TLS__ENABLED: 'true',
        CAREEDGE_MQTT__TLS__PORT: '0',
        CAREEDGE_TLS__CERT_FILE: '/nonexistent/gateway.crt',
        CAREEDGE_TLS__KEY_FILE: '/nonexistent/gateway.key',
      }),
    ]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(
      /^CareEdge refuses to start because the configuration is not valid:\n {2}http\.host: plain HTTP may listen on a loopback address only/,
    );
    expect(missing).toEqual({
      code: 2,
      stderr:
        'CareEdge refuses to start because the configuration is not valid:\n  tls.certFile: no such file /nonexistent/gateway.crt\n',
    });
  }, 60_000);
});
