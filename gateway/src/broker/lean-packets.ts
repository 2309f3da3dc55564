import type { Client } from 'aedes';
import mqttPacket from 'mqtt-packet';

const PUBACK = 0x40;
/** What mqtt-packet would write; anything else goes to it, to be refused as it refuses it. */
const isMessageId = (id: unknown): id is number =>
  Number.isInteger(id) && (id as number) >= 0 && (id as number) <= 0xffff;

/** What this needs of aedes's per-connection MQTT parser (mqtt-packet's Parser). */
interface ParserInternals {
  packet: object;
  error: Error | null;
  settings: { protocolVersion?: number };
  _stateCounter: number;
  _list: { length: number };
  parse(buf: Buffer): number;
  emit(event: 'packet', packet: object): boolean;
  _parseHeader(): boolean;
  _newPacket(): boolean;
}

/** The fields mqtt-packet gives a packet, in its order (its Packet class). */
interface ParsedPacket {
  cmd: string | null;
  retain: boolean;
  qos: number;
  dup: boolean;
  length: number;
  topic: string | null;
  payload: Buffer | null;
  messageId?: number;
}

/**
 * How the broker parses what devices send (per connection), for the garbage it leaves: at 20,000
 * messages a second every object a message makes is collected young, or worse, survives.
 *
 * - What a packet is parsed into dies young. mqtt-packet creates the object for a connection's
 *   *next* packet as soon as one is parsed; a band publishing once a second keeps it about a
 *   second, long enough for V8 to move it to the old generation, and the topic and payload parsed
 *   into it later are then promoted with it (full collections of up to ~25 ms at 5,000 bands).
 *   Here the parser waits on one shared idle packet, and a fresh one is made when the next
 *   packet's first byte is read; the idle packet is never written to.
 * - The packets devices send all day (PUBLISH at QoS 0 or 1, PUBACK, PINGREQ, MQTT 3.1.1), when
 *   a read holds them whole, are read straight from the socket's buffer into the objects
 *   mqtt-packet would make, field for field. mqtt-packet reads each field through a list of
 *   buffers that copies every integer it reads into a new buffer, and calls its debug logger ten
 *   times a packet, each call making an array even with logging off: about a third of what the
 *   broker allocated. Anything else, or anything unusual (a packet cut by the read, a length that
 *   does not add up, MQTT 5), is handed to mqtt-packet from that byte on, as before.
 */
export function parseLean(client: Client, maxBytes = Number.POSITIVE_INFINITY): void {
  const parser = (client as unknown as { _parser: ParserInternals })._parser;
  const Packet = parser.packet.constructor as new () => ParsedPacket;
  const idle = new Packet();
  const parseHeader = parser._parseHeader.bind(parser);
  const newPacket = parser._newPacket.bind(parser);
  const parse = parser.parse.bind(parser);
  parser._parseHeader = () => {
    parser.packet = new Packet();
    return parseHeader();
  };
  parser._newPacket = () => {
    const done = newPacket();
    parser.packet = idle;
    return done;
  };
  parser.parse = (buf: Buffer) => {
    // Only between packets, with nothing left over from an earlier read and no error to reset.
    if (parser.error || parser._stateCounter !== 0 || parser._list.length !== 0) return parse(buf);
    let at = 0;
    while (at < buf.length) {
      const next = readCommon(buf, at, Packet, parser.settings.protocolVersion === 5, maxBytes);
      if (next === undefined) return parse(at === 0 ? buf : buf.subarray(at));
      at = next.end;
      parser.emit('packet', next.packet);
    }
    return 0;
  };
}

/**
 * The PUBLISH (QoS 0 or 1), PUBACK or PINGREQ that starts at `at`, if it is one, whole and
 * well-formed, as mqtt-packet would parse it; undefined for anything else, and for a packet
 * longer than `maxBytes`: mqtt-packet's length step is where packet-size-guard.ts refuses it.
 */
function readCommon(
  buf: Buffer,
  at: number,
  Packet: new () => ParsedPacket,
  v5: boolean,
  maxBytes: number,
): { packet: ParsedPacket; end: number } | undefined {
  const first = buf[at]!;
  const type = first >> 4;
  const flags = first & 0x0f;
  // Remaining length: a variable byte integer of at most 4 bytes.
  let length = 0;
  let mul = 1;
  let pos = at + 1;
  for (let i = 0; ; i++) {
    if (i === 4 || pos >= buf.length) return undefined;
    const b = buf[pos++]!;
    length += (b & 0x7f) * mul;
    mul *= 0x80;
    if ((b & 0x80) === 0) break;
  }
  const end = pos + length;
  if (end > buf.length || length > maxBytes) return undefined;
  if (type === 3) {
    const qos = (flags >> 1) & 3;
    if (qos > 1 || v5 || length < 2) return undefined;
    const topicEnd = pos + 2 + buf.readUInt16BE(pos);
    const idEnd = topicEnd + (qos === 1 ? 2 : 0);
    if (idEnd > end) return undefined;
    const packet = new Packet();
    packet.cmd = 'publish';
    packet.retain = (flags & 1) !== 0;
    packet.qos = qos;
    packet.dup = (flags & 8) !== 0;
    packet.length = length;
    packet.topic = buf.toString('utf8', pos + 2, topicEnd);
    if (qos === 1) packet.messageId = buf.readUInt16BE(topicEnd);
    packet.payload = buf.subarray(idEnd, end);
    return { packet, end };
  }
  if (type === 4 && flags === 0 && length === 2 && !v5) {
    const packet = new Packet();
    packet.cmd = 'puback';
    packet.length = length;
    packet.messageId = buf.readUInt16BE(pos);
    return { packet, end };
  }
  if (type === 12 && flags === 0 && length === 0) {
    const packet = new Packet();
    packet.cmd = 'pingreq';
    packet.length = 0;
    return { packet, end };
  }
  return undefined;
}

