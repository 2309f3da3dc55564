import { describe, expect, it } from 'vitest';
import { parseRulesFile } from '../../src/rules/file.js';
import { RULE_KINDS } from '../../src/rules/kinds/index.js';
import type { SubjectInfo } from '../../src/rules/scope.js';
import {
  MemoryRuleStateStore,
  type RuleStateStore,
  SqliteRuleStateStore,
} from '../../src/rules/state-store.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { openTempDatabase } from '../helpers/tmp.js';
import { RecordingSink, THROWING_BPM, telemetry, testEngine, testHighHeartRate } from './test-kind.js';

/** The test kind, sampling telemetry every 10 s as the rhythm kinds do. */
const testSampled = { ...testHighHeartRate, name: 'test-sampled', sampleS: 10 };
const kinds = [...RULE_KINDS, testHighHeartRate, testSampled];
const BUILT_INS = `rules:
  - { id: calls, kind: instant }
  - { id: device-offline, kind: heartbeat-missed }
`;
const SUBJECTS: Record<string, SubjectInfo> = {
  'wb-1': { deviceId: 'wb-1', residentId: 'r1', roomId: 'n1', zoneId: 'north' },
  'wb-3': { deviceId: 'wb-3', residentId: 'r3', roomId: 's1', zoneId: 'south' },
  'wb-x': { deviceId: 'wb-x', residentId: null, roomId: null, zoneId: null },
  // Many residents, for batched state writes.
  ...Object.fromEntries(
    Array.from({ length: 250 }, (_, n) => [
      `wb-b${n}`,
      { deviceId: `wb-b${n}`, residentId: `rb${n}`, roomId: 'n1', zoneId: 'north' },
    ]),
  ),
};
const START = Date.UTC(2026, 10, 23, 10, 0, 0);

/** An engine as replay builds it: fake clock, recording sink, no gateway. */
function setup(rulesYaml: string, opts: { start?: number; store?: RuleStateStore } = {}) {
  const rules = parseRulesFile(BUILT_INS + rulesYaml, 'rules.yaml', { kinds });
  const time = fakeClock(opts.start ?? START);
  const store = opts.store ?? new MemoryRuleStateStore();
  const sink = new RecordingSink();
  const errors: string[] = [];
  const counted: string[] = [];
  const build = () =>
    testEngine(
      {
        clock: time.clock,
        sink,
        store,
        subjects: (id) => SUBJECTS[id],
        log: { error: (_o, msg) => errors.push(msg), warn: () => {} },
        kinds,
        metrics: { kindErrors: { inc: ({ rule }) => counted.push(rule) }, actions: { inc: () => {} } },
      },
      rules,
    );
  let engine = build();
  engine.start();
  const send = (deviceId: string, bpm?: number) =>
    engine.handle({ type: 'telemetry', at: time.clock.now(), deviceId, message: telemetry(bpm) });
  return {
    ...time,
    rules,
    sink,
    store,
    errors,
    counted,
    send,
    get engine() {
      return engine;
    },
    /** Stops this engine and starts a new one on the same store, as a gateway restart does. */
    restart() {
      engine.stop();
      engine = build();
      engine.start();
    },
  };
}

const HR = `  - id: hr
    kind: test-high-heart-rate
`;

