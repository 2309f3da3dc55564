import type { TSchema } from '@sinclair/typebox';
import { type ChannelKey, type ChannelSpec, channelKeys, channels, type Party } from './channels.js';
import { IdPattern } from './common.js';
import { messageExamples } from './examples.js';
import { addressTemplate } from './topics.js';

/**
 * Plain JSON Schema: the JSON round trip drops TypeBox's symbol keys (Kind, Hint), which are not
 * JSON Schema; nothing else changes, so documents validate exactly what the gateway validates.
 * `$id` and `description` are moved first only so that readers see them first.
 */
export function toJsonSchema(schema: TSchema): Record<string, unknown> {
  const { $id, description, ...rest } = JSON.parse(JSON.stringify(schema));
  return { $id, ...(description === undefined ? {} : { description }), ...rest };
}

function idOf(schema: TSchema): string {
  if (typeof schema.$id !== 'string')
    throw new Error(`message schema without $id: ${JSON.stringify(schema)}`);
  return schema.$id;
}

/** The schemas of the messages a channel carries: each member of a union, or the one schema. */
export function channelMessageSchemas(key: ChannelKey): TSchema[] {
  const c: ChannelSpec = channels[key];
  if (!c.discriminator) return [c.schema];
  const members = (c.schema as { anyOf?: TSchema[] }).anyOf;
  if (!members) throw new Error(`channel ${key} has a discriminator but its schema is not a union`);
  return members;
}

/** Every message schema by `$id`, once each (DeviceStatus serves both device and staff status). */
export function messageSchemas(): Map<string, TSchema> {
  const byId = new Map<string, TSchema>();
  for (const key of channelKeys) {
    for (const schema of channelMessageSchemas(key)) {
      const id = idOf(schema);
      const seen = byId.get(id);
      if (seen && seen !== schema) throw new Error(`two different schemas share the $id ${id}`);
      byId.set(id, schema);
    }
  }
  return byId;
}

/** Request/response pairs: the gateway answers each message of the key channel on the value channel. */
const replies: Partial<Record<ChannelKey, ChannelKey>> = { staffReply: 'staffResult' };

const partyText: Record<Party, { tag: string; idParam?: string }> = {
  device: { tag: 'Wristbands and care buttons in residents’ rooms.', idParam: 'deviceId' },
  staff: { tag: 'Handsets carried by carers and nurses.', idParam: 'staffId' },
  gateway: { tag: 'The site gateway itself.' },
};

const infoDescription = `
CareEdge devices (resident wristbands, care buttons and pull cords), staff handsets and the
site gateway exchange JSON messages over MQTT through the broker embedded in the gateway.

## Topics

\`careedge/v1/{siteId}/device/{deviceId}/<leaf>\` and \`careedge/v1/{siteId}/staff/{staffId}/<leaf>\`
carry one device's or one handset's traffic; \`careedge/v1/{siteId}/gateway/state\` is the
gateway's own. Ids match \`${IdPattern}\`, so they never contain \`/\`, \`+\` or \`#\`.
Every payload is one UTF-8 JSON object; unknown properties are refused.

## seq and ts

Every message a device or handset sends carries \`seq\` (+1 per message, restarting at 0 after
a reboot) and \`ts\` (its clock, Unix epoch milliseconds). The gateway drops a message whose
(seq, ts) pair it has recently seen from the same sender as a retransmission, counts a jump in
\`seq\` as a gap, and takes a lower \`seq\` with a newer \`ts\` as a restart of the sender.

## QoS, retained status and last will

Messages are published with QoS 1 (at least once), so duplicates happen and \`seq\` removes
them. Status channels are retained: each client publishes \`online\` after connecting and
registers \`offline\` as its MQTT last will, so the latest state is always on the broker.

## Authentication

MQTT username = device id or staff id, password = the secret from the site register;
anonymous connections are refused. A device may publish only on its own device topics and
subscribe only to its own \`reassure\` topic and the gateway state; a handset may publish only
on its own \`reply\` and \`status\` and subscribe to its own \`dispatch\` and \`result\`.
`.trim();

const parameters = {
  siteId: {
    description: `Site (care centre) id from the site register; matches \`${IdPattern}\`.`,
    examples: ['rosehill'],
  },
  deviceId: {
    description: `Device id from the site register (also its MQTT username); matches \`${IdPattern}\`.`,
    examples: ['wb-0042'],
  },
  staffId: {
    description: `Staff id from the site register (also the handset's MQTT username); matches \`${IdPattern}\`.`,
    examples: ['staff-maria'],
  },
};

