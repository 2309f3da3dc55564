import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressTemplate,
  type ChannelKey,
  channelKeys,
  channelMessageSchemas,
  channels,
  decodePayload,
  filterFor,
  IdPattern,
  parseTopic,
  topicFor,
  validatePayload,
} from '../src/index.js';
import { messageExamples } from '../src/protocol/examples.js';

const examples = messageExamples as Record<string, Record<string, unknown>>;
const messagesOf = (key: ChannelKey) => channelMessageSchemas(key).map((s) => s.$id!);
const errorsOf = (key: ChannelKey, payload: unknown) => {
  const decoded = decodePayload(key, typeof payload === 'string' ? payload : JSON.stringify(payload));
  return decoded.ok ? [] : decoded.errors;
};

describe('payload schemas: valid messages', () => {
  const cases = channelKeys.flatMap((key) => messagesOf(key).map((id) => [key, id] as const));

  it.each(cases)('%s accepts the %s example', (key, id) => {
    expect(examples[id], `no example for ${id} in examples.ts`).toBeDefined();
    expect(decodePayload(key, JSON.stringify(examples[id]))).toEqual({ ok: true, value: examples[id] });
  });

  it('every example is a message of some channel', () => {
    const ids = new Set(channelKeys.flatMap(messagesOf));
    expect(Object.keys(examples).filter((id) => !ids.has(id))).toEqual([]);
  });

  it('accepts a Buffer payload and a telemetry reading without the optional fields', () => {
    const { heartRateBpm: _hr, steps: _steps, ...minimal } = examples.WristbandTelemetry!;
    expect(decodePayload('deviceTelemetry', Buffer.from(JSON.stringify(minimal))).ok).toBe(true);
  });

  it('accepts the boundary values of ranges', () => {
    const t = examples.WristbandTelemetry!;
    expect(errorsOf('deviceTelemetry', { ...t, heartRateBpm: 20, batteryPct: 0, rssiDbm: 0 })).toEqual([]);
    expect(
      errorsOf('deviceTelemetry', { ...t, heartRateBpm: 250, batteryPct: 100, seq: 4_294_967_295 }),
    ).toEqual([]);
  });
});

