import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { topicFor } from '@careedge/edge';
import { connectAsync, type MqttClient } from 'mqtt';
import { describe, expect, it, onTestFinished } from 'vitest';
import { stringify } from 'yaml';
import { crowdSite } from '../helpers/crowd-site.js';
import { freePort, GatewayProcess } from '../helpers/gateway-process.js';
import { makeTempDir } from '../helpers/tmp.js';

const BANDS = 300;

interface Band {
  id: string;
  secret: string;
  /** The one SOS this band sends, byte for byte the same when its firmware sends it again. */
  sos: string;
}

const connectBand = (port: number, band: Band) =>
  connectAsync(`mqtt://127.0.0.1:${port}`, {
    username: band.id,
    password: band.secret,
    clientId: band.id,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });

/** Connects every band, 100 at a time as a site's bands do after a Wi-Fi outage. */
async function connectAll(port: number, bands: Band[]): Promise<MqttClient[]> {
  const clients: MqttClient[] = [];
  for (let i = 0; i < bands.length; i += 100) {
    clients.push(...(await Promise.all(bands.slice(i, i + 100).map((b) => connectBand(port, b)))));
  }
  return clients;
}

const closed = (c: MqttClient) =>
  c.connected ? new Promise<void>((resolve) => c.once('close', () => resolve())) : Promise.resolve();

/** Device id → number of open alerts, from the HTTP API of the running gateway. */
async function openAlertsPerDevice(gw: GatewayProcess): Promise<Map<string, number>> {
  const { alerts } = await gw.get<{ alerts: { deviceId: string }[] }>('/api/v1/alerts?state=open&limit=1000');
  const perDevice = new Map<string, number>();
  for (const a of alerts) perDevice.set(a.deviceId, (perDevice.get(a.deviceId) ?? 0) + 1);
  return perDevice;
}

/**
 * One SOS from each of 300 bands at the same moment, QoS 1, then kill -9 of the gateway `killAfterMs`
 * later. A PUBACK tells a band's firmware that its alarm is in the gateway's hands, so it never
 * sends it again: after a restart on the same data, each acknowledged SOS must be an alert. The
 * bands that got no PUBACK send their SOS again, as their firmware does after reconnecting, and in
 * the end every band has exactly one open alert: none lost, none doubled.
 */
async function stormKillRestart(killAfterMs: number) {
  const dir = makeTempDir('careedge-crash-');
  const site = crowdSite(BANDS);
  const ts = Date.now();
  const bands: Band[] = site.bands.map((b) => ({ ...b, sos: JSON.stringify({ seq: 0, ts, type: 'sos' }) }));
  const [mqttPort, httpPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'site.yaml'), site.yaml);
  const configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    stringify({
      siteFile: join(dir, 'site.yaml'),
      dataDir: join(dir, 'data'),
      mqtt: { host: '127.0.0.1', port: mqttPort },
      http: { host: '127.0.0.1', port: httpPort },
      log: { level: 'warn' },
    }),
  );
  const logFile = join(dir, 'gateway.log');
  const start = () => GatewayProcess.start({ configFile, httpPort, logFile });
  const clients: MqttClient[] = [];
  let gw = start();
  onTestFinished(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await gw.kill();
  });
  await gw.waitHealthy();
  clients.push(...(await connectAll(mqttPort, bands)));

  const acked = new Set<string>();
  const topic = (b: Band) => topicFor('deviceEvent', site.siteId, b.id);
  const burstAt = performance.now();
  bands.forEach((b, i) => {
    clients[i]!.publish(topic(b), b.sos, { qos: 1 }, (err) => {
      if (!err) acked.add(b.id);
    });
  });
  await new Promise((resolve) =>
    setTimeout(resolve, Math.max(0, killAfterMs - (performance.now() - burstAt))),
  );
  await gw.kill();
  // A PUBACK the kernel had already sent still arrives; once every connection is down, no more can.
  await Promise.all(clients.map(closed));
  const ackedBeforeKill = acked.size;

  gw = start();
  await gw.waitHealthy();
  const afterRestart = await openAlertsPerDevice(gw);
  const lost = [...acked].filter((id) => !afterRestart.has(id));
  const replayed =
    /"count":(\d+),"msg":"handling alarms from the journal/.exec(readFileSync(logFile, 'utf8'))?.[1] ?? 0;
  const summary = `killed ${killAfterMs} ms after the burst: ${ackedBeforeKill} of ${BANDS} SOS acknowledged, ${afterRestart.size} alerts after restart (${replayed} from the journal), ${lost.length} acknowledged SOS lost`;
  console.log(summary);
  expect(lost.length, summary).toBe(0);

  // The bands without a PUBACK reconnect and send the same SOS again.
  const resend = bands.filter((b) => !acked.has(b.id));
  const again = await connectAll(mqttPort, resend);
  clients.push(...again);
  await Promise.all(resend.map((b, i) => again[i]!.publishAsync(topic(b), b.sos, { qos: 1 })));

  const final = await waitForAlerts(gw, BANDS);
  const missing = bands.filter((b) => !final.has(b.id)).map((b) => b.id);
  const doubled = [...final].filter(([, n]) => n > 1).map(([id]) => id);
  expect(
    { missing: missing.length, doubled: doubled.length },
    `missing ${missing}, doubled ${doubled}`,
  ).toEqual({
    missing: 0,
    doubled: 0,
  });
}

/** The open alerts once `expected` devices have one; the deadline only turns "never" into a failure. */
async function waitForAlerts(gw: GatewayProcess, expected: number, ms = 5000): Promise<Map<string, number>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const now = await openAlertsPerDevice(gw);
    if (now.size >= expected || Date.now() > deadline) return now;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('kill -9 during an alarm storm (real gateway process, 300 bands)', () => {
  it.each([20, 60, 150])(
    'killed %i ms into the burst: every acknowledged SOS is an alert after the restart; after the resends, one per band',
    (killAfterMs) => stormKillRestart(killAfterMs),
    30_000,
  );
});
