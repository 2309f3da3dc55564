import type { Reassurance } from '@careedge/edge';
import { describe, expect, it } from 'vitest';
import type { MqttLink } from '../../src/mqtt/link.js';

// Checked by the type checker (`tsc -b`): a `@ts-expect-error` that finds no error fails the build.
describe('MqttLink.publish', () => {
  it("takes exactly the channel's payload type", () => {
    const sent: string[] = [];
    const link: Pick<MqttLink, 'publish'> = { publish: (channel, id) => sent.push(`${channel}/${id}`) };
    const reassurance: Reassurance = { ts: 1, alertId: 7, kind: 'help-coming', text: 'Anna is coming.' };
    link.publish('deviceReassurance', 'wb-101', reassurance);
    // @ts-expect-error a reassurance is not a handset dispatch
    link.publish('staffDispatch', 'anna', reassurance);
    // @ts-expect-error the gateway state needs its `state`
    link.publish('gatewayState', '', { ts: 1 }, true);
    expect(sent).toEqual(['deviceReassurance/wb-101', 'staffDispatch/anna', 'gatewayState/']);
  });
});
