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

/** Channel by party, then by leaf (the topic's last level). */
const byParty = new Map<string, Map<string, ChannelKey>>();
for (const k of channelKeys) {
  const { party, leaf } = channels[k];
  let leaves = byParty.get(party);
  if (!leaves) {
    leaves = new Map();
    byParty.set(party, leaves);
  }
  leaves.set(leaf, k);
}

const ROOT = 'careedge/v1/';

/**
 * Parses a concrete topic of protocol v1, or returns undefined when it is not one. Called twice
 * for each of thousands of messages a second (the broker's ACL, then ingest): it reads the levels
 * in place instead of splitting the topic into an array.
 */
export function parseTopic(topic: string): ParsedTopic | undefined {
  if (!topic.startsWith(ROOT)) return undefined;
  const siteEnd = topic.indexOf('/', ROOT.length);
  if (siteEnd < 0) return undefined;
  const partyEnd = topic.indexOf('/', siteEnd + 1);
  if (partyEnd < 0) return undefined;
  const siteId = topic.slice(ROOT.length, siteEnd);
  if (!idRe.test(siteId)) return undefined;
  const party = topic.slice(siteEnd + 1, partyEnd);
  const idEnd = topic.indexOf('/', partyEnd + 1);
  if (idEnd < 0) {
    // careedge/v1/<site>/gateway/<leaf>
    if (party !== 'gateway') return undefined;
    const channel = byParty.get('gateway')?.get(topic.slice(partyEnd + 1));
    return channel ? { channel, siteId, id: '' } : undefined;
  }
  // careedge/v1/<site>/<party>/<id>/<leaf>, and nothing after the leaf
  if (party === 'gateway' || topic.indexOf('/', idEnd + 1) >= 0) return undefined;
  const channel = byParty.get(party)?.get(topic.slice(idEnd + 1));
  if (!channel) return undefined;
  const id = topic.slice(partyEnd + 1, idEnd);
  return idRe.test(id) ? { channel, siteId, id } : undefined;
}
