import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_SITE, loadConfig, type RunningGateway, silentLogger, startGateway } from '@careedge/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenario/runner.js';
import { parseScenario } from '../../src/scenario/scenario.js';
import { loadSimSite } from '../../src/site/sim-site.js';

/**
 * The simulator against the real gateway (embedded broker, SQLite, rules, dispatch): an SOS is
 * dispatched, acknowledged, the band hears who is coming, and the alert is resolved. Real time,
 * with delays of a few hundred milliseconds; the assertions are about what happened, in which
 * order, never about how long it took.
 */
describe('scenario against the real gateway', () => {
  let gateway: RunningGateway;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'careedge-sim-e2e-'));
    const config = loadConfig({
      env: {},
      overrides: {
        siteFile: EXAMPLE_SITE,
        dataDir,
        mqtt: { host: '127.0.0.1', port: 0 },
        http: { host: '127.0.0.1', port: 0 },
      },
    });
    gateway = await startGateway({ config, logger: silentLogger() });
  });
  afterAll(async () => {
    await gateway?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('SOS → dispatch → ack → "help is coming" → arrived → resolved, and the summary says so', async () => {
    const scenario = parseScenario({
      name: 'e2e',
      timeout: '15s',
      // Whoever leads the east wing at this hour (day or night shift) takes it.
      otherHandsets: {
        mode: 'accept',
        ackAfter: '100ms',
        arriveAfter: '100ms',
        resolveAfter: '100ms',
        outcome: 'assisted',
      },
      steps: [{ at: '100ms', device: 'wb-101', do: 'sos' }],
    });
    const report = await runScenario({
      scenario,
      site: loadSimSite(EXAMPLE_SITE),
      url: `mqtt://127.0.0.1:${gateway.mqttPort}`,
      heartbeatS: false,
      settleMs: 200,
    });

    expect(report.summary).toMatchObject({
      alertsRaised: 1,
      escalations: 0,
      resolved: 1,
      open: [],
      unanswered: [],
      allClosed: true,
      timedOut: false,
    });
    const [alert] = report.alerts;
    expect(alert).toMatchObject({
      kind: 'sos',
      priority: 'high',
      residentName: 'Margaret Hughes',
      outcome: 'assisted',
    });
    const owner = alert!.owner!;
    expect(['anna', 'dmitri']).toContain(owner);

    const story = report.timeline.entries.map((e) => `${e.who}: ${e.what.replace(/ \(seq \d+\)$/, '')}`);
    const firstName = owner === 'anna' ? 'Anna' : 'Dmitri';
    const expected = [
      'wb-101: SOS pressed',
      `${owner}: ← dispatch #${alert!.id} sos high, level 0 (new): Margaret Hughes, Room 101`,
      `wb-101: ← "Help is coming: ${firstName} is on the way." (#${alert!.id})`,
      `${owner}: arrived #${alert!.id} → ok`,
      `${owner}: resolve (assisted) #${alert!.id} → ok`,
    ];
    // In this order (other lines, such as the ack result, may come in between).
    const positions = expected.map((line) => story.indexOf(line));
    expect(
      positions.every((p) => p >= 0),
      `timeline:\n${story.join('\n')}`,
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(story).toContain(`${owner}: ack #${alert!.id} → ok`);
    // The band hears it is closed after the carer arrived (whether before or after the carer's
    // own result arrives is a race between two connections, so not asserted).
    const closedAt = story.indexOf(`wb-101: ← "Your call has been closed." (#${alert!.id})`);
    expect(closedAt).toBeGreaterThan(positions[3]!);
    expect(report.timeline.entries.filter((e) => e.kind === 'problem')).toEqual([]);
  });
});
