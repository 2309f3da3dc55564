import { filterFor, topicFor } from '@careedge/edge';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe } from '../src/broker/acl.js';
import type { Principal } from '../src/register/types.js';

const site = 'sunrise';
const gateway: Principal = { kind: 'gateway' };
const wb101: Principal = { kind: 'device', id: 'wb-101' };
const anna: Principal = { kind: 'staff', id: 'anna' };

const allowed = { ok: true };
const refused = (reason: RegExp) => ({ ok: false, reason: expect.stringMatching(reason) });

describe('acl: publish', () => {
  it('lets a device publish on its own telemetry, event, heartbeat and status topics', () => {
    for (const key of ['deviceTelemetry', 'deviceEvent', 'deviceHeartbeat', 'deviceStatus'] as const) {
      expect(mayPublish(wb101, topicFor(key, site, 'wb-101'), site)).toEqual(allowed);
    }
  });

  it("refuses a device another device's topic, another site, a downward channel, or a staff channel", () => {
    expect(mayPublish(wb101, topicFor('deviceEvent', site, 'wb-102'), site)).toEqual(
      refused(/^device "wb-101" may not publish on the topic of device "wb-102"$/),
    );
    expect(mayPublish(wb101, topicFor('deviceEvent', 'elsewhere', 'wb-101'), site)).toEqual(
      refused(/site "elsewhere", this broker serves "sunrise"/),
    );
    expect(mayPublish(wb101, topicFor('deviceReassurance', site, 'wb-101'), site)).toEqual(
      refused(/may not publish on deviceReassurance/),
    );
    expect(mayPublish(wb101, topicFor('staffReply', site, 'wb-101'), site)).toEqual(
      refused(/may not publish on staffReply/),
    );
    expect(mayPublish(wb101, topicFor('gatewayState', site), site)).toEqual(refused(/gatewayState/));
    expect(mayPublish(wb101, 'some/other/topic', site)).toEqual(refused(/only on wire protocol v1 topics/));
    expect(mayPublish(wb101, `${topicFor('deviceEvent', site, 'wb-101')}/extra`, site).ok).toBe(false);
  });

  it('allows the retain flag only on retained-by-design channels (status)', () => {
    expect(mayPublish(wb101, topicFor('deviceStatus', site, 'wb-101'), site, true)).toEqual(allowed);
    expect(mayPublish(wb101, topicFor('deviceEvent', site, 'wb-101'), site, true)).toEqual(
      refused(/deviceEvent messages may not be retained/),
    );
  });

  it('lets a handset publish only its own reply and status', () => {
    expect(mayPublish(anna, topicFor('staffReply', site, 'anna'), site)).toEqual(allowed);
    expect(mayPublish(anna, topicFor('staffStatus', site, 'anna'), site, true)).toEqual(allowed);
    expect(mayPublish(anna, topicFor('staffReply', site, 'ben'), site).ok).toBe(false);
    expect(mayPublish(anna, topicFor('staffDispatch', site, 'anna'), site).ok).toBe(false);
    expect(mayPublish(anna, topicFor('deviceEvent', site, 'anna'), site).ok).toBe(false);
  });

  it('lets the gateway publish anywhere except the broker-reserved $SYS tree', () => {
    expect(mayPublish(gateway, topicFor('staffDispatch', site, 'anna'), site)).toEqual(allowed);
    expect(mayPublish(gateway, 'anything/at/all', site, true)).toEqual(allowed);
    expect(mayPublish(gateway, '$SYS/broker/uptime', site)).toEqual(refused(/\$SYS/));
  });
});

describe('acl: subscribe', () => {
  it('lets a device subscribe to exactly its reassure topic and the gateway state', () => {
    expect(maySubscribe(wb101, topicFor('deviceReassurance', site, 'wb-101'), site)).toEqual(allowed);
    expect(maySubscribe(wb101, topicFor('gatewayState', site), site)).toEqual(allowed);
    expect(maySubscribe(wb101, topicFor('deviceReassurance', site, 'wb-102'), site)).toEqual(
      refused(/only to its own reassure topic/),
    );
    expect(maySubscribe(wb101, topicFor('deviceEvent', site, 'wb-101'), site).ok).toBe(false);
    expect(maySubscribe(wb101, topicFor('gatewayState', 'elsewhere'), site).ok).toBe(false);
  });

  it('lets a handset subscribe to exactly its dispatch and result topics and the gateway state', () => {
    expect(maySubscribe(anna, topicFor('staffDispatch', site, 'anna'), site)).toEqual(allowed);
    expect(maySubscribe(anna, topicFor('staffResult', site, 'anna'), site)).toEqual(allowed);
    expect(maySubscribe(anna, topicFor('gatewayState', site), site)).toEqual(allowed);
    expect(maySubscribe(anna, topicFor('staffDispatch', site, 'ben'), site)).toEqual(
      refused(/only to its own dispatch and result topics/),
    );
    expect(maySubscribe(anna, topicFor('staffReply', site, 'anna'), site).ok).toBe(false);
  });

  it('refuses wildcard filters to devices and handsets', () => {
    for (const filter of [filterFor('staffDispatch', site), '#', 'careedge/v1/sunrise/#', '+/+/+/+/+']) {
      expect(maySubscribe(wb101, filter, site)).toEqual(refused(/wildcards/));
      expect(maySubscribe(anna, filter, site)).toEqual(refused(/wildcards/));
    }
  });

  it('lets the gateway subscribe to any filter, wildcards included', () => {
    expect(maySubscribe(gateway, filterFor('deviceEvent', site), site)).toEqual(allowed);
    expect(maySubscribe(gateway, '#', site)).toEqual(allowed);
  });

  it('never lets a device or handset reach a topic of another id (property)', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
    const key = fc.constantFrom(
      'deviceTelemetry',
      'deviceEvent',
      'deviceHeartbeat',
      'deviceStatus',
      'deviceReassurance',
      'staffDispatch',
      'staffReply',
      'staffResult',
      'staffStatus',
    ) as fc.Arbitrary<Parameters<typeof topicFor>[0]>;
    fc.assert(
      fc.property(
        id,
        id,
        key,
        fc.constantFrom<'device' | 'staff'>('device', 'staff'),
        (me, other, k, kind) => {
          fc.pre(me !== other);
          const topic = topicFor(k, site, other);
          const p: Principal = { kind, id: me };
          return !mayPublish(p, topic, site).ok && !maySubscribe(p, topic, site).ok;
        },
      ),
    );
  });
});
