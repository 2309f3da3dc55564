import type { Client } from 'aedes';

/** What the guard needs of aedes's per-connection MQTT parser (mqtt-packet's Parser). */
interface ParserInternals {
  packet: { length: number };
  _list: { length: number; consume(bytes: number): void };
  _parseLength(): boolean;
}

/**
 * Closes a connection as soon as a packet's fixed header announces more than `maxBytes`, before
 * its body is buffered: aedes would otherwise keep the whole packet in memory until it is
 * complete (a 200 MB publish took a Pi-sized gateway from 156 MB to 778 MB). MQTT 3.1.1 has no
 * error code for this, and [MQTT-4.8.0-1] lets a server close the connection on a protocol
 * violation. This wraps mqtt-packet's length step, the one place the length is known early.
 */
export function guardPacketSize(client: Client, maxBytes: number, onTooLarge: (bytes: number) => void): void {
  const parser = (client as unknown as { _parser: ParserInternals })._parser;
  const parseLength = parser._parseLength.bind(parser);
  let refused = false;
  parser._parseLength = () => {
    if (refused) return false;
    const done = parseLength();
    if (done && parser.packet.length > maxBytes) {
      refused = true;
      const bytes = parser.packet.length;
      parser._list.consume(parser._list.length);
      client.conn.destroy();
      onTooLarge(bytes);
      return false;
    }
    return done;
  };
}
