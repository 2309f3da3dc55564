/**
 * `npm run demo`: starts a gateway in this process with the example site, a throw-away data
 * directory, ephemeral ports and short timeouts, then plays scenarios/demo.yaml against it and
 * prints the timeline live and a summary. Exit code 0 only when every alert was closed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EXAMPLE_SITE, loadConfig, startGateway } from '@careedge/gateway';
import { formatSummary } from '../scenario/report.js';
import { runScenario } from '../scenario/runner.js';
import { loadScenario } from '../scenario/scenario.js';
import { loadSimSite } from '../site/sim-site.js';

const DEMO_SCENARIO = fileURLToPath(new URL('../../scenarios/demo.yaml', import.meta.url));

/** Timeouts short enough to watch an escalation happen, long enough to read along. */
const DEMO_DISPATCH = { ackTimeoutS: { high: 5, medium: 8, low: 10 }, attendTimeoutS: 20 };

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: DEMO_SCENARIO },
      site: { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
      // Devices and handsets over MQTT over TLS, trusting the gateway's self-signed certificate.
      tls: { type: 'boolean', default: false },
    },
  });
  const scenario = loadScenario(values.scenario);
  const siteFile = values.site ?? scenario.site ?? EXAMPLE_SITE;
  const site = loadSimSite(siteFile);
  const dataDir = mkdtempSync(join(tmpdir(), 'careedge-demo-'));
  try {
    const config = loadConfig({
      env: {},
      overrides: {
        siteFile,
        dataDir,
        mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: values.tls, host: '127.0.0.1', port: 0 } },
        http: { host: '127.0.0.1', port: 0 },
        dispatch: DEMO_DISPATCH,
        log: { level: values['log-level'] as 'warn' },
      },
    });
    const gateway = await startGateway({ config });
    const url = values.tls
      ? `mqtts://127.0.0.1:${gateway.mqttTlsPort}`
      : `mqtt://127.0.0.1:${gateway.mqttPort}`;
    const caFile = values.tls ? gateway.tls?.certFile : undefined;
    console.log(`CareEdge demo — ${site.name} (site ${gateway.siteId})`);
    console.log(`gateway: MQTT ${url}, HTTP http://127.0.0.1:${gateway.httpPort}; data in ${dataDir}`);
    if (gateway.tls) console.log(`TLS certificate ${caFile}, SHA-256 ${gateway.tls.fingerprint}`);
    console.log(
      `timeouts: ack high ${DEMO_DISPATCH.ackTimeoutS.high}s / medium ${DEMO_DISPATCH.ackTimeoutS.medium}s, attend ${DEMO_DISPATCH.attendTimeoutS}s`,
    );
    console.log(`scenario: ${scenario.name} (${scenario.steps.length} steps)\n`);
    try {
      const report = await runScenario({
        scenario,
        site,
        url,
        ...(caFile ? { caFile } : {}),
        onLine: (line) => console.log(line),
      });
      console.log(`\n${formatSummary(report)}`);
      return report.summary.allClosed ? 0 : 1;
    } finally {
      await gateway.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`demo failed: ${err.message}`);
    process.exit(2);
  },
);
