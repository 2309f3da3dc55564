import type { TSchema } from '@sinclair/typebox';
import { channels } from '../protocol/channels.js';
import { IdPattern } from '../protocol/common.js';
import { ALARM_EVENT_TYPES } from '../protocol/device-messages.js';
import { messageExamples } from '../protocol/examples.js';
import { FRAME_REJECTIONS, frameBytes, MIN_FRAME_BYTES } from './codec.js';
import {
  FRAME_CHANNELS,
  FRAME_TYPE_NAMES,
  FRAME_TYPES,
  type FrameTypeName,
  HELLO_AGAIN_AFTER_RETRANSMISSIONS,
  isMessageFrame,
  LINK_PAYLOADS,
  MAX_FRAME_BYTES,
  SERIAL_PROTOCOL_VERSION,
  type SerialFrame,
} from './frames.js';
import { SLIP, slipEncode } from './slip.js';

/** The frame the worked example takes apart: the SOS of wire-protocol.md, from wristband wb-1. */
export const EXAMPLE_FRAME: SerialFrame = {
  type: 'event',
  deviceId: 'wb-1',
  linkSeq: 7,
  payload: messageExamples.SosEvent,
};

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
const byte = (n: number): string => `0x${n.toString(16).padStart(2, '0').toUpperCase()}`;

/** The heading in docs/wire-protocol.md that documents a schema; its GitHub anchor is tested. */
export const wireProtocolSection = (schema: TSchema): string =>
  schema.$id === 'DeviceEvent' ? 'Device events' : schema.$id!;
export const anchorOf = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');

function direction(type: FrameTypeName): string {
  if (type === 'hello') return 'base station → gateway';
  if (!isMessageFrame(type)) return 'both ways';
  return channels[FRAME_CHANNELS[type]].direction === 'up' ? 'device → gateway' : 'gateway → device';
}

function payloadOf(type: FrameTypeName): string {
  if (!isMessageFrame(type)) return `${LINK_PAYLOADS[type].$id} (below)`;
  const channel = FRAME_CHANNELS[type];
  const section = wireProtocolSection(channels[channel].schema);
  return `\`${channel}\`: [${section}](wire-protocol.md#${anchorOf(section)})`;
}

function propertyRows(schema: TSchema): string[] {
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  const props = Object.entries((schema.properties ?? {}) as Record<string, TSchema>);
  if (props.length === 0) return ['An empty map (`A0`).'];
  return [
    '| Key | Type | Required | Meaning |',
    '| --- | --- | --- | --- |',
    ...props.map(([key, p]) => {
      const limits = [
        p.minLength !== undefined ? `min ${p.minLength}` : '',
        p.maxLength !== undefined ? `max ${p.maxLength}` : '',
      ].filter(Boolean);
      const type = `text${limits.length ? ` (${limits.join(', ')})` : ''}`;
      return `| \`${key}\` | ${type} | ${required.has(key) ? 'yes' : 'no'} | ${p.description ?? ''} |`;
    }),
  ];
}

function workedExample(): string[] {
  const raw = frameBytes(EXAMPLE_FRAME);
  const idEnd = 3 + EXAMPLE_FRAME.deviceId.length;
  const payloadEnd = raw.length - 2;
  const parts: [string, Uint8Array, string][] = [
    ['version', raw.subarray(0, 1), `${SERIAL_PROTOCOL_VERSION}`],
    ['type', raw.subarray(1, 2), `\`${EXAMPLE_FRAME.type}\``],
    ['idLen', raw.subarray(2, 3), `${EXAMPLE_FRAME.deviceId.length}`],
    ['deviceId', raw.subarray(3, idEnd), `\`"${EXAMPLE_FRAME.deviceId}"\``],
    ['linkSeq', raw.subarray(idEnd, idEnd + 4), `${EXAMPLE_FRAME.linkSeq}`],
    ['payload', raw.subarray(idEnd + 4, payloadEnd), `CBOR \`${JSON.stringify(EXAMPLE_FRAME.payload)}\``],
    ['CRC', raw.subarray(payloadEnd), `CRC-16/CCITT-FALSE of the ${payloadEnd} bytes above`],
  ];
  const escaped: SerialFrame = { type: 'ack', deviceId: 'wb-1', linkSeq: 0xc0db, payload: {} };
  return [
    `The SOS of [wire-protocol.md](wire-protocol.md#device-events) from wristband \`${EXAMPLE_FRAME.deviceId}\`, link sequence ${EXAMPLE_FRAME.linkSeq}: ${raw.length} bytes.`,
    '',
    '| Field | Bytes (hex) | Value |',
    '| --- | --- | --- |',
    ...parts.map(([field, bytes, value]) => `| ${field} | \`${hex(bytes)}\` | ${value} |`),
    '',
    'On the line, with END before and after (nothing in it needs escaping):',
    '',
    '```text',
    hex(slipEncode(raw)),
    '```',
    '',
    `An \`ack\` for linkSeq 0x${escaped.linkSeq.toString(16).toUpperCase()} from \`wb-1\` shows the escapes: its linkSeq bytes \`c0 db\` travel as \`db dc db dd\`.`,
    '',
    '```text',
    `frame: ${hex(frameBytes(escaped))}`,
    `line:  ${hex(slipEncode(frameBytes(escaped)))}`,
    '```',
  ];
}

