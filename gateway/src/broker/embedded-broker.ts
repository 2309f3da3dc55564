import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { alarmDeviceOf } from '@careedge/edge';
import { Aedes, type AuthenticateError, type Client, type ConnectPacket, type PublishPacket } from 'aedes';
import type { LoginThrottle } from '../core/login-throttle.js';
import { GATEWAY_USERNAME } from '../register/site-file-checks.js';
import type { Principal } from '../register/types.js';
import { mayPublish, maySubscribe } from './acl.js';
import { ClientIdOwners } from './client-ids.js';
import { gateReads, parseLean, writePacketsLean } from './lean-packets.js';
import { guardPacketSize } from './packet-size-guard.js';
import { PublishRate } from './publish-rate.js';
import { type BulkHandled, takeOverRouting } from './publish-routing.js';
import { indexRetainedByTopic, type RetainedStore } from './retained-index.js';
import { type WriteAheadHook, writeAheadGate } from './write-ahead-gate.js';

/** Something the broker refused; reported to `onDenied`, never logged by the broker itself. */
export interface DeniedEvent {
  /**
   * `throttled`: refused unchecked during a lockout; `oversize`/`rate`: connection closed; `tls`: a
   * TLS handshake failed (plain MQTT on the TLS port, a client refusing the certificate).
   */
  kind: 'auth' | 'throttled' | 'publish' | 'subscribe' | 'oversize' | 'rate' | 'tls';
  /** The client's network address. */
  source?: string;
  clientId: string;
  username?: string;
  topic?: string;
  reason: string;
}

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port; read the chosen one from the result. */
  port: number;
  /**
   * MQTT over TLS beside the plain listener: the same broker behind both, so logins, ACLs, the
   * packet size guard, rates and the write-ahead are the same on both.
   */
  tls?: { host: string; port: number; key: string; cert: string };
  siteId: string;
  /** Device and handset logins (the site register). Never asked about `gateway`. */
  authenticate(username: string, password: string): Principal | undefined;
  /** Whether a device or staff login of this id exists (client ids are bound to logins). */
  isLogin(id: string): boolean;
  /** Slows down and locks out password guessing; none: no throttling. */
  loginThrottle?: LoginThrottle;
  /** Largest MQTT packet accepted; a bigger one closes the connection before it is buffered. */
  maxPacketBytes?: number;
  /**
   * Publishes per second per connection (token bucket); alarms are never refused by it, and a
   * handset above it is held back, not refused. `setTimer` (the gateway's clock) waits for that.
   */
  publishRate?: {
    perSecond: number;
    burst: number;
    now?: () => number;
    setTimer?: (fn: () => void, ms: number) => void;
  };
  /** Last topic levels of device traffic handed to LocalBus.takeBulk unrouted, once it is taken. */
  bulkLeaves?: readonly string[];
  /** The password of the gateway's own MQTT client, which logs in as username `gateway`. */
  gatewaySecret: string;
  onDenied?(event: DeniedEvent): void;
  /**
   * Runs for every publish the ACL allowed, before the broker acknowledges or forwards it: a
   * promise holds the PUBACK (and the message) until it settles, undefined lets it pass at once.
   * This is where alarms are made durable first; aedes writes a QoS 1 PUBACK right after
   * authorizePublish, before the message reaches any subscriber. A rejection is not a refusal:
   * the message still goes on.
   */
  writeAhead?: WriteAheadHook;
  /**
   * Called after a written-ahead publish was handed on and before its PUBACK: the write-ahead's
   * commit may leave the sync to the commit the message caused (see AlarmJournal.durable).
   */
  writeAheadDurable?(): void;
}

/**
 * The gateway's in-process door into the broker: it subscribes and publishes without a TCP
 * connection of its own, so 2,000 telemetry messages a second are not parsed and serialised a
 * second time on the way to the gateway, and alarms skip a loopback hop in both directions.
 */
export interface LocalBus {
  subscribe(filter: string, deliver: (topic: string, payload: Buffer) => void): Promise<void>;
  publish(topic: string, payload: Buffer, retain: boolean): Promise<void>;
  /**
   * Takes devices' bulk traffic (see `bulkLeaves`) straight from the broker, unrouted. Only the
   * gateway may subscribe to it (acl.ts), so routing each of thousands of messages a second
   * through the topic tree, twice at QoS 1, only found the gateway again: this hands them over
   * at a fraction of the cost, which is time the event loop then has for alarms.
   */
  takeBulk(deliver: (topic: string, payload: Buffer, handled?: BulkHandled) => void): void;
  /**
   * With `on`, the PUBACK of each QoS 1 bulk publish from now on waits until the gateway handled
   * it and said so through `handled` (what it became is durable); off, bulk is acknowledged as
   * soon as it is allowed. The message is taken at once either way.
   */
  holdBulkAcks(on: boolean): void;
}

