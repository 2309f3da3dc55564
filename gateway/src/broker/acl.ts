import { channelKeys, channels, parseTopic, topicFor } from '@careedge/edge';
import type { Principal } from '../register/types.js';

/**
 * Who may publish and subscribe to what on the site's broker: a pure function of the principal,
 * the topic and the site, so it is tested without a broker. Wire protocol v1 topics are
 * `careedge/v1/{site}/{device|staff}/{id}/{leaf}`: a device or handset may speak only on its own
 * upward channels and listen only to its own downward channels and the gateway's state. Nothing
 * else, in particular no wildcards: a handset that could subscribe to `+/dispatch` would see every
 * resident's alarms, and a device that could publish on another device's topic could raise or
 * cancel another resident's call.
 */

export type AclDecision = { ok: true } | { ok: false; reason: string };

const OK: AclDecision = Object.freeze({ ok: true });
const no = (reason: string): AclDecision => ({ ok: false, reason });

const who = (p: Principal): string => (p.kind === 'gateway' ? 'the gateway' : `${p.kind} "${p.id}"`);

/** The exact topics a device or handset may subscribe to (and so receive). */
function allowedFilters(p: Exclude<Principal, { kind: 'gateway' }>, siteId: string): string[] {
  // Every downward channel of its party: a device's reassurance, thank-you and configuration.
  const own = channelKeys.filter((k) => channels[k].party === p.kind && channels[k].direction === 'down');
  try {
    return [...own.map((key) => topicFor(key, siteId, p.id)), topicFor('gatewayState', siteId)];
  } catch {
    return []; // an id or site id that cannot form a topic may subscribe to nothing
  }
}

/**
 * May `principal` publish on `topic`? `retain` is the PUBLISH retain flag: only channels whose
 * messages are retained by design (status) accept it, because a retained event (an SOS) would be
 * replayed to every new subscriber, e.g. to the gateway after each restart.
 */
export function mayPublish(principal: Principal, topic: string, siteId: string, retain = false): AclDecision {
  // `$SYS/` belongs to the broker itself (aedes' default refuses it too, see aedes #597).
  if (topic.startsWith('$SYS/')) return no('$SYS topics are reserved for the broker');
  if (principal.kind === 'gateway') return OK;
  const parsed = parseTopic(topic);
  if (!parsed) return no(`${who(principal)} may publish only on wire protocol v1 topics`);
  if (parsed.siteId !== siteId)
    return no(`the topic is for site "${parsed.siteId}", this broker serves "${siteId}"`);
  const channel = channels[parsed.channel];
  if (channel.party !== principal.kind || channel.direction !== 'up') {
    return no(`${who(principal)} may not publish on ${parsed.channel} topics`);
  }
  if (parsed.id !== principal.id) {
    return no(`${who(principal)} may not publish on the topic of ${channel.party} "${parsed.id}"`);
  }
  if (retain && !channel.retained) return no(`${parsed.channel} messages may not be retained`);
  return OK;
}

/** May `principal` subscribe to `filter`? Devices and handsets only to exact topics of their own. */
export function maySubscribe(principal: Principal, filter: string, siteId: string): AclDecision {
  if (principal.kind === 'gateway') return OK;
  if (filter.includes('+') || filter.includes('#')) {
    return no(`${who(principal)} may not subscribe with wildcards`);
  }
  if (!allowedFilters(principal, siteId).includes(filter)) {
    const own = principal.kind === 'device' ? 'its own reassure topic' : 'its own dispatch and result topics';
    return no(`${who(principal)} may subscribe only to ${own} and the gateway state topic`);
  }
  return OK;
}
