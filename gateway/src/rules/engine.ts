import type { AlertKind } from '@careedge/edge';
import type { Clock } from '../core/clock.js';
import type { AlertSink } from './alert-sink.js';
import { Deadlines } from './deadlines.js';
import type { Rule, RuleSet } from './file.js';
import type { LocalTime, RuleAction, RuleInput, StepContext } from './kind.js';
import { type AnyRuleKind, RULE_KINDS } from './kinds/index.js';
import type { RuleEngineMetrics } from './metrics.js';
import { inScope, type SubjectInfo, withOverrides } from './scope.js';
import type { RuleInstance, RuleStateStore } from './state-store.js';

/** An input from a device, as ingest hands it over (tick inputs are the engine's own). */
export type DeviceInput = Exclude<RuleInput, { type: 'tick' }> & { deviceId: string };

export interface RuleEnginePorts {
  /** Timers and now: the gateway's clock live, a fake one in replay and tests. */
  clock: Clock;
  sink: AlertSink;
  store: RuleStateStore;
  /** The site register's device context, or undefined for a device it does not know. */
  subjects: (deviceId: string) => SubjectInfo | undefined;
  local: (at: number) => LocalTime;
  log: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  kinds?: readonly AnyRuleKind[];
  /** Kinds run elsewhere (live: the call rules and heartbeat supervision, on the alarm path). */
  skipKinds?: ReadonlySet<string>;
  metrics?: RuleEngineMetrics;
  /** How often batched state is written; 0: only by flush() (replay). */
  flushEveryMs?: number;
}

/**
 * Batched state is written this often: a crash loses at most this much of a window's progress (a
 * raising step's state is written with its alert, so no alert is raised twice). 5,000 residents'
 * rules hold about 25 MB of state (baselines, activity windows): every 30 s that was 0.8 MB/s of
 * writes and WAL checkpoints on the alarm database's card.
 */
const FLUSH_EVERY_MS = 5 * 60_000;
/** Instances written per turn of the event loop by a timed flush (about a millisecond's worth). */
const FLUSH_SLICE = 100;

/** How soon a raise that failed (SQLite busy) is tried again: an alert must not be lost. */
const RETRY_MS = 5000;
/**
 * A resident's band not worn says nothing about the resident while another of their bands was
 * heard worn this recently (a spare left on in its charger): its readings do not reach the
 * resident's rules, or every one of them would reset what the worn band told (not-up, inactivity).
 */
const WORN_ELSEWHERE_MS = 10 * 60_000;
/** A kind failing on every message raises (and logs) one unclassified alert a minute, not one a message. */
const UNCLASSIFIED_EVERY_MS = 60_000;

interface Route {
  rule: Rule;
  kind: AnyRuleKind;
  /**
   * Instance keys by subject key, made once: 5,000 readings a second through a dozen rules made
   * 60,000 key strings a second, each hashed afresh for the instance map and the dirty set.
   */
  keys: Map<string, string>;
}

/** A device's subject keys, made once (see Route.keys); renewed if the band changes resident. */
interface SubjectKeys {
  residentId: string | null;
  resident: string | null;
  device: string;
}

const keyOf = (subject: string, ruleId: string) => `${subject}\u0000${ruleId}`;

/**
 * The rules engine (docs/design/anomaly-rules.md): routes each device input to the rule instances
 * in scope, one per (subject, rule), steps their kind, keeps their state (store) and deadlines
 * (one timer on the clock), and turns their actions into alerts (sink), one open alert per
 * instance. It needs no gateway: replay builds it with a fake clock, a memory store and a
 * recording sink, and calls handle() for each recorded input.
 */