/**
 * A connection with this many PUBACKs held (its telemetry waiting for the outbox file) is not
 * read until half of them have left. A band waits for its PUBACKs anyway (its in-flight window,
 * typically 10–20 at QoS 1); one that sends on regardless, or a flood, would otherwise pile up
 * unstored points in this process's memory without bound (1.3 GB at 40,000 msg/s with the
 * outbox behind). Unread, its bytes stay in the kernel and TCP slows the sender down.
 */
export const MAX_HELD_PUBACKS = 100;

/** Stops and restarts reading from a connection (see MAX_HELD_PUBACKS). */
const GATE = Symbol('careedge.readGate');
interface ReadGate {
  closed: boolean;
  open(): void;
}
type GatedSocket = { read(size?: number): unknown; [GATE]?: ReadGate };
/** What this needs of an aedes client's batch reading (client.js: nextBatch). */
interface BatchInternals {
  conn: GatedSocket;
  _parsingBatch: number;
  _nextBatch(): void;
}

/**
 * aedes reads a connection with `conn.read()` once the packets of the last read are handled.
 * While the gate is closed that read finds nothing (the stream keeps its bytes, and stops taking
 * more from the kernel once full); opening it reads on, unless a batch is still being handled,
 * whose end reads next anyway. (aedes's own client.pause() loses the count of packets in a batch
 * handled while paused, and then never reads the connection again.)
 */
export function gateReads(client: Client): void {
  const c = client as unknown as BatchInternals;
  const conn = c.conn;
  const read = conn.read.bind(conn);
  const gate: ReadGate = {
    closed: false,
    open: () => {
      gate.closed = false;
      // In a turn of its own, not inside the release of somebody's PUBACKs.
      setImmediate(() => {
        if (!gate.closed && c._parsingBatch <= 0) c._nextBatch();
      });
    },
  };
  conn.read = (size?: number) => (gate.closed ? null : read(size));
  conn[GATE] = gate;
}

/** A connection's PUBACKs not yet written: their message ids, in the order they were made. */
const PENDING = Symbol('careedge.pendingPubacks');
/** PUBACKs a connection's publishes must wait for, by message id (see holdPuback). */
const HOLDS = Symbol('careedge.pubackHolds');
/** A connection's PUBACKs made while one before them was held: in order, each ready or not. */
const QUEUED = Symbol('careedge.queuedPubacks');
interface Queued {
  id: number;
  ready: boolean;
}
/** A write of the connection's pending PUBACKs is due at the next tick. */
const DUE = Symbol('careedge.pubackWriteDue');
type PubackSocket = NodeJS.WritableStream & {
  destroyed?: boolean;
  writableNeedDrain?: boolean;
  [PENDING]?: number[];
  [DUE]?: boolean;
  [HOLDS]?: Map<number, Promise<void>>;
  [QUEUED]?: Queued[];
};

/**
 * The PUBACK of the publish with `messageId` on this connection is written only once `until`
 * settles, and the connection's later PUBACKs wait behind it: a server sends PUBACKs in the order
 * of the PUBLISHes [MQTT-4.6.0-2]. The message itself is handled at once; only its
 * acknowledgement waits (until what it became is on the disk, see Forwarding). Call it before
 * aedes writes the PUBACK, that is from authorizePublish.
 */
export function holdPuback(socket: NodeJS.WritableStream, messageId: number, until: Promise<void>): void {
  const s = socket as PubackSocket;
  let holds = s[HOLDS];
  if (!holds) {
    holds = new Map();
    s[HOLDS] = holds;
  }
  holds.set(messageId, until);
}

/** Queues a PUBACK behind held ones; false when nothing is held on this connection. */
function queuePuback(socket: PubackSocket, id: number): boolean {
  const until = socket[HOLDS]?.get(id);
  const queued = socket[QUEUED];
  if (until === undefined && !queued?.length) return false;
  if (until !== undefined) socket[HOLDS]!.delete(id);
  const entry: Queued = { id, ready: until === undefined };
  if (queued) queued.push(entry);
  else socket[QUEUED] = [entry];
  const gate = (socket as unknown as GatedSocket)[GATE];
  if (gate && socket[QUEUED]!.length >= MAX_HELD_PUBACKS) gate.closed = true;
  const release = () => {
    entry.ready = true;
    releasePubacks(socket);
  };
  until?.then(release, release);
  return true;
}

