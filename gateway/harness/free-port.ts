import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';

/** A free TCP port on 127.0.0.1, found by binding port 0 and letting go of it again. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