const capitalise = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}`;
const operationId = (key: ChannelKey) =>
  `${channels[key].direction === 'up' ? 'receive' : 'send'}${capitalise(key)}`;
const ref = ($ref: string) => ({ $ref });

function channelObject(key: ChannelKey) {
  const c: ChannelSpec = channels[key];
  const idParam = partyText[c.party].idParam;
  const by = c.direction === 'up' ? `the ${c.party === 'staff' ? 'handset' : c.party}` : 'the gateway';
  const notes = [
    `Published by ${by} (QoS ${c.qos}${c.retained ? ', retained' : ''}).`,
    c.discriminator ? `The \`${c.discriminator}\` property says which message it is.` : '',
  ];
  return {
    address: addressTemplate(key),
    title: key,
    description: [c.description, ...notes].filter(Boolean).join(' '),
    parameters: Object.fromEntries(
      ['siteId', idParam].filter((p) => p !== undefined).map((p) => [p, ref(`#/components/parameters/${p}`)]),
    ),
    messages: Object.fromEntries(
      channelMessageSchemas(key).map((s) => [idOf(s), ref(`#/components/messages/${idOf(s)}`)]),
    ),
    tags: [ref(`#/components/tags/${c.party}`)],
  };
}

function operationObject(key: ChannelKey) {
  const c: ChannelSpec = channels[key];
  const address = addressTemplate(key);
  const idParam = partyText[c.party].idParam;
  const filter = idParam ? address.replace(`{${idParam}}`, '+') : address;
  const description =
    c.direction === 'up'
      ? `The gateway subscribes to \`${filter}\` and refuses payloads that do not match the message schema.`
      : `The gateway publishes to one ${c.party === 'staff' ? 'handset' : c.party}'s \`${address}\`` +
        (c.retained ? ' with the retain flag.' : '.');
  const messageRefs = (k: ChannelKey) =>
    channelMessageSchemas(k).map((s) => ref(`#/channels/${k}/messages/${idOf(s)}`));
  const reply = replies[key];
  return {
    action: c.direction === 'up' ? 'receive' : 'send',
    channel: ref(`#/channels/${key}`),
    summary: c.description,
    description: reply
      ? `${description} Each one is answered on \`${addressTemplate(reply)}\` with \`transaction\` = its \`seq\`.`
      : description,
    tags: [ref(`#/components/tags/${c.party}`)],
    bindings: { mqtt: { qos: c.qos, retain: c.retained, bindingVersion: '0.2.0' } },
    messages: messageRefs(key),
    ...(reply ? { reply: { channel: ref(`#/channels/${reply}`), messages: messageRefs(reply) } } : {}),
  };
}

function messageObject(id: string, schema: TSchema) {
  const example = (messageExamples as Record<string, unknown>)[id];
  const requestOf = channelKeys.find((k) => replies[k] && channelMessageSchemas(k).includes(schema));
  const replyOf = channelKeys.find((k) => {
    const r = replies[k];
    return r !== undefined && channelMessageSchemas(r).includes(schema);
  });
  return {
    name: id,
    summary: schema.description,
    contentType: 'application/json',
    payload: ref(`#/components/schemas/${id}`),
    ...(requestOf ? { correlationId: ref('#/components/correlationIds/requestSeq') } : {}),
    ...(replyOf ? { correlationId: ref('#/components/correlationIds/replyTransaction') } : {}),
    ...(example ? { examples: [{ name: id, payload: example }] } : {}),
  };
}

/** The AsyncAPI 3.0 document of wire protocol v1, derived from the channel catalogue and schemas. */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const schemas = messageSchemas();
  return {
    asyncapi: '3.0.0',
    id: 'urn:careedge:wire-protocol:v1',
    info: {
      title: 'CareEdge wire protocol',
      version: '1.0.0',
      description: infoDescription,
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      tags: (Object.keys(partyText) as Party[]).map((p) => ref(`#/components/tags/${p}`)),
    },
    defaultContentType: 'application/json',
    servers: {
      gateway: {
        host: '{host}:1883',
        protocol: 'mqtt',
        protocolVersion: '3.1.1',
        description: 'The MQTT broker embedded in the site gateway, on the care centre network.',
        variables: {
          host: { default: 'careedge.local', description: 'Host name or IP address of the site gateway.' },
        },
        security: [ref('#/components/securitySchemes/siteRegister')],
      },
    },
    channels: Object.fromEntries(channelKeys.map((k) => [k, channelObject(k)])),
    operations: Object.fromEntries(channelKeys.map((k) => [operationId(k), operationObject(k)])),
    components: {
      schemas: Object.fromEntries([...schemas].map(([id, s]) => [id, toJsonSchema(s)])),
      messages: Object.fromEntries([...schemas].map(([id, s]) => [id, messageObject(id, s)])),
      parameters,
      securitySchemes: {
        siteRegister: {
          type: 'userPassword',
          description:
            'MQTT username = device id or staff id; password = the secret from the site register. Anonymous connections are refused.',
        },
      },
      correlationIds: {
        requestSeq: {
          description: 'The `seq` of a request; the answer carries it back as `transaction`.',
          location: '$message.payload#/seq',
        },
        replyTransaction: {
          description: 'The `seq` of the request this answers.',
          location: '$message.payload#/transaction',
        },
      },
      tags: Object.fromEntries(
        (Object.entries(partyText) as [Party, { tag: string }][]).map(([p, t]) => [
          p,
          { name: p, description: t.tag },
        ]),
      ),
    },
  };
}
