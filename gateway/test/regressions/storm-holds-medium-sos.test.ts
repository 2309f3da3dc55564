import { afterEach, describe, expect, it } from 'vitest';
import type { Trigger } from '../../src/alerts/service.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

/** A low alert of an anomaly rule, as the rule engine's sink raises it. */
const ruleAlert = (kind: 'vital-sign' | 'battery-low' | 'not-worn' | 'inactivity', n: 2 | 3): Trigger => ({
  kind,
  priority: 'low',
  deviceId: `wb-${n}`,
  residentId: `r${n}`,
  roomId: n === 2 ? 'n2' : 's1',
  zoneId: n === 2 ? 'north' : 'south',
  joins: [kind],
  ruleId: kind,
  rulesVersion: 'abcdef012345',
});

describe('found by probing: in an alert storm, an SOS (or fall) configured below high priority is held back', () => {
  /**
   * The storm holds every alert that is not high, and a call's priority is a setting
   * (rules.priority, or the calls rule's params; the evaluation runs falls at medium). A resident's
   * SOS at medium, pressed while an access point's bands were going offline, went to no carer's
   * handset, only into the supervisor's summary, until the storm was over: a call for help must
   * never wait behind the rules' alerts.
   */
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  it.each(['sos', 'fall'] as const)('a %s at medium goes to the carer at once', async (type) => {
    g = await testGateway({
      rules: { priority: { sos: 'medium', fall: 'medium' }, storm: { alerts: 4, windowS: 10 } },
    });
    const alice = await g.handset('alice');
    const band = await g.device('wb-1');
    for (const kind of ['vital-sign', 'battery-low', 'not-worn', 'inactivity'] as const)
      g.alerts.raise(ruleAlert(kind, kind === 'vital-sign' ? 2 : 3));
    expect(await g.metric('careedge_alert_storms_total'), 'a storm is on').toBe(1);

    await band.send('deviceEvent', { type });
    const d = (await alice.next(onTopic('dispatch', { kind: type }))).payload;
    expect(g.alerts.get(d.alertId as number)).toMatchObject({
      kind: type,
      priority: 'medium',
      heldBack: null,
    });
  });
});