export class RuleEngine {
  private rules: RuleSet;
  private routes = new Map<string, Route[]>();
  private byId = new Map<string, Route>();
  private readonly instances = new Map<string, RuleInstance>();
  private readonly keysByDevice = new Map<string, SubjectKeys>();
  /** When each instance was last given telemetry, for kinds that sample it (RuleKind.sampleS). */
  private readonly lastFed = new Map<string, number>();
  /** When each device's telemetry last went to the rules, and how often it may (see index()). */
  private readonly lastTelemetry = new Map<string, number>();
  private telemetryEveryMs = 0;
  private readonly dirty = new Set<string>();
  /** Taken from dirty by the last timed flush, still being written a slice a turn. */
  private flushing: string[] = [];
  private readonly deadlines = new Deadlines();
  private timer: { handle: unknown; at: number } | undefined;
  private flushTimer: unknown;
  private readonly lastUnclassified = new Map<string, number>();
  /** Per resident, the band last heard worn and when (see WORN_ELSEWHERE_MS). */
  private readonly wornBand = new Map<string, { deviceId: string; at: number }>();
  private running = false;

  constructor(
    private readonly ports: RuleEnginePorts,
    rules: RuleSet,
  ) {
    this.rules = rules;
    this.index();
  }

  get version(): string {
    return this.rules.version;
  }

  /**
   * Restores every instance and its deadline (a deadline passed while stopped fires now). An
   * instance whose rule is not in force is kept, inert, not deleted until the next reload: a rule
   * taken out by mistake and put back finds its windows still open.
   */
  start(): void {
    this.running = true;
    for (const i of this.ports.store.all()) {
      if (this.kindChanged(i)) {
        this.ports.store.delete(i.subject, i.ruleId);
        continue;
      }
      this.instances.set(keyOf(i.subject, i.ruleId), i);
      if (i.wakeAt !== null) this.deadlines.push(i.wakeAt, keyOf(i.subject, i.ruleId));
    }
    this.runDue();
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.ports.clock.clearTimeout(this.timer.handle);
    if (this.flushTimer !== undefined) this.ports.clock.clearTimeout(this.flushTimer);
    this.timer = undefined;
    this.flushTimer = undefined;
    this.flush();
  }

  /**
   * New rules (a reload): instances of rules that are gone, or whose id now names another kind, are
   * dropped (another kind's state would make the new kind throw or misjudge); the others keep theirs.
   */
  setRules(rules: RuleSet): void {
    this.rules = rules;
    this.index();
    for (const [key, i] of this.instances) {
      if (this.byId.has(i.ruleId) && !this.kindChanged(i)) continue;
      this.instances.delete(key);
      this.dirty.delete(key);
      this.lastFed.delete(key);
      this.ports.store.delete(i.subject, i.ruleId);
    }
  }

  /** The instance's rule is in force with another kind than the one whose state it holds. */
  private kindChanged(i: RuleInstance): boolean {
    const kind = this.byId.get(i.ruleId)?.kind.name;
    return kind !== undefined && i.kind !== null && i.kind !== kind;
  }

  /** One input from a device, in arrival order. */
  handle(input: DeviceInput): void {
    const routes = this.routes.get(input.type);
    if (!routes) return;
    if (input.type === 'telemetry' && this.telemetryEveryMs > 0) {
      // Before anything else: at 5,000 bands × 4 Hz this is 20,000 readings a second, and each
      // one through every rule's lookups was a sixth of the gateway's CPU for nothing.
      const last = this.lastTelemetry.get(input.deviceId);
      if (last !== undefined && input.at >= last && input.at - last < this.telemetryEveryMs) return;
      this.lastTelemetry.set(input.deviceId, input.at);
    }
    const subject = this.ports.subjects(input.deviceId);
    if (!subject) return;
    const local = () => this.ports.local(input.at);
    const keys = this.subjectKeys(subject);
    const wornElsewhere = input.type === 'telemetry' && this.wornElsewhere(subject, input);
    for (const route of routes) {
      if (wornElsewhere && route.kind.subject === 'resident') continue;
      const subjectKey = route.kind.subject === 'resident' ? keys.resident : keys.device;
      if (subjectKey === null) {
        this.roomEvent(route, subject, input, local);
        continue;
      }
      if (!inScope(route.rule.scope, subject, local)) continue;
      this.step(route, subjectKey, subject, input);
    }
  }

  /** A reading of a band not worn while another band of the resident was heard worn lately. */
  private wornElsewhere(subject: SubjectInfo, input: DeviceInput & { type: 'telemetry' }): boolean {
    if (subject.residentId === null) return false;
    if (input.message.worn) {
      this.wornBand.set(subject.residentId, { deviceId: input.deviceId, at: input.at });
      return false;
    }
    const worn = this.wornBand.get(subject.residentId);
    if (worn === undefined || worn.deviceId === input.deviceId) return false;
    const since = input.at - worn.at;
    return since >= 0 && since <= WORN_ELSEWHERE_MS;
  }

