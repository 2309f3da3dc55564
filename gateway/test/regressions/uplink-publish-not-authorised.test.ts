import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/forwarding.js';
import { mosquittoForTest, ROSE, sosCycle, uplinkGateway } from '../helpers/uplink.js';

/**
 * found by probing: a head office broker that accepts the site's login but not its publishes
 * (an ACL for another topic prefix: a common slip when a site is added) still PUBACKs each one
 * under MQTT 3.1.1, which has no way to refuse a publish: the gateway deleted every alert change
 * as delivered, counted it sent and showed no warning, while the broker threw it away.
 * MQTT 5 gives the PUBACK a reason code; a refused publish stays queued and /healthz says why.
 */
describe('found by probing: the head office broker does not authorise the uplink topics', {
  timeout: 30_000,
}, () => {
  it('keeps the alert changes queued, counts none sent, and says why on /healthz', async () => {
    const m = await mosquittoForTest({
      users: { rosehill: 'hq-password' },
      acl: 'user rosehill\ntopic write careedge/uplink/v1/otherplace/#\n',
    });
    const g = await uplinkGateway(m.url, { username: 'rosehill', password: 'hq-password', kpis: false });
    sosCycle(g, ROSE); // five alert changes
    await eventually(async () => {
      await g.tick(500);
      const body = (await (await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`)).json()) as {
        warnings?: { warning: string; reason: string }[];
      };
      expect(body.warnings?.find((w) => w.warning === 'uplink')?.reason).toMatch(/Not authorized/);
    });
    expect(await g.metric('careedge_uplink_queue_messages')).toBe(5);
    expect(await g.metric('careedge_uplink_sent_total', { stream: 'alerts' })).toBe(0);
  });
});
