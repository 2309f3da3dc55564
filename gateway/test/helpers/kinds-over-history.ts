import type { WristbandTelemetry } from '@careedge/edge';
import type { History, Incident } from '@careedge/firmware-sim';
import { parseSiteFile } from '../../src/register/register.js';
import type { RuleAction, RuleKind, StepContext } from '../../src/rules/kind.js';
import { localTimeIn } from './local-time.js';

/**
 * A small stand-in for the rules engine, for judging pure resident kinds against the synthetic
 * ground truth (docs/ground-truth.md) without a gateway: each band's telemetry goes to its
 * resident's instance in time order, ticks come when `wakeAt` passes, and every so often the
 * state goes through JSON as across a restart. Not the engine: no scopes, no storm handling.
 */

export interface KindUnderTest {
  // biome-ignore lint/suspicious/noExplicitAny: kinds of different params and states side by side
  kind: RuleKind<any, any>;
  params: unknown;
}

export interface RaisedAlert {
  rule: string;
  residentId: string;
  at: number;
  alertKind: string;
  reason: string;
}

interface Instance {
  state: unknown;
  wakeAt: number | null;
  openAlert: StepContext['openAlert'];
}

/** Steps between two trips of the state through JSON (a restart mid-window). */
const ROUND_TRIP_EVERY = 997;

export function runKindsOverHistory(history: History, kinds: KindUnderTest[]): RaisedAlert[] {
  const { truth } = history;
  const local = localTimeIn(truth.timezone);
  const residentOf = new Map(truth.residents.map((r) => [r.deviceId, r.residentId]));
  // The subject attribute the engine passes, from the site file as the register reads it.
  const flagged = new Set(
    parseSiteFile(history.site.yaml, 'history.site.yaml')
      .residents.filter((r) => r.nightWanderingRisk)
      .map((r) => r.id),
  );
  const instances = new Map<string, Instance>();
  const raised: RaisedAlert[] = [];
  let steps = 0;
  let nextId = 1;

  const key = (rule: string, residentId: string) => `${rule}\u0000${residentId}`;
  const step = (
    k: KindUnderTest,
    residentId: string,
    input: Parameters<RuleKind<unknown, unknown>['step']>[1],
  ) => {
    const id = key(k.kind.name, residentId);
    let inst = instances.get(id);
    if (!inst) {
      inst = { state: k.kind.initial(k.params, input.at), wakeAt: null, openAlert: null };
      instances.set(id, inst);
    }
    const ctx = {
      local,
      openAlert: inst.openAlert,
      subject: { nightWanderingRisk: flagged.has(residentId) },
    };
    const result = k.kind.step(inst.state, input, k.params, ctx);
    inst.state = ++steps % ROUND_TRIP_EVERY === 0 ? JSON.parse(JSON.stringify(result.state)) : result.state;
    inst.wakeAt = result.wakeAt;
    if (result.wakeAt !== null) earliest = Math.min(earliest, result.wakeAt);
    for (const action of result.actions) apply(inst, action, k.kind.name, residentId, input.at);
  };
  const apply = (inst: Instance, action: RuleAction, rule: string, residentId: string, at: number) => {
    if (action.type === 'raise') {
      if (inst.openAlert === null) {
        inst.openAlert = { id: nextId++, priority: action.priority, raisedAt: at };
        raised.push({ rule, residentId, at, alertKind: action.alertKind, reason: action.reason });
      }
    } else if (action.type === 'clear') {
      // Low priority closes itself; a carer is taken to acknowledge the others at once.
      inst.openAlert = null;
    }
  };
  const nextWake = () =>
    Math.min(...[...instances.values()].map((i) => i.wakeAt ?? Number.POSITIVE_INFINITY));
  let earliest = Number.POSITIVE_INFINITY;
  const tickUntil = (ts: number) => {
    if (ts < earliest) return;
    for (const [id, inst] of instances) {
      while (inst.wakeAt !== null && inst.wakeAt <= ts) {
        const [rule, residentId] = id.split('\u0000') as [string, string];
        const k = kinds.find((x) => x.kind.name === rule)!;
        const at = inst.wakeAt;
        inst.wakeAt = null;
        step(k, residentId, { type: 'tick', at });
      }
    }
    earliest = nextWake();
  };

  for (const m of history.messages()) {
    if (m.channel !== 'deviceTelemetry') continue;
    tickUntil(m.ts);
    const residentId = residentOf.get(m.deviceId)!;
    const message = m.payload as WristbandTelemetry;
    for (const k of kinds) step(k, residentId, { type: 'telemetry', at: m.ts, message });
  }
  tickUntil(truth.endTs);
  return raised;
}

/** Which incidents each alert kind should find (docs/ground-truth.md). */
export const INCIDENT_OF_ALERT: Record<string, Incident['kind']> = {
  inactivity: 'daytime-inactivity',
  'not-up': 'late-rising',
  'night-wandering': 'night-wandering',
};

export interface KindScore {
  alertKind: string;
  incidents: number;
  detected: number;
  worstDelayS: number | null;
  falseAlerts: number;
  falsePerResidentWeek: number;
  /** False alerts outside any incident of the resident (not, say, stillness after a fall). */
  unexplained: number;
}

/**
 * The design's measure (docs/design/anomaly-rules.md, Evaluation): an alert for the resident
 * between an incident's start and its deadline detects it; any other alert is false.
 */
export function score(history: History, raised: RaisedAlert[], alertKind: string): KindScore {
  const { truth } = history;
  const inWindow = (a: RaisedAlert, x: Incident) =>
    a.residentId === x.residentId && a.at >= x.startTs && a.at <= x.startTs + x.deadlineS * 1000;
  const mine = raised.filter((a) => a.alertKind === alertKind);
  const incidents = truth.incidents.filter((x) => x.kind === INCIDENT_OF_ALERT[alertKind]);
  const delays = incidents.flatMap((x) => {
    const hit = mine.find((a) => inWindow(a, x));
    return hit ? [(hit.at - x.startTs) / 1000] : [];
  });
  const falseOnes = mine.filter((a) => !truth.incidents.some((x) => inWindow(a, x)));
  const during = (a: RaisedAlert, x: Incident) =>
    a.residentId === x.residentId &&
    a.at >= x.startTs &&
    a.at <= Math.max(x.endTs, x.startTs + x.deadlineS * 1000);
  const unexplained = falseOnes.filter((a) => !truth.incidents.some((x) => during(a, x))).length;
  const falseAlerts = falseOnes.length;
  const residentWeeks = (truth.residents.length * (truth.endTs - truth.startTs)) / (7 * 86_400_000);
  return {
    alertKind,
    incidents: incidents.length,
    detected: delays.length,
    worstDelayS: delays.length ? Math.max(...delays) : null,
    falseAlerts,
    falsePerResidentWeek: Math.round((falseAlerts / residentWeeks) * 100) / 100,
    unexplained,
  };
}
