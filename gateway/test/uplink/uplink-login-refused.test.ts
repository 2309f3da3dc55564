import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/forwarding.js';
import { mosquittoForTest, ROSE, sosCycle, uplinkGateway } from '../helpers/uplink.js';

describe('uplink login refused by the head office broker', { timeout: 30_000 }, () => {
  it('keeps the alert changes queued and says on /healthz that the broker refused the login, not that it is unreachable', async () => {
    const m = await mosquittoForTest({ users: { rosehill: 'hq-password' } });
    const g = await uplinkGateway(m.url, { username: 'rosehill', password: 'not-the-password', kpis: false });
    sosCycle(g, ROSE); // five alert changes
    await eventually(async () => {
      await g.tick(500);
      const body = (await (await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`)).json()) as {
        warnings?: { warning: string; reason: string }[];
      };
      const reason = body.warnings?.find((w) => w.warning === 'uplink')?.reason;
      expect(reason).toMatch(
        /^no link to the head office broker \(.*(Not authorized|Bad username or password).*\); 5 messages queued$/,
      );
    });
    expect(await g.metric('careedge_uplink_sent_total', { stream: 'alerts' })).toBe(0);
  });
});