  /** A room device's event that a resident kind takes (roomEvents): to each resident of the room. */
  private roomEvent(route: Route, subject: SubjectInfo, input: DeviceInput, local: () => LocalTime): void {
    if (input.type !== 'event' || !route.kind.roomEvents?.includes(input.message.type)) return;
    for (const r of subject.roomResidents?.() ?? []) {
      const resident: SubjectInfo = { ...subject, residentId: r.residentId, attributes: r.attributes };
      if (!inScope(route.rule.scope, resident, local)) continue;
      this.step(route, `resident:${r.residentId}`, resident, input, { borrowed: true });
    }
  }

  private subjectKeys(subject: SubjectInfo): SubjectKeys {
    let keys = this.keysByDevice.get(subject.deviceId);
    if (keys === undefined || keys.residentId !== subject.residentId) {
      keys = {
        residentId: subject.residentId,
        resident: subject.residentId === null ? null : `resident:${subject.residentId}`,
        device: `device:${subject.deviceId}`,
      };
      this.keysByDevice.set(subject.deviceId, keys);
    }
    return keys;
  }

  /** Wakes every instance whose deadline is due by `now` (a clock jump forward wakes them all). */
  runDue(now = this.ports.clock.now()): void {
    for (let due = this.deadlines.popDue(now); due; due = this.deadlines.popDue(now)) {
      const i = this.instances.get(due.key);
      if (!i || i.wakeAt !== due.at) continue; // moved or gone since
      const route = this.byId.get(i.ruleId);
      const subject = this.ports.subjects(i.deviceId);
      i.wakeAt = null;
      if (!route || !subject) continue;
      this.step(route, i.subject, subject, { type: 'tick', at: due.at });
    }
    if (this.deadlines.size > 4 * this.instances.size + 1024)
      this.deadlines.compact((at, key) => this.instances.get(key)?.wakeAt === at);
    this.arm();
  }

  /** Writes the batched state now, all of it (on stop, and in replay). */
  flush(): void {
    this.write([...this.flushing, ...this.dirty]);
    this.flushing = [];
    this.dirty.clear();
  }

  /**
   * Every flushEveryMs: what changed since, FLUSH_SLICE instances a turn. 5,000 residents with a
   * dozen rules each change 60,000 states between flushes (a baseline's hour sums move with every
   * reading), 1–2 KB of JSON each: written in one go, that held the event loop for most of a
   * second, alarms included.
   */
  private flushInSlices(): void {
    this.flushing.push(...this.dirty);
    this.dirty.clear();
    const slice = () => {
      if (!this.write(this.flushing.splice(0, FLUSH_SLICE))) {
        // A full or failing card: the rest waits for the next flush rather than retrying every
        // slice (each retry carries the failed rows again: 350 slices of growing transactions at
        // 5,000 residents, on the alarms' connection, exactly when the card is in trouble).
        for (const key of this.flushing) this.dirty.add(key);
        this.flushing = [];
        return;
      }
      if (this.flushing.length > 0) setImmediate(slice);
    };
    slice();
  }

  /** Writes these instances' state; false (logged, kept for the next try) when it could not. */
  private write(keys: readonly string[]): boolean {
    for (const key of keys) {
      const i = this.instances.get(key);
      if (i) this.ports.store.put(i);
    }
    try {
      this.ports.store.flush();
      return true;
    } catch (err) {
      for (const key of keys) this.dirty.add(key);
      this.ports.log.error({ err }, 'could not save rule state; kept in memory for the next try');
      return false;
    }
  }

