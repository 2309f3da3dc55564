import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

describe('deployment files', () => {
  it('the example gateway configuration is valid and says what it means', () => {
    const file = new URL('../../../deploy/gateway.example.yaml', import.meta.url).pathname;
    const c = loadConfig({ file });
    expect(c.siteFile).toBe('/etc/careedge/site.yaml');
    expect(c.dataDir).toBe('/var/lib/careedge');
  });

  it('the systemd unit runs the gateway with that configuration and always restarts it', () => {
    const unit = readFileSync(new URL('../../../deploy/careedge-gateway.service', import.meta.url), 'utf8');
    expect(unit).toMatch(
      /^ExecStart=\/usr\/bin\/node --enable-source-maps \/opt\/careedge\/dist\/gateway\/main\.js$/m,
    );
    // Builds first when stale, as root, and a failed build still starts the last good bundle.
    expect(unit).toMatch(
      /^ExecStartPre=-\+\/usr\/bin\/node \/opt\/careedge\/scripts\/build\.mjs --if-stale$/m,
    );
    expect(unit).toMatch(/^Environment=CAREEDGE_CONFIG=\/etc\/careedge\/gateway\.yaml$/m);
    expect(unit).toMatch(/^Restart=always$/m);
  });
});
