// The few MQTT 3.1.1 frames the lean load band writes and reads on its hot path, coded by hand:
// one buffer per PUBLISH and no parser objects per PUBACK, so 20,000 messages a second cost the
// generator little of the machine it shares with the gateway. Everything rare (CONNECT) goes
// through mqtt-packet.

/** Fixed-header packet types (MQTT 3.1.1 §2.2.1). */
export const PacketType = { connack: 2, publish: 3, puback: 4, pingresp: 13 } as const;

/** PINGREQ and DISCONNECT: two bytes each, never changing. */
export const PINGREQ = Buffer.from([0xc0, 0x00]);
export const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3), for a refusal a person can read. */
export const CONNACK_REFUSALS: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

/** A topic as it goes on the wire: two length bytes, then UTF-8. Made once per band and channel. */
export function topicBytes(topic: string): Buffer {
  const body = Buffer.from(topic, 'utf8');
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeUInt16BE(body.length, 0);
  body.copy(out, 2);
  return out;
}

/**
 * A QoS 1 PUBLISH in one buffer. `payload` must be ASCII (the load generator's JSON is), so its
 * length is its byte length. The DUP flag is set later on the same buffer by `markDuplicate`.
 */
export function publishFrame(topic: Buffer, payload: string, id: number, retain: boolean): Buffer {
  const remaining = topic.length + 2 + payload.length;
  const lenBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
  const frame = Buffer.allocUnsafe(1 + lenBytes + remaining);
  frame[0] = 0x32 | (retain ? 1 : 0);
  let at = 1;
  let rest = remaining;
  do {
    const digit = rest % 128;
    rest = Math.floor(rest / 128);
    frame[at++] = rest > 0 ? digit | 0x80 : digit;
  } while (rest > 0);
  topic.copy(frame, at);
  at += topic.length;
  frame[at++] = id >> 8;
  frame[at++] = id & 0xff;
  frame.write(payload, at, 'latin1');
  return frame;
}

/** Sets the DUP flag: this PUBLISH may have reached the broker before the connection was lost. */
export function markDuplicate(frame: Buffer): void {
  frame[0] = frame[0]! | 0x08;
}

export const isDuplicate = (frame: Buffer): boolean => (frame[0]! & 0x08) !== 0;

/**
 * Cuts the bytes read from a socket into MQTT frames, whatever the reads' boundaries: a frame
 * split across reads waits for its rest, several in one read come out one by one. `onFrame` gets
 * the first header byte and where the frame's body is; the body is only valid during the call.
 */
export class FrameReader {
  private held: Buffer | undefined;

  constructor(
    private readonly onFrame: (header: number, data: Buffer, start: number, length: number) => void,
    /** A frame announcing a longer body is an error, not something to buffer. */
    private readonly maxBodyBytes = 64 * 1024,
  ) {}

  /** Feeds one read. Returns an error message when the stream is not MQTT (then stop reading). */
  push(chunk: Buffer): string | undefined {
    const data = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = undefined;
    let at = 0;
    while (at < data.length) {
      // The remaining length: 1 to 4 bytes, 7 bits each, high bit meaning "more".
      let length = 0;
      let p = at + 1;
      let shift = 1;
      let complete = false;
      while (p < data.length) {
        const b = data[p++]!;
        length += (b & 0x7f) * shift;
        if ((b & 0x80) === 0) {
          complete = true;
          break;
        }
        shift *= 128;
        if (shift > 128 ** 3) return `malformed remaining length at byte ${at + 1} of a read`;
      }
      if (!complete) break;
      if (length > this.maxBodyBytes)
        return `a frame of type ${data[at]! >> 4} announces ${length} bytes (at most ${this.maxBodyBytes} expected)`;
      if (p + length > data.length) break;
      this.onFrame(data[at]!, data, p, length);
      at = p + length;
    }
    if (at < data.length) this.held = Buffer.from(data.subarray(at));
    return undefined;
  }
}
