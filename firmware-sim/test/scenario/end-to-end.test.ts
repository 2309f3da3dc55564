import { EXAMPLE_SITE } from '@careedge/gateway';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenario/runner.js';
import { loadSimSite } from '../../src/site/sim-site.js';
import { exampleGatewayForFile, sosToClose } from '../helpers/example-gateway.js';

/**
 * The simulator against the real gateway (embedded broker, SQLite, rules, dispatch): an SOS is
 * dispatched, acknowledged, the band hears who is coming, and the alert is resolved. Real time,
 * with delays of a few hundred milliseconds; the assertions are about what happened, in which
 * order, never about how long it took.
 */
describe('scenario against the real gateway', () => {
  const gw = exampleGatewayForFile();

  it('SOS → dispatch → ack → "help is coming" → arrived → resolved, and the summary says so', async () => {
    const gateway = gw.current();
    const scenario = sosToClose('e2e');
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
