import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BaselineState, learn, newBaseline } from '../../src/rules/kinds/baseline.js';
import { siteLocalTime } from '../../src/rules/local-time.js';
import { SqliteRuleStateStore } from '../../src/rules/state-store.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { makeTempDir } from '../helpers/tmp.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 10, 23, 10, 0, 0);
const baselineParams = {
  learnDays: 14,
  minDays: 5,
  risingActivity: 6,
  risingSustainS: 600,
  morningFrom: '05:00',
};

/** Days of a band worn around the clock: asleep (2) until 07:30, up (20) after; a reading every 2 minutes. */
function learnedDays(days: number): BaselineState {
  const local = siteLocalTime('UTC');
  const from = Date.UTC(2026, 10, 23) - days * DAY;
  let b = newBaseline();
  for (let at = from; at < from + days * DAY; at += 120_000) {
    const minute = (at % DAY) / 60_000;
    b = learn(b, { at, activity: minute >= 450 ? 20 : 2, worn: true }, baselineParams, local);
  }
  return b;
}

describe('GET /api/v1/rules/learning', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  it('shows every resident learning from zero before any reading, for each baseline rule in force', async () => {
    g = await testGateway({}, { start: START });
    const res = await g.api().inject({
      method: 'GET',
      url: '/api/v1/rules/learning',
    });
    expect(res.statusCode).toBe(200);
    const { residents } = res.json();
    expect(residents.map((r: { residentId: string }) => r.residentId)).toEqual(['r1', 'r2', 'r3']);
    expect(residents[0].rules).toEqual([
      expect.objectContaining({
        ruleId: 'inactivity',
        kind: 'inactivity',
        status: 'learning',
        daysLearned: 0,
        daysNeeded: 5,
      }),
      expect.objectContaining({
        ruleId: 'not-up',
        kind: 'not-up',
        status: 'learning',
        daysLearned: 0,
        rising: { status: 'learning', daysLearned: 0, daysNeeded: 3, usual: null },
      }),
    ]);
  });

  it("shows a resident's learned days, usual activity by hour and usual rising time from the saved rule state", async () => {
    g = await testGateway({}, { start: START });
    const store = new SqliteRuleStateStore(g.gateway.context.db);
    store.putNow({
      subject: 'resident:r2',
      ruleId: 'not-up',
      kind: 'not-up',
      deviceId: 'wb-2',
      state: { baseline: learnedDays(6) },
      wakeAt: null,
      openAlertId: null,
    });
    const api = g.api();
    const res = await api.inject({ method: 'GET', url: '/api/v1/rules/learning?resident=r2' });
    expect(res.statusCode).toBe(200);
    const [r2, ...others] = res.json().residents;
    expect(others).toEqual([]);
    const notUp = r2.rules.find((r: { ruleId: string }) => r.ruleId === 'not-up');
    expect(notUp).toMatchObject({
      status: 'ready',
      daysLearned: 6,
      daysNeeded: 5,
      rising: { status: 'ready', daysLearned: 6, usual: '07:30' },
    });
    expect(notUp.expectedByHour[3]).toBe(2);
    expect(notUp.expectedByHour[12]).toBe(20);
    // The inactivity rule has learned nothing for r2 yet: its own state.
    expect(r2.rules.find((r: { ruleId: string }) => r.ruleId === 'inactivity')).toMatchObject({
      status: 'learning',
      daysLearned: 0,
    });
  });

  it('follows scopes and per-resident overrides of the rules in force; an unknown resident has nothing', async () => {
    const file = join(makeTempDir(), 'rules.yaml');
    writeFileSync(
      file,
      `rules:
  - { id: calls, kind: instant }
  - { id: device-offline, kind: heartbeat-missed }
  - id: north-not-up
    kind: not-up
    scope: { zones: [north] }
    overrides: { r2: { minDays: 10 } }
`,
    );
    g = await testGateway({ rules: { file } }, { start: START });
    const api = g.api();
    const { residents } = (await api.inject({ method: 'GET', url: '/api/v1/rules/learning' })).json();
    expect(
      residents.map((r: { residentId: string; rules: { daysNeeded: number }[] }) => [
        r.residentId,
        r.rules.map((x) => x.daysNeeded),
      ]),
    ).toEqual([
      ['r1', [5]],
      ['r2', [10]],
      ['r3', []], // south: not covered
    ]);
    const nobody = await api.inject({ method: 'GET', url: '/api/v1/rules/learning?resident=r9' });
    expect(nobody.json()).toEqual({ residents: [] });
  });
});
