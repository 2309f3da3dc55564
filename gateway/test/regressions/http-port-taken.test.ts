import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HTTP_LISTEN_RETRY_MS } from '../../src/api/listen.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

const occupy = () =>
  new Promise<Server>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
const portOf = (s: Server) => (s.address() as { port: number }).port;

describe('found by probing: the HTTP port taken by another program stops every alarm', () => {
  let g: TestGateway | undefined;
  let blocker: Server | undefined;
  afterEach(async () => {
    await g?.stop();
    g = undefined;
    await new Promise((r) => (blocker?.listening ? blocker.close(r) : r(undefined)));
  });

  /**
   * The HTTP API (read-only: health, metrics, alert history) was started last and its listen()
   * failing made the whole start-up fail. With port 8080 taken (a second web tool on the Pi, an
   * old gateway still shutting down) or the configured address not there yet (DHCP at boot),
   * systemd restarts the gateway every two seconds for as long as that lasts, and in that time no
   * wristband alarm reaches any carer. The alarm path must not depend on the read-only API: it
   * starts without it, says so in the log, and the API listens as soon as it can.
   */
  it('starts anyway, the SOS reaches the carer, and the API listens once the port is free', async () => {
    blocker = await occupy();
    const port = portOf(blocker);
    g = await testGateway({ http: { host: '127.0.0.1', port } });
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    await alice.next(onTopic('dispatch', { type: 'alert', reason: 'new' }));

    await new Promise((r) => blocker!.close(r));
    await g.tick(HTTP_LISTEN_RETRY_MS);
    await g.settled();
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', openAlerts: 1 });
  });

  it('stops cleanly while the port is still taken, and tries no more', async () => {
    blocker = await occupy();
    const port = portOf(blocker);
    const stopping = await testGateway({ http: { host: '127.0.0.1', port } });
    await expect(stopping.stop()).resolves.toBeUndefined();
    await new Promise((r) => blocker!.close(r));
    await stopping.tick(HTTP_LISTEN_RETRY_MS);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
