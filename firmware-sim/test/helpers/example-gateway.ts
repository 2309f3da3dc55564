import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DeepPartial,
  EXAMPLE_SITE,
  type GatewayConfig,
  loadConfig,
  type RunningGateway,
  silentLogger,
  startGateway,
} from '@careedge/gateway';
import { afterAll, beforeAll } from 'vitest';
import { parseScenario } from '../../src/scenario/scenario.js';

type MqttOverrides = DeepPartial<GatewayConfig['mqtt']>;

/**
 * The real gateway on the example site for the tests of one file (free ports, a fresh data
 * directory, quiet logs), started before them and stopped after. `mqtt` adds to its MQTT settings.
 */
export function exampleGatewayForFile(mqtt: MqttOverrides = {}): { current: () => RunningGateway } {
  let gateway: RunningGateway | undefined;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'careedge-sim-gw-'));
    const config = loadConfig({
      env: {},
      overrides: {
        siteFile: EXAMPLE_SITE,
        dataDir,
        mqtt: { host: '127.0.0.1', port: 0, ...mqtt },
        http: { host: '127.0.0.1', port: 0 },
      },
    });
    gateway = await startGateway({ config, logger: silentLogger() });
  });
  afterAll(async () => {
    await gateway?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { current: () => gateway! };
}

/** wb-101's SOS, taken by whoever leads the east wing at this hour, through to its close. */
export const sosToClose = (name: string) =>
  parseScenario({
    name,
    timeout: '15s',
    otherHandsets: {
      mode: 'accept',
      ackAfter: '100ms',
      arriveAfter: '100ms',
      resolveAfter: '100ms',
      outcome: 'assisted',
    },
    steps: [{ at: '100ms', device: 'wb-101', do: 'sos' }],
  });
