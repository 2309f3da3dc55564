import type { Aedes, Client, PublishPacket } from 'aedes';

/** How the broker's routing of client publishes is taken over (see takeOverRouting). */
export interface PublishRouting {
  /** Hands bulk device traffic (`bulkLeaves`) to `deliver` unrouted, from now on. */
  takeBulk(deliver: (topic: string, payload: Buffer) => void): void;
  /**
   * Routes a client's publish to its subscribers now; aedes' own routing of it, a turn later
   * after the PUBACK, is then skipped, so it is delivered once.
   */
  routeNow(packet: PublishPacket, client: Client): void;
}

// aedes calls broker.publish(packet, client, done) for a client's publish; its typings only show
// the (packet, done) form used by the application.
type Publish = (packet: PublishPacket, client?: unknown, done?: (err?: Error) => void) => void;

const noop = () => {};

/**
 * Wraps the broker's publish, which aedes calls for every client publish once it is allowed and
 * acknowledged, for two shortcuts of the gateway's:
 *
 * - Bulk device traffic skips routing once the gateway takes it (LocalBus.takeBulk). What is
 *   taken was allowed: the ACL lets only a device publish on its own telemetry topic, never
 *   retained.
 * - A journaled alarm is routed as soon as it is on the disk (routeNow), in the turn of its
 *   commit. aedes would route it only from an immediate set after writing the PUBACK, that is
 *   after the next turn's reading of every socket, which at 20,000 msg/s is the alarm waiting
 *   behind thousands of telemetry messages (DIN VDE 0834: calls have absolute priority).
 */
export function takeOverRouting(broker: Aedes, bulkLeaves: readonly string[]): PublishRouting {
  let bulk: ((topic: string, payload: Buffer) => void) | undefined;
  const leaves = new Set(bulkLeaves);
  const isBulk = (topic: string) => leaves.has(topic.slice(topic.lastIndexOf('/') + 1));
  const routedEarly = new WeakSet<PublishPacket>();
  const route = (broker.publish as Publish).bind(broker);
  (broker as unknown as { publish: Publish }).publish = (packet, client, done) => {
    if (routedEarly.delete(packet)) return done?.();
    if (bulk && client && typeof client === 'object' && !packet.retain && isBulk(packet.topic)) {
      bulk(packet.topic, packet.payload as Buffer);
      return done?.();
    }
    return route(packet, client, done);
  };
  return {
    takeBulk: (deliver) => {
      bulk = deliver;
    },
    routeNow: (packet, client) => {
      routedEarly.add(packet);
      route(packet, client, noop);
    },
  };
}