describe('payload schemas: invalid messages give `path: message` errors', () => {
  const telemetry = examples.WristbandTelemetry!;
  const resolve = examples.ReplyResolve!;

  it.each([
    [
      'heart rate above range',
      'deviceTelemetry',
      { ...telemetry, heartRateBpm: 251 },
      '/heartRateBpm: must be <= 250',
    ],
    [
      'heart rate below range',
      'deviceTelemetry',
      { ...telemetry, heartRateBpm: 19 },
      '/heartRateBpm: must be >= 20',
    ],
    [
      'fractional heart rate',
      'deviceTelemetry',
      { ...telemetry, heartRateBpm: 72.5 },
      '/heartRateBpm: must be a whole number (got 72.5)',
    ],
    ['unknown property', 'deviceTelemetry', { ...telemetry, temp: 36.6 }, '/: unknown property "temp"'],
    ['missing required field', 'deviceHeartbeat', { seq: 1, ts: 1 }, '/intervalS: is required'],
    ['negative seq', 'deviceHeartbeat', { ...examples.Heartbeat, seq: -1 }, '/seq: must be >= 0'],
    [
      'string ts',
      'deviceHeartbeat',
      { ...examples.Heartbeat, ts: '2026-01-01' },
      '/ts: must be a whole number (got "2026-01-01")',
    ],
    [
      'unknown event type',
      'deviceEvent',
      { seq: 1, ts: 1, type: 'explode' },
      '/type: must be one of sos, fall, off-wrist, call, presence, cancel (got "explode")',
    ],
    [
      'missing event type',
      'deviceEvent',
      { seq: 1, ts: 1 },
      '/type: must be one of sos, fall, off-wrist, call, presence, cancel (got missing)',
    ],
    [
      'property of another event type',
      'deviceEvent',
      { ...examples.SosEvent, confidence: 0.5 },
      '/: unknown property "confidence"',
    ],
    [
      'confidence above 1',
      'deviceEvent',
      { ...examples.FallEvent, confidence: 1.5 },
      '/confidence: must be <= 1',
    ],
    [
      'unknown call source',
      'deviceEvent',
      { ...examples.CallEvent, source: 'foot' },
      '/source: must be one of button, pull-cord (got "foot")',
    ],
    [
      'wrong status state',
      'deviceStatus',
      { ...examples.DeviceStatus, state: 'asleep' },
      '/state: must be one of online, offline (got "asleep")',
    ],
    [
      'missing outcome on resolve',
      'staffReply',
      { seq: 5, ts: 1, action: 'resolve', alertId: 17 },
      '/outcome: is required',
    ],
    [
      'unknown outcome',
      'staffReply',
      { ...resolve, outcome: 'fine' },
      '/outcome: must be one of assisted, resident-ok, false-alarm, medical-attention, emergency-services, other (got "fine")',
    ],
    [
      'unknown reply action',
      'staffReply',
      { seq: 5, ts: 1, action: 'approve', alertId: 17 },
      '/action: must be one of received, ack, decline, arrived, resolve, handover, reassign, note (got "approve")',
    ],
    [
      'handover to a wildcard id',
      'staffReply',
      { ...examples.ReplyHandover, to: 'staff/+' },
      `/to: must match pattern "${IdPattern}" (got "staff/+")`,
    ],
    ['alert id 0', 'staffReply', { ...examples.ReplyAck, alertId: 0 }, '/alertId: must be >= 1'],
    [
      'reassurance text too long',
      'deviceReassurance',
      { ...examples.Reassurance, text: 'x'.repeat(161) },
      '/text: must NOT have more than 160 characters',
    ],
    [
      'wrong dispatch type',
      'staffDispatch',
      { ...examples.Dispatch, type: 'alarm' },
      '/type: must be one of alert, withdrawn, system (got "alarm")',
    ],
    [
      'result error without message',
      'staffResult',
      { ...examples.ReplyResult, status: 'error', error: { code: 'not-owner' } },
      '/error/message: is required',
    ],
    [
      'result error code outside the catalogue',
      'staffResult',
      { ...examples.ReplyResult, status: 'error', error: { code: 'oops', message: 'x' } },
      '/error/code: must be one of alert-not-found, illegal-transition, not-owner, unknown-staff, not-dispatched-to-you, not-on-shift, not-supervisor, not-involved, colleague-offline, invalid-handover, alert-unrecorded, invalid-request, not-found, rules-invalid, unauthenticated, forbidden, csrf, login-locked, rate-limited, streams-full, payload-too-large, internal-error (got "oops")',
    ],
    [
      'empty note',
      'staffReply',
      { ...examples.ReplyNote, text: '' },
      '/text: must be at least 1 characters long',
    ],
    ['not an object', 'deviceHeartbeat', 42, '/: must be a mapping (got 42)'],
    ['an array', 'deviceTelemetry', [telemetry], '/: must be a mapping (got a list)'],
  ] as const)('%s', (_title, key, payload, error) => {
    expect(errorsOf(key, payload)).toEqual([error]);
  });

  it('reports every error at once', () => {
    expect(errorsOf('deviceTelemetry', { ...telemetry, batteryPct: 101, rssiDbm: 5, extra: 1 })).toEqual([
      '/: unknown property "extra"',
      '/batteryPct: must be <= 100',
      '/rssiDbm: must be <= 0',
    ]);
  });

  it('refuses a payload that is not JSON, with the parser message', () => {
    for (const payload of ['{"seq":1,', 'sos', '', Buffer.from([0xff, 0xfe])]) {
      const decoded = decodePayload('deviceEvent', payload);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok)
        expect(decoded.errors).toEqual([expect.stringMatching(/^\/: payload is not JSON \(.+\)$/)]);
    }
  });

  it('quotes a long wrong value only in part', () => {
    const [error] = errorsOf('deviceStatus', { ...examples.DeviceStatus, state: 'z'.repeat(500) });
    expect(error).toMatch(/^\/state: must be one of online, offline \(got "z{60}\.\.\.\)$/);
  });

  it('validatePayload checks an already-parsed value', () => {
    expect(validatePayload('staffResult', examples.ReplyResult)).toEqual({
      ok: true,
      value: examples.ReplyResult,
    });
    expect(validatePayload('staffResult', { ...examples.ReplyResult, status: 'maybe' }).ok).toBe(false);
  });
});

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const idRe = new RegExp(IdPattern);
/** Strings that are not valid ids: empty, too long, or holding `/`, `+`, `#` or other characters. */
const badId = fc.oneof(
  fc.constantFrom('', '+', '#', 'a/b', 'room 12', 'ü', 'a'.repeat(65), 'wb+1', 'wb#', '/'),
  fc.string({ unit: 'binary', maxLength: 70 }).filter((s) => !idRe.test(s)),
);
const partyChannels = channelKeys.filter((k) => channels[k].party !== 'gateway');

describe('topics', () => {
  it('topicFor / parseTopic round trip for every channel and valid ids', () => {
    fc.assert(
      fc.property(fc.constantFrom(...channelKeys), id, id, (key, siteId, partyId) => {
        const topic = topicFor(key, siteId, partyId);
        const own = channels[key].party === 'gateway' ? '' : partyId;
        expect(parseTopic(topic)).toEqual({ channel: key, siteId, id: own });
      }),
    );
  });

  it('parseTopic reads every topic as splitting it at the slashes does', () => {
    const byPartyLeaf = new Map(channelKeys.map((k) => [`${channels[k].party}/${channels[k].leaf}`, k]));
    /** The split-based parser it replaced, kept as the reference. */
    const reference = (topic: string) => {
      const parts = topic.split('/');
      if (parts[0] !== 'careedge' || parts[1] !== 'v1') return undefined;
      const siteId = parts[2] ?? '';
      if (!idRe.test(siteId)) return undefined;
      if (parts.length === 5 && parts[3] === 'gateway') {
        const channel = byPartyLeaf.get(`gateway/${parts[4]}`);
        return channel ? { channel, siteId, id: '' } : undefined;
      }
      if (parts.length !== 6) return undefined;
      const [, , , party, partyId, leaf] = parts as [string, string, string, string, string, string];
      const channel = byPartyLeaf.get(`${party}/${leaf}`);
      if (!channel || party === 'gateway' || !idRe.test(partyId)) return undefined;
      return { channel, siteId, id: partyId };
    };
    const level = fc.oneof(
      id,
      badId,
      fc.constantFrom(
        'careedge',
        'v1',
        'device',
        'staff',
        'gateway',
        'telemetry',
        'event',
        'state',
        'dispatch',
        '',
      ),
    );
    const topic = fc.oneof(
      fc.array(level, { minLength: 1, maxLength: 8 }).map((l) => l.join('/')),
      fc
        .tuple(fc.constantFrom(...channelKeys), id, id, fc.constantFrom('', '/', '/x', 'x', '//'))
        .map(([key, siteId, partyId, tail]) => topicFor(key, siteId, partyId) + tail),
      fc.tuple(level, level, level, level).map((l) => `careedge/v1/${l.join('/')}`),
      fc.tuple(level, level, level).map((l) => `careedge/v1/${l.join('/')}`),
    );
    fc.assert(
      fc.property(topic, (t) => {
        expect(parseTopic(t)).toEqual(reference(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('topicFor fills in the address template', () => {
    for (const key of channelKeys) {
      const expected = addressTemplate(key)
        .replace('{siteId}', 'rosehill')
        .replace(/\{(device|staff)Id\}/, 'x-1');
      expect(topicFor(key, 'rosehill', 'x-1')).toBe(expected);
    }
    expect(topicFor('deviceTelemetry', 'rosehill', 'wb-0042')).toBe(
      'careedge/v1/rosehill/device/wb-0042/telemetry',
    );
    expect(topicFor('gatewayState', 'rosehill')).toBe('careedge/v1/rosehill/gateway/state');
  });

  it('topicFor accepts exactly the ids that IdPattern accepts', () => {
    fc.assert(
      fc.property(fc.oneof(id, badId), (candidate) => {
        const accepted = (() => {
          try {
            topicFor('staffReply', candidate, candidate);
            return true;
          } catch {
            return false;
          }
        })();
        expect(accepted).toBe(idRe.test(candidate));
      }),
    );
  });

  it('topicFor refuses wildcard, slash, empty and over-long ids', () => {
    fc.assert(
      fc.property(fc.constantFrom(...channelKeys), badId, id, (key, bad, good) => {
        expect(() => topicFor(key, bad, good)).toThrow(/invalid site id/);
        if (channels[key].party !== 'gateway') {
          expect(() => topicFor(key, good, bad)).toThrow(`invalid ${channels[key].party} id`);
        }
      }),
    );
    expect(() => topicFor('deviceTelemetry', 'rosehill')).toThrow('invalid device id undefined');
  });

  it('parseTopic does not parse topics built from bad ids', () => {
    fc.assert(
      fc.property(fc.constantFrom(...partyChannels), badId, id, (key, bad, good) => {
        const { party, leaf } = channels[key];
        expect(parseTopic(`careedge/v1/${good}/${party}/${bad}/${leaf}`)).toBeUndefined();
        expect(parseTopic(`careedge/v1/${bad}/${party}/${good}/${leaf}`)).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(badId, (bad) => {
        expect(parseTopic(`careedge/v1/${bad}/gateway/state`)).toBeUndefined();
      }),
    );
  });

  it.each([
    ['another protocol version', 'careedge/v2/rosehill/device/wb-1/telemetry'],
    ['another root', 'acme/v1/rosehill/device/wb-1/telemetry'],
    ['root in other case', 'CareEdge/v1/rosehill/device/wb-1/telemetry'],
    ['leading slash', '/careedge/v1/rosehill/device/wb-1/telemetry'],
    ['trailing slash', 'careedge/v1/rosehill/device/wb-1/telemetry/'],
    ['extra level', 'careedge/v1/rosehill/device/wb-1/telemetry/raw'],
    ['missing leaf', 'careedge/v1/rosehill/device/wb-1'],
    ['unknown leaf', 'careedge/v1/rosehill/device/wb-1/temperature'],
    ['leaf of the other party', 'careedge/v1/rosehill/staff/maria/telemetry'],
    ['unknown party', 'careedge/v1/rosehill/robot/r2/telemetry'],
    ['gateway with an id', 'careedge/v1/rosehill/gateway/gw-1/state'],
    ['wildcard filter', 'careedge/v1/rosehill/device/+/telemetry'],
    ['multi-level wildcard', 'careedge/v1/rosehill/#'],
    ['empty topic', ''],
  ])('parseTopic rejects %s', (_title, topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });

  it('filterFor subscribes to one channel of every device or handset of a site', () => {
    for (const key of partyChannels) {
      const { party, leaf } = channels[key];
      expect(filterFor(key, 'rosehill')).toBe(`careedge/v1/rosehill/${party}/+/${leaf}`);
    }
    expect(filterFor('gatewayState', 'rosehill')).toBe('careedge/v1/rosehill/gateway/state');
  });
});