  private index(): void {
    const kinds = this.ports.kinds ?? RULE_KINDS;
    this.routes = new Map();
    this.byId = new Map();
    this.lastTelemetry.clear();
    for (const rule of this.rules.rules) {
      const kind = kinds.find((k) => k.name === rule.kind);
      if (!kind || this.ports.skipKinds?.has(kind.name)) continue;
      const route = { rule, kind, keys: new Map<string, string>() };
      this.byId.set(rule.id, route);
      for (const type of kind.inputs) {
        const list = this.routes.get(type) ?? [];
        list.push(route);
        this.routes.set(type, list);
      }
    }
    // A device's telemetry reaches the rules at most this often: the shortest sampleS of the rules
    // that take telemetry (each still samples by its own, per instance); 0 if one takes every reading.
    const sampling = (this.routes.get('telemetry') ?? []).map((r) => r.kind.sampleS);
    this.telemetryEveryMs = sampling.some((s) => s === undefined)
      ? 0
      : Math.min(...(sampling as number[])) * 1000;
  }

  /** `borrowed`: the input is another device's (a room's button): the instance keeps its own device. */
  private step(
    { rule, kind, keys }: Route,
    subjectKey: string,
    subject: SubjectInfo,
    input: RuleInput,
    opts: { borrowed?: boolean } = {},
  ): void {
    let key = keys.get(subjectKey);
    if (key === undefined) {
      key = keyOf(subjectKey, rule.id);
      keys.set(subjectKey, key);
    }
    const params = withOverrides(
      rule.params,
      subject.residentId === null ? undefined : rule.overrides[subject.residentId],
    );
    let i = this.instances.get(key);
    if (!i) {
      i = {
        subject: subjectKey,
        ruleId: rule.id,
        kind: kind.name,
        deviceId: subject.deviceId,
        state: undefined,
        wakeAt: null,
        openAlertId: null,
      };
      try {
        i.state = kind.initial(params, input.at);
      } catch (err) {
        this.kindFailed(rule, subject, key, input, err);
        return;
      }
      this.instances.set(key, i);
    }
    if (kind.sampleS !== undefined && input.type === 'telemetry') {
      const last = this.lastFed.get(key);
      if (last !== undefined && input.at >= last && input.at - last < kind.sampleS * 1000) return;
      this.lastFed.set(key, input.at);
    }
    const own = i.openAlertId === null ? null : this.ports.sink.openAlert(i.openAlertId);
    if (!own) i.openAlertId = null;
    // A followed alert is looked up (SQLite) only when the kind reads it: fall-followup does so
    // only while it watches after a fall, not on every reading of every band.
    let followed: { alert: StepContext['openAlert'] } | undefined;
    const follows = kind.follows;
    const openAlert = () => {
      if (!follows) return own;
      followed ??= { alert: this.followed(follows, subject) };
      return followed.alert;
    };
    const ctx: StepContext = {
      local: this.ports.local,
      get openAlert() {
        return openAlert();
      },
      ...(subject.attributes ? { subject: subject.attributes } : {}),
    };
    let result: ReturnType<AnyRuleKind['step']>;
    try {
      result = kind.step(i.state, input, params, ctx);
    } catch (err) {
      this.kindFailed(rule, subject, key, input, err);
      return;
    }
    i.state = result.state;
    if (input.type !== 'tick' && !opts.borrowed) i.deviceId = subject.deviceId;
    if (result.wakeAt !== i.wakeAt) {
      i.wakeAt = result.wakeAt;
      if (result.wakeAt !== null) this.schedule(result.wakeAt, key);
    }
    this.markDirty(key);
    // Priority changes and clearing act on the alert the kind was shown (a followed one included).
    if (result.actions.length === 0) return;
    const target = openAlert()?.id ?? null;
    for (const action of result.actions) this.apply(rule, i, subject, input.at, action, target);
  }

  /** The subject's open alert of the kind a rule follows up, whoever raised it. */
  private followed(alertKind: AlertKind, subject: SubjectInfo): StepContext['openAlert'] {
    return subject.residentId === null ? null : this.ports.sink.openAlertOf(subject.residentId, alertKind);
  }

