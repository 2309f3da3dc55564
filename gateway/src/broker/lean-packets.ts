import type { Client } from 'aedes';
import mqttPacket from 'mqtt-packet';

const PUBACK = 0x40;
const uncork = (s: { uncork(): void }) => s.uncork();
/** What mqtt-packet would write; anything else goes to it, to be refused as it refuses it. */
const isMessageId = (id: unknown): id is number =>
  Number.isInteger(id) && (id as number) >= 0 && (id as number) <= 0xffff;

/** What this needs of aedes's per-connection MQTT parser (mqtt-packet's Parser). */
interface ParserInternals {
  packet: object;
  _parseHeader(): boolean;
  _newPacket(): boolean;
}

/**
 * Lets what a packet is parsed into die young. mqtt-packet creates the object for a connection's
 * *next* packet as soon as one is parsed; a band publishing once a second keeps it about a second,
 * long enough for V8 to move it to the old generation. The topic, payload and properties parsed
 * into it later are then held by an old object, so they are promoted too: at 5,000 bands nearly
 * every telemetry message became old-generation garbage, and the full collections that cleared
 * it paused the event loop for up to ~25 ms (an alarm waits behind every pause). Here the parser
 * waits on one shared idle packet, and a fresh one is made when the next packet's first byte is
 * read; the idle packet is never written to (`_parseHeader` is the first step that writes).
 */
export function keepPacketsYoung(client: Client): void {
  const parser = (client as unknown as { _parser: ParserInternals })._parser;
  const Packet = parser.packet.constructor as new () => object;
  const idle = new Packet();
  const parseHeader = parser._parseHeader.bind(parser);
  const newPacket = parser._newPacket.bind(parser);
  parser._parseHeader = () => {
    parser.packet = new Packet();
    return parseHeader();
  };
  parser._newPacket = () => {
    const done = newPacket();
    parser.packet = idle;
    return done;
  };
}

/**
 * How the broker writes packets (process-wide: mqtt-packet is one module).
 *
 * - Message ids without mqtt-packet's table of 65,536 two-byte buffers made on first use: ~7 MB
 *   of heap that every full collection marks, in a budget of 200 MB at 5,000 bands.
 * - A QoS 1 PUBACK (MQTT 3.1.1, or 5 with no reason code: what aedes sends) as one 4-byte buffer
 *   instead of mqtt-packet's three (header, length, id) and their encoders, 20,000 a second at
 *   5,000 bands × 4 Hz. Any other packet is written by mqtt-packet as before.
 */
export function writePacketsLean(): void {
  mqttPacket.writeToStream.cacheNumbers = false;
  const writeToStream = mqttPacket.writeToStream;
  if ((writeToStream as { wholePubacks?: true }).wholePubacks) return;
  const whole = Object.assign(
    (packet: mqttPacket.Packet, stream: NodeJS.WritableStream, opts?: object) => {
      const { cmd, messageId } = packet as { cmd: string; messageId?: number };
      const oneBuffer =
        cmd === 'puback' && isMessageId(messageId) && Object.keys(packet).length === 2 && !opts;
      if (!oneBuffer) return writeToStream(packet, stream, opts);
      // Corked to the next tick as mqtt-packet does: the PUBACKs of every message read from a
      // connection in one go leave in one write (one syscall, the costly part at 20,000 msg/s).
      const socket = stream as NodeJS.WritableStream & { cork(): void; uncork(): void };
      socket.cork();
      const ok = socket.write(Buffer.from([PUBACK, 2, messageId >> 8, messageId & 0xff]));
      process.nextTick(uncork, socket);
      return ok;
    },
    { wholePubacks: true as const, cacheNumbers: false },
  );
  (mqttPacket as { writeToStream: typeof writeToStream }).writeToStream = whole as typeof writeToStream;
}