describe('the rules engine', () => {
  it('wakes a rule at the deadline it asked for, with no input, and puts the rule id and version on the alert', async () => {
    const t = setup(HR);
    t.send('wb-1', 130);
    await t.tick(59_999);
    expect(t.sink.raised).toEqual([]);
    await t.tick(1);
    expect(t.sink.raised).toMatchObject([
      {
        alertKind: 'vital-sign',
        priority: 'medium',
        ruleId: 'hr',
        rulesVersion: t.rules.version,
        subject: { residentId: 'r1', zoneId: 'north' },
        at: START + 60_000,
      },
    ]);
  });

  it('one open alert per subject and rule: still above repeats nothing; back below clears it; a new episode is a new alert', async () => {
    const t = setup(HR);
    t.send('wb-1', 130);
    await t.tick(60_000);
    for (let i = 0; i < 5; i++) {
      t.send('wb-1', 135);
      await t.tick(1000);
    }
    t.send('wb-1', 80);
    t.send('wb-1', 130);
    await t.tick(60_000);
    expect(t.sink.log).toEqual([
      'raise 1 vital-sign medium hr',
      'clear 1 by rule',
      'raise 2 vital-sign medium hr',
    ]);
  });

  it('two rules raising the same alert kind for one resident keep an alert each; each repeats only its own', async () => {
    const t = setup(`${HR}  - id: hr-over-100
    kind: test-high-heart-rate
    priority: high
    params: { aboveBpm: 100 }
`);
    t.send('wb-1', 130);
    await t.tick(60_000);
    t.send('wb-1', 80);
    t.send('wb-1', 130);
    await t.tick(60_000);
    expect(t.sink.raised.map((a) => [a.id, a.ruleId, a.count])).toEqual([
      [1, 'hr', 1],
      [2, 'hr-over-100', 2], // high: latched on clear, so the relapse repeats it
      [3, 'hr', 1],
    ]);
  });

  it('a high-priority alert stays latched on clear: the instance keeps it, so a relapse repeats it', async () => {
    const t = setup(`${HR}    priority: high\n`);
    t.send('wb-1', 130);
    await t.tick(60_000);
    t.send('wb-1', 80);
    t.send('wb-1', 130);
    await t.tick(60_000);
    expect(t.sink.log).toEqual(['raise 1 vital-sign high hr', 'clear 1 by rule', 'repeat 1']);
  });

  it('tells the kind when staff closed its alert behind its back', async () => {
    const t = setup(HR);
    t.send('wb-1', 130);
    await t.tick(60_000);
    t.sink.resolve(1);
    t.send('wb-1', 80); // nothing open to clear any more
    expect(t.sink.log).toEqual(['raise 1 vital-sign medium hr']);
  });

  it('scope: zones and residents filter the subjects', async () => {
    const t = setup(`  - id: south-only
    kind: test-high-heart-rate
    scope: { zones: [south] }
  - id: r1-only
    kind: test-high-heart-rate
    scope: { residents: [r1] }
`);
    t.send('wb-1', 130);
    t.send('wb-3', 130);
    t.send('wb-x', 130); // a band nobody wears: no resident, no instance
    await t.tick(60_000);
    expect(t.sink.raised.map((a) => `${a.ruleId} ${a.subject.residentId}`).sort()).toEqual([
      'r1-only r1',
      'south-only r3',
    ]);
  });

  it('scope: an hours window across midnight takes 22:00 to 05:59 local and nothing else', async () => {
    const rule = `  - id: night
    kind: test-high-heart-rate
    scope: { hours: "22:00-06:00" }
    params: { sustainS: 1 }
`;
    const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m, 0);
    const taken = async (start: number) => {
      const t = setup(rule, { start });
      t.send('wb-1', 130);
      t.send('wb-1', 130);
      await t.tick(1000);
      t.send('wb-1', 130);
      return t.sink.raised.length;
    };
    expect(await taken(at(21, 58))).toBe(0);
    expect(await taken(at(22, 0))).toBe(1);
    expect(await taken(at(23, 59))).toBe(1);
    expect(await taken(at(0, 30))).toBe(1);
    expect(await taken(at(5, 58))).toBe(1);
    expect(await taken(at(6, 0))).toBe(0);
    expect(await taken(at(12, 0))).toBe(0);
  });

  it('per-resident overrides are merged over the rule’s params', async () => {
    const t = setup(`${HR}    params: { aboveBpm: 120 }
    overrides:
      r1: { aboveBpm: 150 }
`);
    t.send('wb-1', 140);
    t.send('wb-3', 140);
    await t.tick(60_000);
    expect(t.sink.raised.map((a) => a.subject.residentId)).toEqual(['r3']);
    t.send('wb-1', 160);
    await t.tick(60_000);
    expect(t.sink.raised.map((a) => a.subject.residentId)).toEqual(['r3', 'r1']);
  });

  it('a clock jump forward wakes every deadline that passed, once', async () => {
    const t = setup(HR);
    t.send('wb-1', 130);
    t.send('wb-3', 130);
    t.fake.setSystemTime(START + 3 * 3600_000);
    await t.tick(1000);
    t.send('wb-1', 130); // the first input after the jump finds the deadline long past
    await t.tick(60_000);
    expect(t.sink.raised.map((a) => a.subject.residentId).sort()).toEqual(['r1', 'r3']);
  });

  it('a clock stepped back keeps the deadline: it is re-armed, not lost and not fired early', async () => {
    const t = setup(HR);
    t.send('wb-1', 130);
    t.fake.setSystemTime(START - 3600_000);
    await t.tick(60_000); // the timer fires, but gateway time is an hour before the deadline
    expect(t.sink.raised).toEqual([]);
    await t.tick(3600_000);
    expect(t.sink.raised).toHaveLength(1);
    expect(t.sink.raised[0]!.at).toBe(START + 60_000);
  });

  it('a kind that throws: logged, counted, an unclassified alert to a person, and the other rules go on', async () => {
    const t = setup(HR);
    t.send('wb-1', THROWING_BPM);
    t.send('wb-1', THROWING_BPM); // the same fault again within a minute: counted, not raised again
    t.send('wb-3', 130);
    await t.tick(60_000);
    expect(t.counted).toEqual(['hr', 'hr']);
    expect(t.errors).toEqual(['rule kind failed; unclassified alert raised']);
    expect(t.sink.raised).toMatchObject([
      {
        alertKind: 'unclassified',
        priority: 'low',
        ruleId: 'hr',
        subject: { residentId: 'r1' },
        detail: { error: 'a bug in the kind' },
      },
      { alertKind: 'vital-sign', subject: { residentId: 'r3' } },
    ]);
  });

  it('restores state and deadlines after a restart mid-window (SQLite): one alert, at the right time, never a duplicate', async () => {
    const { db } = openTempDatabase();
    const t = setup(HR, { store: new SqliteRuleStateStore(db) });
    t.send('wb-1', 130);
    await t.tick(30_000);
    t.restart(); // stop flushes the batched state
    await t.tick(29_999);
    expect(t.sink.raised).toEqual([]);
    await t.tick(1);
    expect(t.sink.raised).toHaveLength(1);

    // Raised: its state went to SQLite in the alert's commit, not with the next batch.
    const row = new SqliteRuleStateStore(db).all().find((r) => r.ruleId === 'hr');
    expect(row).toMatchObject({ subject: 'resident:r1', openAlertId: 1, state: { raised: true } });
    t.restart();
    t.send('wb-1', 130);
    await t.tick(120_000);
    t.send('wb-1', 130);
    expect(t.sink.log).toEqual(['raise 1 vital-sign medium hr']);
  });

  it('batches state writes: telemetry is flushed every 5 min, not per message, 100 instances a turn', async () => {
    const { db } = openTempDatabase();
    const store = new SqliteRuleStateStore(db);
    const t = setup(HR, { store });
    for (let n = 0; n < 250; n++) t.send(`wb-b${n}`, 100);
    expect(store.all()).toEqual([]);
    await t.tick(299_999);
    expect(store.all()).toEqual([]);
    await t.tick(1);
    const first = store.all().length;
    expect(first, 'not all in one go').toBeLessThan(250);
    expect(first % 100, 'whole slices').toBe(0);
    for (let turn = 0; turn < 5; turn++) await new Promise((r) => setImmediate(r));
    const all = store.all();
    expect(all).toHaveLength(250);
    expect(all.every((i) => i.ruleId === 'hr' && (i.state as { seen: number }).seen === 1)).toBe(true);
  });

  it('gives a sampling kind telemetry at most once per sampleS, but a reading from a clock set back at once', async () => {
    const t = setup(`  - id: sampled\n    kind: test-sampled\n`);
    for (let s = 0; s < 30; s++) {
      t.send('wb-1', 100);
      await t.tick(1000);
    }
    t.engine.flush();
    const seen = () => (t.store.all().find((i) => i.ruleId === 'sampled')!.state as { seen: number }).seen;
    expect(seen(), 'readings at 0, 10 and 20 s of 30').toBe(3);
    t.fake.setSystemTime(t.fake.now - 3_600_000); // NTP steps the clock back an hour
    t.send('wb-1', 100);
    t.engine.flush();
    expect(seen()).toBe(4);
  });

  it('a state flush that fails (a full card) stops at its first slice, keeps everything, and tries again at the next flush', async () => {
    const store = new MemoryRuleStateStore();
    let full = true;
    let attempts = 0;
    const flush = store.flush.bind(store);
    store.flush = () => {
      attempts++;
      if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      flush();
    };
    const t = setup(HR, { store });
    for (let n = 0; n < 250; n++) t.send(`wb-b${n}`, 100);
    await t.tick(300_000);
    for (let turn = 0; turn < 5; turn++) await new Promise((r) => setImmediate(r));
    expect(attempts, 'one try, not one per slice').toBe(1);
    expect(t.errors.filter((e) => e.startsWith('could not save rule state'))).toHaveLength(1);
    full = false;
    t.send('wb-1', 100); // something changes: the next flush is due 5 minutes on
    await t.tick(300_000);
    for (let turn = 0; turn < 5; turn++) await new Promise((r) => setImmediate(r));
    expect(store.all()).toHaveLength(251);
  });

  it('a stop in the middle of a sliced flush writes the rest, and what changed since', async () => {
    const { db } = openTempDatabase();
    const store = new SqliteRuleStateStore(db);
    const t = setup(HR, { store });
    for (let n = 0; n < 250; n++) t.send(`wb-b${n}`, 100);
    await t.tick(300_000);
    expect(store.all().length).toBeLessThan(250);
    t.send('wb-1', 100);
    t.engine.stop();
    expect(store.all()).toHaveLength(251);
  });

  it('a reload that drops a rule drops its instances; the others keep their state', async () => {
    const t = setup(`${HR}  - id: hr2\n    kind: test-high-heart-rate\n`);
    t.send('wb-1', 130);
    await t.tick(30_000);
    t.engine.setRules(parseRulesFile(`${BUILT_INS}${HR}`, 'rules.yaml', { kinds }));
    await t.tick(30_000);
    expect(t.sink.raised.map((a) => a.ruleId)).toEqual(['hr']);
    t.engine.flush();
    expect(t.store.all().map((i) => i.ruleId)).toEqual(['hr']);
  });

  it('skips the built-in kinds live (the call rules and supervision run them on the alarm path)', () => {
    const t = setup('');
    t.engine.handle({
      type: 'event',
      at: START,
      deviceId: 'wb-1',
      message: { seq: 1, ts: 0, type: 'sos' },
    });
    expect(t.sink.raised).toEqual([]);
  });
});