  private apply(
    rule: Rule,
    i: RuleInstance,
    subject: SubjectInfo,
    at: number,
    action: RuleAction,
    target: number | null,
  ): void {
    const { sink, metrics, log } = this.ports;
    const note = { ruleId: rule.id, reason: action.reason };
    try {
      switch (action.type) {
        case 'raise': {
          const id = sink.raise({
            subject,
            alertKind: action.alertKind,
            priority: rule.priority ?? action.priority,
            reason: action.reason,
            detail: action.detail ?? {},
            ruleId: rule.id,
            rulesVersion: this.rules.version,
            at,
            repeatOf: i.openAlertId,
            settle: () => this.ports.store.putNow(i),
          });
          i.openAlertId = id;
          this.ports.store.putNow(i);
          this.dirty.delete(keyOf(i.subject, i.ruleId));
          break;
        }
        case 'set-priority':
          if (target !== null) sink.setPriority(target, action.priority, note);
          break;
        case 'clear':
          if (target === null) break;
          if (sink.clear(target, action.by, subject.deviceId, note) !== 'latched' && target === i.openAlertId)
            i.openAlertId = null;
          break;
      }
      metrics?.actions.inc({ rule: rule.id, action: action.type });
    } catch (err) {
      if (action.type !== 'raise') {
        // Left as it was, the alert still reaches a carer, who closes it: the safe way to fail.
        log.error({ err, rule: rule.id, alertId: i.openAlertId }, `rule ${action.type} failed`);
        return;
      }
      log.error({ err, rule: rule.id, subject: i.subject }, 'raising a rule alert failed; retrying in 5 s');
      this.ports.clock.setTimeout(() => {
        if (this.running) this.apply(rule, i, subject, at, action, target);
      }, RETRY_MS);
    }
  }

  /** A kind that throws: logged, counted, and a person is told (unclassified), the others go on. */
  private kindFailed(rule: Rule, subject: SubjectInfo, key: string, input: RuleInput, err: unknown): void {
    const { log, metrics, sink, clock } = this.ports;
    metrics?.kindErrors.inc({ rule: rule.id });
    const last = this.lastUnclassified.get(key);
    const now = clock.now();
    // A last one "later" than now (the clock was set back) does not silence the next for that long.
    if (last !== undefined && now >= last && now - last < UNCLASSIFIED_EVERY_MS) return;
    this.lastUnclassified.set(key, now);
    log.error(
      { err, rule: rule.id, kind: rule.kind, input: input.type },
      'rule kind failed; unclassified alert raised',
    );
    try {
      sink.raise({
        // No zone: the zone's carers are not asked to debug a rule; the shift supervisor is.
        subject: { ...subject, zoneId: null },
        alertKind: 'unclassified',
        priority: 'low',
        reason: `rule ${rule.id} (${rule.kind}) failed on a ${input.type}`,
        detail: { error: String((err as Error)?.message ?? err).slice(0, 200), zone: subject.zoneId },
        ruleId: rule.id,
        rulesVersion: this.rules.version,
        at: input.at,
        settle: () => {},
      });
    } catch (e) {
      log.error({ err: e, rule: rule.id }, 'could not raise the unclassified alert');
    }
  }

  private schedule(at: number, key: string): void {
    this.deadlines.push(at, key);
    if (this.running && (!this.timer || at < this.timer.at)) this.arm();
  }

  private arm(): void {
    if (!this.running) return;
    const next = this.deadlines.peek();
    if (this.timer && this.timer.at === next) return;
    if (this.timer) this.ports.clock.clearTimeout(this.timer.handle);
    this.timer = undefined;
    if (next === undefined) return;
    // Never longer than a day: a timer beyond 2^31 ms fires at once in Node.
    const ms = Math.min(Math.max(0, next - this.ports.clock.now()), 86_400_000);
    this.timer = {
      at: next,
      handle: this.ports.clock.setTimeout(() => {
        this.timer = undefined;
        this.runDue();
      }, ms),
    };
  }

  /**
   * Noted for the next batch. The flush timer runs only while something waits to be written: an
   * idle gateway (or a test moving the clock on by months) has no timer every few seconds.
   */
  private markDirty(key: string): void {
    this.dirty.add(key);
    const every = this.ports.flushEveryMs ?? FLUSH_EVERY_MS;
    if (every <= 0 || !this.running || this.flushTimer !== undefined) return;
    this.flushTimer = this.ports.clock.setTimeout(() => {
      this.flushTimer = undefined;
      this.flushInSlices();
    }, every);
  }
}
