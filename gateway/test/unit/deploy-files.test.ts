import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { GATEWAY_NODE_FLAGS } from '../../src/core/node-flags.js';

/** How node is started with the gateway's flags, given what comes before and after them. */
const withFlags = (before: string, after: string) =>
  [before, '--enable-source-maps', ...GATEWAY_NODE_FLAGS, after].join(' ');

describe('deployment files', () => {
  it('the example gateway configuration is valid and says what it means', () => {
    const file = new URL('../../../deploy/gateway.example.yaml', import.meta.url).pathname;
    const c = loadConfig({ file });
    expect(c.siteFile).toBe('/etc/careedge/site.yaml');
    expect(c.dataDir).toBe('/var/lib/careedge');
    // Devices and phones over TLS; plain listeners on this machine only.
    expect(c.mqtt).toMatchObject({ host: '127.0.0.1', tls: { enabled: true, host: '0.0.0.0', port: 8883 } });
    expect(c.http).toMatchObject({ host: '127.0.0.1', tls: { enabled: true, host: '0.0.0.0', port: 8443 } });
  });

  it('docker-compose mounts a configuration with TLS on, and the image turns TLS on without one', () => {
    const file = new URL('../../../deploy/docker/gateway.yaml', import.meta.url).pathname;
    // As docker-compose.yml sets them from its environment.
    const c = loadConfig({
      file,
      env: {
        CAREEDGE_FORWARDING__INFLUX__ORG: 'careedge',
        CAREEDGE_FORWARDING__INFLUX__BUCKET: 'careedge',
        CAREEDGE_FORWARDING__INFLUX__TOKEN: 'a-token-for-the-test',
        CAREEDGE_FORWARDING__RESIDENT_KEY_SECRET: 'a-site-secret-for-the-test',
      },
    });
    expect(c.mqtt.tls).toMatchObject({ enabled: true, host: '0.0.0.0', port: 8883 });
    expect(c.http).toMatchObject({ host: '127.0.0.1', tls: { enabled: true, host: '0.0.0.0', port: 8443 } });
    const compose = readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8');
    expect(compose).toContain('./deploy/docker/gateway.yaml:/etc/careedge/gateway.yaml:ro');
    const dockerfile = readFileSync(new URL('../../../Dockerfile', import.meta.url), 'utf8');
    const env = Object.fromEntries(
      [...dockerfile.matchAll(/^\s*(CAREEDGE_[A-Z_]+)=(\S+)/gm)].map((m) => [m[1]!, m[2]!]),
    );
    expect(env).toMatchObject({ CAREEDGE_HTTP__TLS__ENABLED: 'true', CAREEDGE_MQTT__TLS__ENABLED: 'true' });
    // The image's environment over no config file at all: TLS on.
    const bare = loadConfig({ env });
    expect(bare.http.tls.enabled).toBe(true);
    expect(bare.mqtt.tls.enabled).toBe(true);
  });

  it('the systemd unit runs the gateway with that configuration and always restarts it', () => {
    const unit = readFileSync(new URL('../../../deploy/careedge-gateway.service', import.meta.url), 'utf8');
    expect(unit.split('\n')).toContain(
      withFlags('ExecStart=/usr/bin/node', '/opt/careedge/dist/gateway/main.js'),
    );
    // Builds first when stale, as root, and a failed build still starts the last good bundle.
    expect(unit).toMatch(
      /^ExecStartPre=-\+\/usr\/bin\/node \/opt\/careedge\/scripts\/build\.mjs --if-stale$/m,
    );
    expect(unit).toMatch(/^Environment=CAREEDGE_CONFIG=\/etc\/careedge\/gateway\.yaml$/m);
    expect(unit).toMatch(/^Restart=always$/m);
  });

  it('npm start runs the gateway with the same node flags as the systemd unit and the bench', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      scripts: { start: string };
    };
    expect(pkg.scripts.start.endsWith(`&& ${withFlags('node', 'dist/gateway/main.js')}`)).toBe(true);
  });
});
