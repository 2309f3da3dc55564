import type { Client, PublishPacket } from 'aedes';
import type { Principal } from '../register/types.js';

/** See EmbeddedBrokerOptions.writeAhead. */
export type WriteAheadHook = (
  principal: Principal,
  topic: string,
  payload: Buffer,
) => Promise<void> | undefined;

/**
 * Lets an allowed publish go on once the write-ahead is done with it, telling `pass` (which
 * routes a written-ahead message at once, see publish-routing.ts). aedes handles all packets of one
 * socket read at once, so without the chain a `cancel` read together with a `call` could
 * overtake the call while it is being written, and withdraw nothing. Publishes of a client that
 * has nothing held (telemetry, nearly always) go on at once.
 */
export function writeAheadGate(
  writeAhead: WriteAheadHook | undefined,
  pass: (packet: PublishPacket, client: Client, writtenAhead: boolean) => void,
  /** See EmbeddedBrokerOptions.writeAheadDurable. */
  durable?: () => void,
) {
  /** Per client, the last publish still held: later ones wait for it, in order. */
  const held = new WeakMap<Client, Promise<void>>();
  return function passAfterWriteAhead(
    client: Client,
    principal: Principal,
    packet: PublishPacket,
    done: (err: Error | null) => void,
  ): void {
    let write: Promise<void> | undefined;
    try {
      write = writeAhead?.(principal, packet.topic, packet.payload as Buffer);
    } catch {
      write = undefined; // a failing write-ahead must not stop the message (see the option)
    }
    const earlier = held.get(client);
    if (!write && !earlier) {
      pass(packet, client, false);
      done(null);
      return;
    }
    const writtenAhead = write !== undefined;
    const mine = Promise.all([earlier, write])
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        // A written-ahead message is routed now also when the band is no longer connected: at QoS 1
        // aedes routes a message only once its PUBACK is written, so it would drop the alarm of a
        // band whose connection dropped meanwhile. It is on the disk, and left unhandled it would
        // come back as a stale alarm at the next restart. (The band sends it again after
        // reconnecting; ingest takes that for the retransmission it is.)
        pass(packet, client, writtenAhead);
        if (!writtenAhead || !durable) {
          done(null);
          return;
        }
        // The subscriber (ingest) gets the message a few microtasks on; the commit it makes (the
        // alert) usually syncs the write-ahead with it, so durable() looks only after that. The
        // client's later publishes wait until its PUBACK is out: PUBACKs go in the order of the
        // PUBLISHes [MQTT-4.6.0-2].
        return new Promise<void>((resolve) => {
          setImmediate(() => {
            try {
              durable();
            } catch {
              // Like a failing write-ahead: the message has gone on, and is acknowledged.
            }
            done(null);
            resolve();
          });
        });
      });
    held.set(client, mine);
    void mine.then(() => {
      if (held.get(client) === mine) held.delete(client);
    });
  };
}
