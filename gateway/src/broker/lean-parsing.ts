import type { Client } from 'aedes';
import mqttPacket from 'mqtt-packet';

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
 * mqtt-packet writes message ids from a table of 65,536 two-byte buffers made on first use: ~7 MB
 * of heap that every full collection marks, for a gateway whose budget at 5,000 bands is 200 MB.
 * Without it each PUBACK's id is a fresh 2-byte buffer that dies young.
 */
export function writeMessageIdsUncached(): void {
  mqttPacket.writeToStream.cacheNumbers = false;
}
