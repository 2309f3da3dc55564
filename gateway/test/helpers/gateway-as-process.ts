// Runs a gateway in its own process (so a test can start it as another user, e.g. nobody, for a
// really read-only database) and prints its ports on the first line of stdout.
// Usage: tsx gateway-as-process.ts <dataDir> <siteFile>
import { startGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';

const [dataDir, siteFile] = process.argv.slice(2);
const config = loadConfig({
  overrides: {
    siteFile,
    dataDir,
    mqtt: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
  },
});
const gateway = await startGateway({ config, logger: silentLogger() });
process.stdout.write(`${JSON.stringify({ mqttPort: gateway.mqttPort, httpPort: gateway.httpPort })}\n`);
process.once('SIGTERM', () => {
  void gateway.stop().then(() => process.exit(0));
});
