/**
 * `npm run demo`: starts a gateway in this process with the example site, a throw-away data
 * directory, ephemeral ports and short timeouts, then plays scenarios/demo.yaml against it and
 * prints the timeline live and a summary. Exit code 0 only when every alert was closed. When the
 * scenario names `serial` devices, a socat PTY pair is the serial line: the gateway's serial port
 * on one end, a simulated base station (with those devices behind it) on the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EXAMPLE_SITE, loadConfig, startGateway } from '@careedge/gateway';
import { type PtyPair, ptyPair } from '@careedge/gateway/harness/pty-pair';
import { formatSummary } from '../scenario/report.js';
import { runScenario } from '../scenario/runner.js';
import { loadScenario } from '../scenario/scenario.js';
import { loadSimSite } from '../site/sim-site.js';
import { happyIndexWatch } from './happy-index-watch.js';
import { DEMO_BASE_STATION, withBaseStation } from './serial-site.js';

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
  const dataDir = mkdtempSync(join(tmpdir(), 'careedge-demo-'));
  let pty: PtyPair | undefined;
  try {
    let siteFile = values.site ?? scenario.site ?? EXAMPLE_SITE;
    if (scenario.serial.length > 0) {
      pty = await ptyPair();
      siteFile = withBaseStation(siteFile, scenario.serial, join(dataDir, 'site.yaml'));
    }
    const site = loadSimSite(siteFile);
    const config = loadConfig({
      env: {},
      overrides: {
        siteFile,
        dataDir,
        mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: values.tls, host: '127.0.0.1', port: 0 } },
        http: { host: '127.0.0.1', port: 0 },
        dispatch: DEMO_DISPATCH,
        log: { level: values['log-level'] as 'warn' },
        ...(pty
          ? {
              serial: {
                ports: [{ path: pty.a, baseStation: DEMO_BASE_STATION }],
                reconnectMinMs: 200,
                reconnectMaxMs: 1000,
              },
            }
          : {}),
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
    if (pty)
      console.log(
        `serial: ${DEMO_BASE_STATION} (with ${scenario.serial.join(', ')}) on ${pty.b}, the gateway's port ${pty.a}`,
      );
    console.log(`scenario: ${scenario.name} (${scenario.steps.length} steps)\n`);
    const kiosks = site.devices.filter((d) => d.kind === 'kiosk').map((d) => d.id);
    // The Happy Index needs a staff login: the demo reads it with a machine token of its own.
    const made = gateway.context.accounts.createToken(`demo-${Date.now()}`, 'staff', 'demo');
    if (!made.ok) throw new Error(made.problem);
    const watch = happyIndexWatch(`http://127.0.0.1:${gateway.httpPort}`, made.token, kiosks, (line) =>
      console.log(line),
    );
    try {
      const report = await runScenario({
        scenario,
        site,
        url,
        ...(caFile ? { caFile } : {}),
        ...(pty ? { serialPath: pty.b } : {}),
        onLine: (line) => console.log(line),
      });
      console.log(`\n${formatSummary(report)}`);
      for (const line of await watch.summary()) console.log(line);
      return report.summary.allClosed ? 0 : 1;
    } finally {
      watch.stop();
      await gateway.stop();
    }
  } finally {
    await pty?.close();
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
