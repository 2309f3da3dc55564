import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually } from '../helpers/forwarding.js';
import { freePort } from '../helpers/gateway-process.js';
import { ROSE, sosCycle, uplinkGateway } from '../helpers/uplink.js';

/**
 * A head office broker that accepts the connection and answers its pings but leaves publishes
 * unacknowledged (a hung authorisation plugin, a broker stalled on its own disk), here until
 * `healthy` is set: what it swallowed is never PUBACKed, only a new connection sends it again.
 */
async function stallingBroker() {
  const state = { healthy: false, accepted: [] as string[] };
  const broker = await Aedes.createBroker({
    authorizePublish: (_client, packet, done) => {
      if (!state.healthy) return; // never answered: no PUBACK
      state.accepted.push(JSON.parse(packet.payload.toString()).id);
      done(null);
    },
  });
  const server: Server = createServer(broker.handle);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  onTestFinished(async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `mqtt://127.0.0.1:${port}`, state };
}

describe('found by probing: an upstream broker that never PUBACKs', { timeout: 60_000 }, () => {
  it('the unacknowledged messages are sent again on a new connection, and /healthz says so meanwhile', async () => {
    const office = await stallingBroker();
    const g = await uplinkGateway(office.url, { kpis: false });
    await eventually(async () => expect(await g.metric('careedge_uplink_connected')).toBe(1));
    sosCycle(g, ROSE);
    await eventually(async () => expect(await g.metric('careedge_uplink_queue_messages')).toBeGreaterThan(3));
    const queued = await g.metric('careedge_uplink_queue_messages');

    await g.tick(120_000); // two minutes without a single PUBACK
    await eventually(async () => {
      const body = (await (await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`)).json()) as {
        warnings?: { warning: string; reason: string }[];
      };
      expect(JSON.stringify(body.warnings)).toMatch(/PUBACK/);
    });

    office.state.healthy = true;
    await eventually(async () => {
      await g.tick(1_000);
      expect(await g.metric('careedge_uplink_queue_messages')).toBe(0);
    });
    expect(new Set(office.state.accepted).size).toBe(queued);
  });
});
