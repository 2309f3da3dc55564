import type { DeviceEvent, Heartbeat } from '@careedge/edge';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import type { RuleInput, StepContext } from '../../src/rules/kind.js';
import { HeartbeatMissedParams, heartbeatMissed } from '../../src/rules/kinds/heartbeat-missed.js';
import { InstantParams, instant } from '../../src/rules/kinds/instant.js';
import { siteLocalTime } from '../../src/rules/local-time.js';

// The pure steps of the built-in kinds, which replay runs (live, call-rules.ts and supervision.ts do).
const ctx: StepContext = { local: siteLocalTime('UTC'), openAlert: null };

describe('built-in kinds, as replay steps them', () => {
  it('instant: SOS, fall and call raise with their priorities; presence and reset raise nothing', () => {
    const params = Value.Default(InstantParams, {}) as InstantParams;
    const raised = (['sos', 'fall', 'call', 'presence', 'cancel'] as const).map(
      (type) =>
        instant.step(
          {},
          { type: 'event', at: 0, message: { seq: 1, ts: 0, type, on: true } as DeviceEvent },
          params,
          ctx,
        ).actions,
    );
    expect(
      raised.map((a) => a.map((x) => (x.type === 'raise' ? `${x.alertKind} ${x.priority}` : x.type))),
    ).toEqual([['sos high'], ['fall high'], ['call medium'], [], []]);
  });

  it('heartbeat-missed: offline after missed intervals + grace, once; heard again clears it (by the device)', () => {
    const params = Value.Default(HeartbeatMissedParams, {}) as HeartbeatMissedParams;
    const hb = (at: number): RuleInput => ({
      type: 'heartbeat',
      at,
      message: { seq: 1, ts: 0, intervalS: 60 } as Heartbeat,
    });
    let s = heartbeatMissed.initial(params, 0);
    const first = heartbeatMissed.step(s, hb(0), params, ctx);
    expect(first.wakeAt).toBe(190_000);
    s = first.state;
    const early = heartbeatMissed.step(s, { type: 'tick', at: 189_999 }, params, ctx);
    expect(early.actions).toEqual([]);
    const due = heartbeatMissed.step(s, { type: 'tick', at: 190_000 }, params, ctx);
    expect(due.actions).toMatchObject([{ type: 'raise', alertKind: 'device-offline', priority: 'medium' }]);
    expect(due.wakeAt).toBeNull();
    const back = heartbeatMissed.step(due.state, hb(500_000), params, ctx);
    expect(back.actions).toEqual([{ type: 'clear', by: 'device', reason: 'heard again' }]);
    expect(back.wakeAt).toBe(690_000);
  });

  it('heartbeat-missed: a device that never declared an interval is not supervised', () => {
    const params = Value.Default(HeartbeatMissedParams, {}) as HeartbeatMissedParams;
    const s = heartbeatMissed.initial(params, 0);
    const r = heartbeatMissed.step(
      s,
      { type: 'status', at: 0, message: { seq: 1, ts: 0, state: 'online' } as never },
      params,
      ctx,
    );
    expect(r).toEqual({ state: s, actions: [], wakeAt: null });
  });
});
