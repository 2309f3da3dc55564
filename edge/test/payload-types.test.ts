import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type ChannelMessage,
  type DeviceEvent,
  decodeMessage,
  decodePayload,
  type HandsetReply,
  type OmitEach,
  type PayloadOf,
  type Reassurance,
  type ReplyResult,
  type UpChannel,
  validatePayload,
  type WristbandTelemetry,
} from '../src/index.js';
import { messageExamples } from '../src/protocol/examples.js';

// These tests are checked by the type checker (`tsc -b`): a `@ts-expect-error` that no longer
// finds an error fails the build, so a payload type that drifts from its schema is caught.

describe('payload types come from the channel catalogue', () => {
  it('PayloadOf is the type of the channel schema', () => {
    expectTypeOf<PayloadOf<'deviceTelemetry'>>().toEqualTypeOf<WristbandTelemetry>();
    expectTypeOf<PayloadOf<'deviceEvent'>>().toEqualTypeOf<DeviceEvent>();
    expectTypeOf<PayloadOf<'staffReply'>>().toEqualTypeOf<HandsetReply>();
    expectTypeOf<PayloadOf<'staffResult'>>().toEqualTypeOf<ReplyResult>();
    expectTypeOf<UpChannel>().toEqualTypeOf<
      | 'deviceTelemetry'
      | 'deviceEvent'
      | 'deviceHeartbeat'
      | 'deviceStatus'
      | 'deviceTap'
      | 'deviceLocation'
      | 'staffReply'
      | 'staffStatus'
    >();
  });

  it("decodePayload returns the channel's type, and the schema agrees at run time", () => {
    const decoded = decodePayload('deviceTelemetry', JSON.stringify(messageExamples.WristbandTelemetry));
    expectTypeOf(decoded).toEqualTypeOf<
      { ok: true; value: WristbandTelemetry } | { ok: false; errors: string[] }
    >();
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(decoded.value.batteryPct).toBe(messageExamples.WristbandTelemetry.batteryPct);
  });

  it('decodeMessage narrows the payload by testing the channel', () => {
    const decoded = decodeMessage('staffReply' as UpChannel, JSON.stringify(messageExamples.ReplyAck));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expectTypeOf(decoded.value).toEqualTypeOf<ChannelMessage<UpChannel>>();
    const message = decoded.value;
    if (message.channel !== 'staffReply') throw new Error(`decoded as ${message.channel}`);
    expectTypeOf(message.payload).toEqualTypeOf<HandsetReply>();
    expect(message.payload.action).toBe('ack');
  });

  it('a payload of the wrong channel does not type-check, and is refused at run time', () => {
    const publish = <C extends 'deviceReassurance' | 'staffDispatch'>(channel: C, payload: PayloadOf<C>) =>
      validatePayload(channel, payload).ok;
    const reassurance: Reassurance = { ts: 1, alertId: 7, kind: 'help-coming', text: 'Anna is coming.' };
    expect(publish('deviceReassurance', reassurance)).toBe(true);
    // @ts-expect-error a reassurance is not a dispatch
    expect(publish('staffDispatch', reassurance)).toBe(false);
    // @ts-expect-error `kind` must be one of the schema's literals
    expect(publish('deviceReassurance', { ...reassurance, kind: 'soon' })).toBe(false);
  });

  it('OmitEach keeps a union discriminated, so a reply body still needs its own fields', () => {
    type Body = OmitEach<HandsetReply, 'seq' | 'ts' | 'alertId'>;
    const ok: Body = { action: 'resolve', outcome: 'assisted' };
    // @ts-expect-error a resolve needs its outcome
    const missing: Body = { action: 'resolve' };
    expect([ok, missing].map((b) => b.action)).toEqual(['resolve', 'resolve']);
  });
});
