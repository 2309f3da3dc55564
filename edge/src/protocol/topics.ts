import { type ChannelKey, channelKeys, channels, PROTOCOL_ROOT } from './channels.js';
import { IdPattern } from './common.js';

const idRe = new RegExp(IdPattern);

/** The address template of a channel, as in the AsyncAPI document. */
export function addressTemplate(key: ChannelKey): string {
  const c = channels[key];
  return c.party === 'gateway'
    ? `${PROTOCOL_ROOT}/{siteId}/gateway/${c.leaf}`
    : `${PROTOCOL_ROOT}/{siteId}/${c.party}/{${c.party}Id}/${c.leaf}`;
}

/** The concrete topic for a channel. Throws on ids that would make an invalid or wildcard topic. */
export function topicFor(key: ChannelKey, siteId: string, id?: string): string {
  const c = channels[key];
  if (!idRe.test(siteId)) throw new Error(`invalid site id ${JSON.stringify(siteId)}`);
  if (c.party === 'gateway') return `${PROTOCOL_ROOT}/${siteId}/gateway/${c.leaf}`;
  if (id === undefined || !idRe.test(id)) throw new Error(`invalid ${c.party} id ${JSON.stringify(id)}`);
  return `${PROTOCOL_ROOT}/${siteId}/${c.party}/${id}/${c.leaf}`;
}

/** Subscription filter for one channel across all devices / staff of a site. */
export function filterFor(key: ChannelKey, siteId: string): string {
  const c = channels[key];
  return c.party === 'gateway' ? topicFor(key, siteId) : `${PROTOCOL_ROOT}/${siteId}/${c.party}/+/${c.leaf}`;
}

export interface ParsedTopic {
  channel: ChannelKey;
  siteId: string;
  /** Device or staff id; empty for the gateway's own channel. */
  id: string;
}

const byPartyLeaf = new Map(channelKeys.map((k) => [`${channels[k].party}/${channels[k].leaf}`, k]));

/** Parses a concrete topic of protocol v1, or returns undefined when it is not one. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== 'careedge' || parts[1] !== 'v1') return undefined;
  const siteId = parts[2] ?? '';
  if (!idRe.test(siteId)) return undefined;
  if (parts.length === 5 && parts[3] === 'gateway') {
    const channel = byPartyLeaf.get(`gateway/${parts[4]}`);
    return channel ? { channel, siteId, id: '' } : undefined;
  }
  if (parts.length !== 6) return undefined;
  const [, , , party, id, leaf] = parts as [string, string, string, string, string, string];
  const channel = byPartyLeaf.get(`${party}/${leaf}`);
  if (!channel || party === 'gateway' || !idRe.test(id)) return undefined;
  return { channel, siteId, id };
}
