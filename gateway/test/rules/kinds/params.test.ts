import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { InactivityParams, inactivity } from '../../../src/rules/kinds/inactivity.js';
import { NightWanderingParams, nightWandering } from '../../../src/rules/kinds/night-wandering.js';
import { NotUpParams, notUp } from '../../../src/rules/kinds/not-up.js';
import { atLocalMinute, inHours } from '../../../src/rules/kinds/time-of-day.js';
import { berlin } from '../../helpers/kind-driver.js';
import { local } from './rhythm.js';

describe('the activity kinds: params and local time', () => {
  it('have params schemas whose defaults are valid and documented, and that refuse nonsense', () => {
    for (const [kind, schema] of [
      [inactivity, InactivityParams],
      [notUp, NotUpParams],
      [nightWandering, NightWanderingParams],
    ] as const) {
      expect(kind.params).toBe(schema);
      expect(kind.subject).toBe('resident');
      expect(kind.inputs).toEqual(['telemetry']);
      expect(Value.Check(schema, Value.Create(schema))).toBe(true);
      for (const [name, prop] of Object.entries(schema.properties)) {
        expect(prop.description, name).toBeTruthy();
        expect(prop.default, name).not.toBeUndefined();
      }
      expect(Value.Check(schema, { ...Value.Create(schema), unknown: 1 })).toBe(false);
    }
    const nw = Value.Create(NightWanderingParams);
    expect(Value.Check(NightWanderingParams, { ...nw, nightHours: '22:00-24:00' })).toBe(true);
    for (const bad of ['24:00-05:00', '00:00-24:30', '0:00-5:00', '00:00'])
      expect(Value.Check(NightWanderingParams, { ...nw, nightHours: bad }), bad).toBe(false);
    expect(Value.Check(NotUpParams, { ...Value.Create(NotUpParams), fallbackTime: '25:00' })).toBe(false);
  });

  it('reads hour ranges with the start in, the end out, wrapping midnight', () => {
    expect([479, 480, 1199, 1200].map((m) => inHours('08:00-20:00', m))).toEqual([false, true, true, false]);
    expect([1319, 1320, 0, 359, 360].map((m) => inHours('22:00-06:00', m))).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
  });

  it('finds the gateway time of a local minute on daylight-saving days', () => {
    // From just after midnight, before the change, to 08:00 after it.
    expect(atLocalMinute(local, berlin('2026-03-29 00:10', '+01:00'), 480)).toBe(berlin('2026-03-29 08:00'));
    expect(atLocalMinute(local, berlin('2026-10-25 00:10'), 480)).toBe(berlin('2026-10-25 08:00', '+01:00'));
    expect(atLocalMinute(local, berlin('2026-05-04 09:30') + 30_000, 600)).toBe(berlin('2026-05-04 10:00'));
  });
});
