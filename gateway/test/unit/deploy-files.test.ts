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