/** Moves the ready PUBACKs at the head of the queue to the paced writer. */
function releasePubacks(socket: PubackSocket): void {
  const queued = socket[QUEUED];
  if (!queued) return;
  let n = 0;
  while (n < queued.length && queued[n]!.ready) n++;
  if (n === 0) return;
  const pending = socket[PENDING] ?? [];
  socket[PENDING] = pending;
  for (const { id } of queued.splice(0, n)) pending.push(id);
  pace(socket);
  const gate = (socket as unknown as GatedSocket)[GATE];
  if (gate?.closed && queued.length <= MAX_HELD_PUBACKS / 2) gate.open();
}

/** Adds a PUBACK to the connection's next write (one buffer, next tick). */
function pendPuback(socket: PubackSocket, id: number): void {
  const pending = socket[PENDING];
  if (pending) pending.push(id);
  else socket[PENDING] = [id];
  if (socket[DUE]) return;
  socket[DUE] = true;
  process.nextTick(writePubacks, socket);
}

/**
 * Connections whose released PUBACKs wait for the paced writer. A hand-over to the outbox
 * releases the held PUBACKs of thousands of connections at once (every telemetry message of the
 * last 50–100 ms at 20,000 a second); a write each in one go held the event loop for 100–130 ms,
 * and an SOS read meanwhile waited. The paced writer writes for at most SLICE_MS a turn and lets
 * the loop read sockets in between. A connection that waits longer gets more PUBACKs in its one
 * write, so under load the writes get fewer rather than later (a write costs about 25 µs: the
 * kernel delivers to the reader on loopback and Wi-Fi alike).
 */
const paced = new Set<PubackSocket>();
let pacing = false;
const SLICE_MS = 2;

function pace(socket: PubackSocket): void {
  paced.add(socket);
  if (pacing) return;
  pacing = true;
  setImmediate(writePaced);
}

function writePaced(): void {
  const start = performance.now();
  let n = 0;
  for (const socket of paced) {
    paced.delete(socket);
    writePubacks(socket);
    if (++n % 16 === 0 && performance.now() - start > SLICE_MS) break;
  }
  if (paced.size > 0) setImmediate(writePaced);
  else pacing = false;
}

/** Writes a connection's pending PUBACKs as one buffer, one write. */
function writePubacks(socket: PubackSocket): void {
  const ids = socket[PENDING];
  socket[PENDING] = undefined;
  socket[DUE] = false;
  if (!ids || socket.destroyed) return;
  const out = Buffer.allocUnsafe(ids.length * 4);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    out[i * 4] = PUBACK;
    out[i * 4 + 1] = 2;
    out[i * 4 + 2] = id >> 8;
    out[i * 4 + 3] = id & 0xff;
  }
  socket.write(out);
}

/**
 * How the broker writes packets (process-wide: mqtt-packet is one module).
 *
 * - Message ids without mqtt-packet's table of 65,536 two-byte buffers made on first use: ~7 MB
 *   of heap that every full collection marks, in a budget of 200 MB at 5,000 bands.
 * - QoS 1 PUBACKs (MQTT 3.1.1, or 5 with no reason code: what aedes sends) are collected per
 *   connection until the next tick and written as one buffer: the PUBACKs of every message read
 *   from a connection in one go leave in one write, in order, with no stream bookkeeping per
 *   PUBACK (20,000 a second at 5,000 bands × 4 Hz). Any other packet is written by mqtt-packet
 *   as before, after the connection's pending PUBACKs, so nothing is reordered.
 */
export function writePacketsLean(): void {
  mqttPacket.writeToStream.cacheNumbers = false;
  const writeToStream = mqttPacket.writeToStream;
  if ((writeToStream as { wholePubacks?: true }).wholePubacks) return;
  const whole = Object.assign(
    (packet: mqttPacket.Packet, stream: NodeJS.WritableStream, opts?: object) => {
      const socket = stream as PubackSocket;
      const p = packet as { cmd: string; messageId?: number; reasonCode?: unknown; properties?: unknown };
      const onlyId = p.cmd === 'puback' && p.reasonCode === undefined && p.properties === undefined;
      if (!onlyId || !isMessageId(p.messageId) || opts) {
        if (socket[PENDING]) writePubacks(socket);
        return writeToStream(packet, stream, opts);
      }
      if (!queuePuback(socket, p.messageId)) pendPuback(socket, p.messageId);
      return socket.writableNeedDrain !== true;
    },
    { wholePubacks: true as const, cacheNumbers: false },
  );
  (mqttPacket as { writeToStream: typeof writeToStream }).writeToStream = whole as typeof writeToStream;
}