/** docs/serial-protocol.md, rendered from the definitions in this folder (`npm run docs:serial`). */
export function renderSerialProtocolDoc(): string {
  const lines = [
    `# CareEdge serial link protocol v${SERIAL_PROTOCOL_VERSION}`,
    '',
    '<!-- Generated from edge/src/serial by `npm run docs:serial`; do not edit by hand. -->',
    '',
    'How a radio base station (relaying wristbands and kiosks) or a wired kiosk talks to the',
    'gateway over a serial line (USB serial, RS-232/485). Every device message is the JSON payload',
    'of [wire protocol v1](wire-protocol.md) encoded as CBOR, inside a small frame with a checksum;',
    'the gateway hands it to the same ingest as an MQTT message, so validation, de-duplication and',
    'alarms work exactly as on MQTT. The definitions are in `edge/src/serial/` (`@careedge/edge`):',
    '`encodeFrame`, `FrameDecoder`, `FRAME_TYPES`, `FRAME_CHANNELS`.',
    '',
    '## Framing: SLIP (RFC 1055)',
    '',
    '| Byte | Name | Meaning |',
    '| --- | --- | --- |',
    `| \`${byte(SLIP.END)}\` | END | Ends a packet. Sent before **and** after every frame. |`,
    `| \`${byte(SLIP.ESC)}\` | ESC | Starts an escape. |`,
    `| \`${byte(SLIP.ESC)} ${byte(SLIP.ESC_END)}\` | ESC ESC_END | A data byte ${byte(SLIP.END)}. |`,
    `| \`${byte(SLIP.ESC)} ${byte(SLIP.ESC_ESC)}\` | ESC ESC_ESC | A data byte ${byte(SLIP.ESC)}. |`,
    '',
    '- The END before a frame closes whatever noise came before it, so noise becomes a packet of',
    '  its own (rejected) and never the start of a good frame.',
    '- An END always ends a packet, even right after an ESC (that packet is `malformed`). ESC',
    `  followed by anything but ${byte(SLIP.ESC_END)} or ${byte(SLIP.ESC_ESC)} makes the packet \`malformed\`.`,
    '- An empty packet (END END) is nothing: it is how frames sit back to back.',
    `- A frame is at most **${MAX_FRAME_BYTES} bytes before escaping** (so at most ${2 * MAX_FRAME_BYTES + 2}`,
    '  on the line). A receiver keeps no more than that: a longer packet is `oversize`, reported',
    '  when it crosses the limit, and skipped up to the next END.',
    '',
    '## Frame layout (before SLIP)',
    '',
    '| Offset | Size | Field | Meaning |',
    '| --- | --- | --- | --- |',
    `| 0 | 1 | version | \`${SERIAL_PROTOCOL_VERSION}\` |`,
    '| 1 | 1 | type | Frame type byte (table below). |',
    '| 2 | 1 | idLen | Length of deviceId, 1 to 64. |',
    `| 3 | idLen | deviceId | ASCII, \`${IdPattern}\`: the base station in a hello, otherwise the device the message is from or for; an ack or nack repeats the deviceId of the frame it answers. |`,
    "| 3 + idLen | 4 | linkSeq | Unsigned 32-bit, big-endian: the sender's link sequence number; an ack or nack repeats the linkSeq of the frame it answers. |",
    '| 7 + idLen | n | payload | One CBOR map (RFC 8949) of JSON values: text keys; text, numbers, true/false, null, arrays and maps. Send no tags, byte strings, `undefined`, NaN or infinities, and integers within ±2^53: the gateway reads such a value as null, so the message fails its schema (an SOS, fall or call in it is still raised). Any CBOR length encoding is read (64-bit integers, indefinite lengths). |',
    '| end − 2 | 2 | CRC | CRC-16/CCITT-FALSE, big-endian, over every byte before it (version … payload). |',
    '',
    `The shortest frame is ${MIN_FRAME_BYTES} bytes (a one-character id and an empty map).`,
    '',
    '## CRC',
    '',
    'CRC-16/CCITT-FALSE: polynomial `0x1021`, initial value `0xFFFF`, no reflection, no final XOR.',
    'Check value: `0x29B1` for the ASCII bytes `123456789`. It is computed over the unescaped',
    'frame (escape after, unescape before checking). A receiver checks the CRC before anything',
    'else: a frame that fails it says nothing trustworthy, not even its version.',
    '',
    '## Worked example',
    '',
    ...workedExample(),
    '',
    '## Frame types',
    '',
    '| Type | Byte | Direction | Payload |',
    '| --- | --- | --- | --- |',
    ...FRAME_TYPE_NAMES.map(
      (t) => `| \`${t}\` | \`${byte(FRAME_TYPES[t])}\` | ${direction(t)} | ${payloadOf(t)} |`,
    ),
    '',
    "A message frame carries its channel's MQTT payload unchanged (as CBOR instead of JSON),",
    'including `seq` and `ts`; the gateway validates it against the same schema as on MQTT. The',
    'frame deviceId is the device whose topic it would have been published on.',
    '',
    ...(['hello', 'ack', 'nack'] as const).flatMap((t) => [
      `### ${t} payload (${LINK_PAYLOADS[t].$id})`,
      '',
      `${LINK_PAYLOADS[t].description}`,
      '',
      ...propertyRows(LINK_PAYLOADS[t]),
      '',
    ]),
    '## Link rules',
    '',
    '- **Hello first.** After the line comes up (power-up, port opened, cable replugged) the base',
    '  station sends `hello` and nothing else until the gateway ACKs it. A NACK of a hello (wrong',
    '  secret, unknown base station) means the link is refused; fix the site file or the secret.',
    `- **linkSeq** counts the frames each side sends, one counter per direction, +1 for every new`,
    '  frame (hello included, ack and nack excluded: they repeat the answered one), wrapping from',
    '  2^32 − 1 to 0.',
    '- **Every frame but ack and nack is answered** with an ack (received; forget it) or a nack',
    '  (refused; drop it, **do not retransmit**: sending it again cannot change the answer).',
    '- **Retransmit** a frame that has no answer after a timeout (the simulator uses 1 s), with',
    '  the same linkSeq and the same bytes, until it is answered. A sender may keep several frames',
    '  unanswered at once (the simulator: 4); answers can come in any order and match by deviceId',
    '  and linkSeq.',
    `- **Hello again** after ${HELLO_AGAIN_AFTER_RETRANSMISSIONS} unanswered retransmissions of a frame: the gateway may have restarted`,
    '  and lost the hello. A gateway with no accepted hello on a link **answers nothing** (a NACK',
    "  would make the sender drop what may be an alarm); after the new hello's ACK the sender",
    '  sends its unanswered frames again, same linkSeq.',
    '- **Duplicates are harmless.** A lost ack makes the sender retransmit: the receiver ACKs the',
    "  copy again. The gateway's ingest drops a repeated device message by its `seq`/`ts`, as for",
    '  an MQTT QoS 1 redelivery; a device drops a repeated downlink by its linkSeq.',
    `- **Alarms**: the gateway ACKs an alarm (${ALARM_EVENT_TYPES.map((t) => `\`${t}\``).join(', ')} event) only once it is written`,
    '  to its disk, exactly as an MQTT PUBACK ([what a PUBACK means](wire-protocol.md#what-an-alarms-puback-means)).',
    '  Until then, keep it and retransmit.',
    '',
    '## What the gateway rejects and counts',
    '',
    'A packet that is not a frame is dropped and counted per port and reason; nothing is answered',
    '(the sender retransmits what it meant to send):',
    '',
    '| Reason | When |',
    '| --- | --- |',
    ...Object.entries(FRAME_REJECTIONS).map(([reason, when]) => `| \`${reason}\` | ${when} |`),
    '',
    'A good frame is NACKed, with a reason in words, when the gateway refuses it: a device unknown',
    'in the site file, a device whose `via` is another base station, a frame the gateway does not',
    "take (a downlink type sent up). A device message whose payload fails its channel's schema is",
    'ACKed (it arrived; sending it again cannot fix it) and rejected by ingest as on MQTT: counted',
    'and logged with the reason; a damaged alarm event is still raised, as on MQTT.',
    '',
  ];
  return lines.join('\n');
}
