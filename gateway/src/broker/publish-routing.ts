import type { Aedes, Client, PublishPacket } from 'aedes';
import { holdPuback } from './lean-packets.js';

/**
 * Said by the gateway once it handled a bulk message: its PUBACK may go when `after` settles
 * (at once without one).
 */
export type BulkHandled = (after?: Promise<void>) => void;

/** How the broker's routing of client publishes is taken over (see takeOverRouting). */
export interface PublishRouting {
  /** Hands bulk device traffic (`bulkLeaves`) to `deliver` unrouted, from now on. */
  takeBulk(deliver: (topic: string, payload: Buffer, handled?: BulkHandled) => void): void;
  /** See LocalBus.holdBulkAcks. */
  holdBulkAcks(on: boolean): void;
  /**
   * Called as a client's publish is allowed: while holding, the PUBACK of a QoS 1 bulk publish
   * waits for the gateway's `handled` (and what it named to settle).
   */
  holdAckIfBulk(packet: PublishPacket, client: Client): void;
  /**
   * Called as a client's publish is let on. A written-ahead one is routed to its subscribers now,
   * and aedes' own routing of it, a turn later after the PUBACK, is then skipped, so it is
   * delivered once; unless an earlier publish of the same client still waits for aedes' routing,
   * which it must not overtake (a presence then a call is an emergency call; the other way round
   * it is a plain call that joins the carer's own alert).
   */
  pass(packet: PublishPacket, client: Client, writtenAhead: boolean): void;
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
 * - A journaled alarm is routed as soon as it is on the disk (pass), in the turn of its
 *   commit. aedes would route it only from an immediate set after writing the PUBACK, that is
 *   after the next turn's reading of every socket, which at 20,000 msg/s is the alarm waiting
 *   behind thousands of telemetry messages (DIN VDE 0834: calls have absolute priority).
 */
export function takeOverRouting(broker: Aedes, bulkLeaves: readonly string[]): PublishRouting {
  let bulk: ((topic: string, payload: Buffer, handled?: BulkHandled) => void) | undefined;
  const waiting = new WeakMap<PublishPacket, BulkHandled>();
  let holding = false;
  const leaves = new Set(bulkLeaves);
  const isBulk = (topic: string) => leaves.has(topic.slice(topic.lastIndexOf('/') + 1));
  const takenAsBulk = (packet: PublishPacket) => bulk !== undefined && !packet.retain && isBulk(packet.topic);
  const routedEarly = new WeakSet<PublishPacket>();
  /** Publishes let on but not yet routed by aedes, and how many of those each client has. */
  const awaiting = new WeakMap<PublishPacket, Client>();
  const unrouted = new WeakMap<Client, number>();
  const route = (broker.publish as Publish).bind(broker);
  (broker as unknown as { publish: Publish }).publish = (packet, client, done) => {
    const waiter = awaiting.get(packet);
    if (waiter) {
      awaiting.delete(packet);
      unrouted.set(waiter, unrouted.get(waiter)! - 1);
    }
    if (routedEarly.delete(packet)) return done?.();
    if (bulk && client && typeof client === 'object' && takenAsBulk(packet)) {
      const handled = waiting.get(packet);
      if (handled) waiting.delete(packet);
      bulk(packet.topic, packet.payload as Buffer, handled);
      return done?.();
    }
    return route(packet, client, done);
  };
  return {
    takeBulk: (deliver) => {
      bulk = deliver;
    },
    holdBulkAcks: (on) => {
      holding = on;
    },
    holdAckIfBulk: (packet, client) => {
      if (!holding || packet.qos !== 1 || !takenAsBulk(packet)) return;
      const handled = new Promise<void>((resolve) => {
        waiting.set(packet, (after) => {
          if (after === undefined) resolve();
          else void after.then(resolve, resolve);
        });
      });
      holdPuback(client.conn, packet.messageId!, handled);
    },
    pass: (packet, client, writtenAhead) => {
      // A client that is gone gets no PUBACK, and aedes then never routes what it sent: an alarm
      // on the disk goes on all the same (see write-ahead-gate.ts).
      if (writtenAhead && (!unrouted.get(client) || !client.connected)) {
        routedEarly.add(packet);
        route(packet, client, noop);
        return;
      }
      // Telemetry goes behind the turn's alarms anyway (bulk-queue.ts): an alarm may overtake it.
      if (takenAsBulk(packet)) return;
      awaiting.set(packet, client);
      unrouted.set(client, (unrouted.get(client) ?? 0) + 1);
    },
  };
}
