import type { AlertKind, WristbandTelemetry } from '@careedge/edge';
import { type Static, Type } from '@sinclair/typebox';
import type { Priority } from '../../src/alerts/model.js';
import type { AlertSink, RuleRaise } from '../../src/rules/alert-sink.js';
import { RuleEngine, type RuleEnginePorts } from '../../src/rules/engine.js';
import type { RuleSet } from '../../src/rules/file.js';
import type { RuleKind } from '../../src/rules/kind.js';
import { BUILT_IN_KINDS, RULE_KINDS } from '../../src/rules/kinds/index.js';
import { siteLocalTime } from '../../src/rules/local-time.js';

/** Heart rate this value makes the test kind throw (a bug in a kind, as the engine must survive it). */
export const THROWING_BPM = 222;

const TestParams = Type.Object(
  {
    aboveBpm: Type.Integer({ minimum: 1, default: 120, description: 'Raise above this heart rate.' }),
    sustainS: Type.Integer({ minimum: 1, default: 60, description: 'For this long.' }),
  },
  { additionalProperties: false, default: {} },
);
type TestParams = Static<typeof TestParams>;
interface TestState {
  aboveSince: number | null;
  raised: boolean;
  seen: number;
}

/**
 * A tiny kind for the engine's tests only (not in the registry): heart rate above `aboveBpm` for
 * `sustainS` raises a vital-sign alert (at its deadline, through wakeAt); back below clears it.
 */
export const testHighHeartRate: RuleKind<TestParams, TestState> = {
  name: 'test-high-heart-rate',
  subject: 'resident',
  inputs: ['telemetry'],
  params: TestParams,
  initial: () => ({ aboveSince: null, raised: false, seen: 0 }),
  step(state, input, params, ctx) {
    const due = (s: TestState) => (s.aboveSince === null ? null : s.aboveSince + params.sustainS * 1000);
    let s = { ...state, seen: state.seen + (input.type === 'tick' ? 0 : 1) };
    const actions: ReturnType<typeof testHighHeartRate.step>['actions'] = [];
    if (input.type === 'telemetry') {
      const bpm = input.message.heartRateBpm;
      if (bpm === THROWING_BPM) throw new Error('a bug in the kind');
      if (bpm !== undefined && bpm > params.aboveBpm) s = { ...s, aboveSince: s.aboveSince ?? input.at };
      else {
        if (s.raised) actions.push({ type: 'clear', by: 'rule', reason: 'heart rate back below' });
        s = { ...s, aboveSince: null, raised: false };
      }
    }
    const at = due(s);
    if (at !== null && !s.raised && input.at >= at) {
      s = { ...s, raised: true };
      actions.push({
        type: 'raise',
        alertKind: 'vital-sign',
        priority: 'medium',
        reason: `heart rate above ${params.aboveBpm}`,
        detail: { hadOpenAlert: ctx.openAlert !== null },
      });
    }
    return { state: s, actions, wakeAt: s.raised ? null : at };
  },
};

export const telemetry = (heartRateBpm?: number): WristbandTelemetry =>
  ({
    seq: 1,
    ts: 0,
    activity: 10,
    worn: true,
    batteryPct: 80,
    ...(heartRateBpm ? { heartRateBpm } : {}),
  }) as WristbandTelemetry;

/** An alert sink that records (as replay's will): high latches, anything else closes on clear. */
export class RecordingSink implements AlertSink {
  readonly raised: (RuleRaise & { id: number; count: number })[] = [];
  readonly log: string[] = [];
  private readonly open = new Map<number, { priority: Priority; raisedAt: number }>();

  raise(r: RuleRaise): number {
    r.settle();
    // As the live sink: a rule repeats its own open alert; only the engine's unclassified ones
    // (no repeatOf) join the subject's open alert of their kind.
    const same =
      r.repeatOf === undefined
        ? this.raised.find(
            (a) =>
              this.open.has(a.id) &&
              a.alertKind === r.alertKind &&
              a.subject.residentId === r.subject.residentId,
          )
        : this.raised.find((a) => a.id === r.repeatOf && this.open.has(a.id));
    if (same) {
      same.count++;
      this.log.push(`repeat ${same.id}`);
      return same.id;
    }
    const id = this.raised.length + 1;
    this.raised.push({ ...r, id, count: 1 });
    this.open.set(id, { priority: r.priority, raisedAt: r.at });
    this.log.push(`raise ${id} ${r.alertKind} ${r.priority} ${r.ruleId}`);
    return id;
  }
  openAlert(id: number) {
    const a = this.open.get(id);
    return a ? { id, ...a } : null;
  }
  openAlertOf(residentId: string, alertKind: AlertKind) {
    const a = this.raised.find(
      (r) => this.open.has(r.id) && r.alertKind === alertKind && r.subject.residentId === residentId,
    );
    return a ? this.openAlert(a.id) : null;
  }
  setPriority(id: number, priority: Priority): void {
    const a = this.open.get(id);
    if (a) a.priority = priority;
    this.log.push(`priority ${id} ${priority}`);
  }
  clear(id: number, by: 'device' | 'rule') {
    const a = this.open.get(id);
    if (!a) return 'already-closed' as const;
    this.log.push(`clear ${id} by ${by}`);
    if (a.priority === 'high') return 'latched' as const;
    this.open.delete(id);
    return 'closed' as const;
  }
  /** Staff closed it behind the rule's back. */
  resolve(id: number): void {
    this.open.delete(id);
  }
}

/**
 * A rule engine on the ports a test gives, as the gateway builds it otherwise: the built-in
 * kinds skipped (the alarm path runs them live), UTC local time, every kind plus the test kind,
 * errors and warnings dropped unless the test listens.
 */
export function testEngine(
  ports: Pick<RuleEnginePorts, 'clock' | 'sink' | 'store' | 'subjects'> & Partial<RuleEnginePorts>,
  rules: RuleSet,
): RuleEngine {
  return new RuleEngine(
    {
      local: siteLocalTime('UTC'),
      log: { error: () => {}, warn: () => {} },
      kinds: [...RULE_KINDS, testHighHeartRate],
      skipKinds: BUILT_IN_KINDS,
      ...ports,
    },
    rules,
  );
}