export interface EmbeddedBroker {
  port: number;
  /** The MQTT-over-TLS port; undefined without `tls`. */
  tlsPort?: number;
  local: LocalBus;
  /** MQTT clients connected now (devices and handsets; the gateway's in-process link is not one). */
  clients(): number;
  close(): Promise<void>;
}

/** CONNACK return codes of MQTT 3.1.1 (§3.2.2.3, Table 3.1). */
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

const refusal = (returnCode: number, message: string): AuthenticateError =>
  Object.assign(new Error(message), { returnCode }) as AuthenticateError;

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest();

/**
 * Starts the site's MQTT broker (aedes over TCP) with the CareEdge access rules: every client
 * logs in (devices and handsets with their register secret, the gateway as `gateway`), and
 * publishes and subscriptions are checked against acl.ts. Refusals go to `onDenied`.
 *
 * How refusals look to a client (MQTT 3.1.1):
 * - CONNECT: CONNACK 0x05 without a username or with a will it may not publish, 0x04 for a wrong
 *   username or password, 0x02 for a client id that is not the login's own (`<login>` or `<login>-<suffix>`) or is held
 *   by another connection of a different login, 0x03 when the
 *   `authenticate` callback throws; then the broker closes the connection [MQTT-3.2.2-5].
 * - SUBSCRIBE: SUBACK return code 0x80 (Failure) for that filter [MQTT-3.8.4-5], the only failure
 *   code 3.1.1 has [MQTT-3.9.3-2]; the connection stays up and nothing is delivered on the filter.
 * - PUBLISH: MQTT 3.1.1 has no negative PUBACK, so a server must either acknowledge and drop or
 *   close the connection [MQTT-3.3.5-2]; aedes closes it (no PUBACK is sent) and the message goes
 *   nowhere. A misbehaving device is thus disconnected, which is visible, rather than silently
 *   ignored. An allowed publish is acknowledged once `writeAhead` is done with it (for alarms:
 *   once they are on the disk).
 */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { siteId } = opts;
  // An empty or short secret would let anyone log in as the gateway, which may do anything.
  if (opts.gatewaySecret.length < 16) throw new Error('gatewaySecret must be at least 16 characters');
  const principals = new WeakMap<Client, Principal>();
  const usernames = new WeakMap<Client, string>();
  const wills = new WeakMap<Client, NonNullable<ConnectPacket['will']>>();
  const clientIds = new ClientIdOwners(opts.isLogin);
  const gatewayDigest = sha256(opts.gatewaySecret);

  const report = (event: DeniedEvent) => {
    try {
      opts.onDenied?.(event);
    } catch {
      // A failing report must not take the broker, and with it every alarm, down.
    }
  };
  const clientIdOf = (client: Client | null) => client?.id ?? '';
  const sourceOf = (client: Client) =>
    (client.conn as { remoteAddress?: string } | undefined)?.remoteAddress ?? 'unknown';
  const rate = opts.publishRate
    ? new PublishRate(opts.publishRate.perSecond, opts.publishRate.burst, opts.publishRate.now)
    : undefined;
  const usernameOf = (client: Client | null) => (client ? usernames.get(client) : undefined);
  /** When each handset held back by the rate was last reported: once a minute at most. */
  const heldBackReported = new WeakMap<Client, number>();
  const rateNow = opts.publishRate?.now ?? (() => performance.now());
  const wait = opts.publishRate?.setTimer ?? ((fn: () => void, ms: number) => void setTimeout(fn, ms));

  writePacketsLean();
  const broker = await Aedes.createBroker({
    // A handset that stops reading must not stall deliveries to everyone else for a minute.
    drainTimeout: 15_000,
    connectTimeout: 10_000,
    // Protocol v1 topics have 5 or 6 levels; anything far deeper is refused before routing.
    maxTopicLevels: 16,

    preConnect(client, packet, done) {
      // Kept for authenticate, which does not see the CONNECT packet.
      if (packet.will) wills.set(client, packet.will);
      done(null, true);
    },

    authenticate(client, username, password, done) {
      const source = sourceOf(client);
      let delayMs = 0;
      // Held back for a source that keeps failing, so guessing gets slower and slower.
      const answer = (fn: () => void) => (delayMs > 0 ? setTimeout(fn, delayMs) : fn());
      const deny = (returnCode: number, reason: string, kind: DeniedEvent['kind'] = 'auth') => {
        report({ kind, clientId: client.id, source, ...(username ? { username } : {}), reason });
        answer(() => done(refusal(returnCode, reason), false));
      };
      if (!username) return deny(NOT_AUTHORIZED, 'no username: anonymous clients are not allowed');
      const verdict = opts.loginThrottle?.check(source, username);
      if (verdict && !verdict.allowed) {
        const wait = Math.ceil(verdict.retryInMs / 1000);
        return deny(NOT_AUTHORIZED, `${verdict.reason}: locked for ${wait} s`, 'throttled');
      }
      delayMs = verdict?.delayMs ?? 0;
      const secret = password ? Buffer.from(password).toString('utf8') : '';
      let principal: Principal | undefined;
      if (username === GATEWAY_USERNAME) {
        // Compare digests: equal lengths for timingSafeEqual, and no length leak.
        principal = timingSafeEqual(sha256(secret), gatewayDigest) ? { kind: 'gateway' } : undefined;
      } else {
        try {
          principal = opts.authenticate(username, secret);
        } catch (err) {
          return deny(SERVER_UNAVAILABLE, `login check failed: ${(err as Error).message}`);
        }
        // Only the gatewaySecret makes a gateway; the register may not hand that out.
        if (principal?.kind === 'gateway') principal = undefined;
      }
      if (!principal) {
        const failed = opts.loginThrottle?.failed(source, username);
        delayMs = failed?.delayMs ?? 0;
        if (failed?.lockedOut) {
          const tried = opts.loginThrottle!.loginsTriedFrom(source).join(', ');
          report({
            kind: 'throttled',
            clientId: client.id,
            source,
            username,
            reason: `failed logins (${tried}): locked out`,
          });
        }
        return deny(BAD_USERNAME_OR_PASSWORD, 'wrong username or password');
      }
      opts.loginThrottle?.succeeded(source, username);

      // The will is published by the broker on the client's behalf, so it must pass the same rule
      // as the client's own publishes; refusing it here tells the client at once. (aedes also runs
      // authorizePublish on the will when it fires, see authorizePublish below.)
      const will = wills.get(client);
      if (will) {
        const verdict = mayPublish(principal, will.topic, siteId, will.retain === true);
        if (!verdict.ok) return deny(NOT_AUTHORIZED, `last will on ${will.topic}: ${verdict.reason}`);
      }
      // [MQTT-3.1.3-9]: a refused client id is answered with CONNACK 0x02.
      const idRefused = clientIds.claim(client.id, principal, client, client.clean);
      if (idRefused) return deny(IDENTIFIER_REJECTED, idRefused);
      principals.set(client, principal);
      usernames.set(client, username);
      answer(() => done(null, true));
    },

    // Runs for each incoming PUBLISH and for the will when it is about to be published.
    authorizePublish(client, packet: PublishPacket, done) {
      const principal = client ? principals.get(client) : undefined;
      // A flood is refused (and the connection closed), except an alarm: that always goes through.
      // An alarm is neither refused nor charged: a burst of calls must not cost the carer's presence.
      if (client && rate && alarmDeviceOf(packet.topic, packet.payload) === undefined && !rate.take(client)) {
        const username = usernameOf(client);
        if (principal?.kind === 'staff') {
          // A carer's handset answers every dispatch; after a reconnect dozens are resent at once,
          // and each "received" must not cost her the connection (and the alerts she holds).
          // Held back instead: aedes reads no more from this client until `done`.
          const last = heldBackReported.get(client);
          if (last === undefined || rateNow() - last >= 60_000) {
            heldBackReported.set(client, rateNow());
            report({
              kind: 'rate',
              clientId: client.id,
              ...(username ? { username } : {}),
              topic: packet.topic,
              reason: `more than ${opts.publishRate!.perSecond} messages a second: held back`,
            });
          }
          const retry = () => broker.authorizePublish(client, packet, done);
          return wait(retry, Math.max(1, rate.waitMs(client)));
        }
        const reason = `more than ${opts.publishRate!.perSecond} messages a second`;
        report({
          kind: 'rate',
          clientId: client.id,
          ...(username ? { username } : {}),
          topic: packet.topic,
          reason,
        });
        return done(new Error(reason));
      }
      const verdict = principal
        ? mayPublish(principal, packet.topic, siteId, packet.retain)
        : // client is null for a will left behind by another broker instance: nobody to vouch for it.
          { ok: false as const, reason: 'no authenticated client' };
      if (verdict.ok) {
        routing.holdAckIfBulk(packet, client!);
        return passAfterWriteAhead(client!, principal!, packet, done);
      }
      const username = usernameOf(client);
      report({
        kind: 'publish',
        clientId: clientIdOf(client),
        ...(username ? { username } : {}),
        topic: packet.topic,
        reason: verdict.reason,
      });
      done(new Error(verdict.reason));
    },

    authorizeSubscribe(client, subscription, done) {
      const principal = principals.get(client);
      const verdict = principal
        ? maySubscribe(principal, subscription.topic, siteId)
        : { ok: false as const, reason: 'no authenticated client' };
      if (verdict.ok) return done(null, subscription);
      const username = usernameOf(client);
      report({
        kind: 'subscribe',
        clientId: client.id,
        ...(username ? { username } : {}),
        topic: subscription.topic,
        reason: verdict.reason,
      });
      // A null subscription makes aedes answer 0x80 (Failure) for this filter [MQTT-3.8.4-5].
      done(null, null);
    },

    // Last line of defence on the way out, e.g. for messages queued in a persistent session
    // before the client id changed hands: a client receives only what it may subscribe to.
    // The gateway, the receiver of almost all traffic, passes on the first comparison.
    authorizeForward(client, packet) {
      const principal = principals.get(client);
      if (principal?.kind === 'gateway') return packet;
      return principal && maySubscribe(principal, packet.topic, siteId).ok ? packet : null;
    },
  });

  indexRetainedByTopic((broker as unknown as { persistence: RetainedStore }).persistence);
  const routing = takeOverRouting(broker, opts.bulkLeaves ?? []);
  const passAfterWriteAhead = writeAheadGate(opts.writeAhead, routing.pass, opts.writeAheadDurable);
  broker.on('clientDisconnect', (client) => clientIds.release(client.id, client));

  // One door for both listeners: every connection gets the same guards.
  const accept = (socket: Socket) => {
    const client = broker.handle(socket);
    // The packet size is known to the lean parser too: above it, it leaves the packet to the guard.
    parseLean(client, opts.maxPacketBytes);
    gateReads(client);
    if (opts.maxPacketBytes) {
      guardPacketSize(client, opts.maxPacketBytes, (bytes) =>
        report({
          kind: 'oversize',
          clientId: client.id ?? '',
          source: socket.remoteAddress ?? 'unknown',
          reason: `a packet of ${bytes} bytes (at most ${opts.maxPacketBytes}): connection closed`,
        }),
      );
    }
  };
  // Alarms are small packets: without TCP_NODELAY a dispatch can wait ~40 ms for the peer's
  // delayed ACK (Nagle's algorithm), which doubled alarm latency in the benchmark.
  const servers: { server: Server; host: string; port: number }[] = [
    { server: createServer({ noDelay: true }, accept), host: opts.host, port: opts.port },
  ];
  if (opts.tls) {
    const { key, cert, host, port } = opts.tls;
    // A client that fails the handshake (plain MQTT on this port, a wrong certificate) never
    // reaches aedes; its socket is closed by node:tls.
    // A handshake gets as long as aedes gives a CONNECT (connectTimeout), not node's 120 s.
    const server = createTlsServer({ key, cert, noDelay: true, handshakeTimeout: 10_000 }, accept);
    server.on('tlsClientError', (err, socket) =>
      report({
        kind: 'tls',
        clientId: '',
        source: socket.remoteAddress ?? 'unknown',
        reason: `TLS handshake failed: ${err.message}`,
      }),
    );
    servers.push({ server, host, port });
  }
  try {
    for (const s of servers) await listen(s.server, s.port, s.host);
  } catch (err) {
    await Promise.all(servers.map((s) => closeServer(s.server)));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw err;
  }
  const [port, tlsPort] = servers.map((s) => portOf(s.server, s.port));

  const local: LocalBus = {
    takeBulk: routing.takeBulk,
    holdBulkAcks: routing.holdBulkAcks,
    subscribe: (filter, deliver) =>
      new Promise<void>((resolve) =>
        broker.subscribe(
          filter,
          (packet, done) => {
            try {
              deliver(packet.topic, packet.payload as Buffer);
            } finally {
              done();
            }
          },
          resolve,
        ),
      ),
    // Publishes from inside the broker skip authorizePublish: only the gateway holds this object.
    publish: (topic, payload, retain) =>
      new Promise<void>((resolve, reject) =>
        broker.publish(
          { cmd: 'publish', topic, payload, qos: 1, retain, dup: false } as PublishPacket,
          (err) => (err ? reject(err) : resolve()),
        ),
      ),
  };

  let closing: Promise<void> | undefined;
  return {
    port: port!,
    ...(tlsPort === undefined ? {} : { tlsPort }),
    local,
    clients: () => broker.connectedClients,
    close() {
      closing ??= Promise.all([
        // Stop accepting first; the servers' close completes once aedes has closed every client.
        ...servers.map((s) => closeServer(s.server)),
        new Promise<void>((resolve) => broker.close(() => resolve())),
      ]).then(() => undefined);
      return closing;
    },
  };
}

const listen = (server: Server, port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

const portOf = (server: Server, configured: number) => {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : configured;
};
