import type { RecordedMessage } from '@careedge/edge';
import FakeTimers from '@sinonjs/fake-timers';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { AlertChange, AlertEvents } from '../alerts/events.js';
import type { Alert, Priority } from '../alerts/model.js';
import type { DispatchPlanning } from '../alerts/planning.js';
import { AlertService } from '../alerts/service.js';
import { AlertStore } from '../alerts/store.js';
import { loadConfig } from '../config/load.js';
import { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import { openDatabase } from '../core/db.js';
import type { GatewayModule } from '../core/module.js';
import type { IngestEvents } from '../ingest/events.js';
import { importSite, SiteRegister } from '../register/register.js';
import { CallRules } from './call-rules.js';
import { EXAMPLE_RULES, loadRulesFile, type RuleSet } from './file.js';
import { RULE_KINDS } from './kinds/index.js';
import { ruleEngineMetrics } from './metrics.js';
import type { OpenOfflineRules, ReplayAlert } from './offline.js';
import { RulesModule } from './rules-module.js';
import { configDefaults, RulesSource } from './source.js';
import { HeartbeatSupervision } from './supervision.js';

/**
 * Offline, nobody answers an alert; a carer is taken to close each one this long after it was
 * raised, so a later occurrence raises a new alert as it would on a staffed site instead of
 * joining one left open for weeks.
 */
const STAFF_CLOSE_AFTER_MS = 30 * 60_000;

/** Offline nobody is asked: the alert service records a dispatch to no one. */
const nobody: DispatchPlanning = {
  plan: (_alert, step, now) => ({ level: step ?? 0, staffIds: [], deadlineAt: now + 86_400_000 }),
  ackDeadline: (_priority, now) => now + 86_400_000,
  isOffline: () => false,
};

/**
 * The gateway's rules, offline: an in-memory SQLite database, the site register, the alert
 * service and the rule modules (calls, supervision and the rule engine) on a private bus and a
 * fake clock that follows the messages. Alerts are read from the bus as the gateway publishes
 * them. A rules file that is not valid is refused with its `file:line: path: message` lines
 * (the gateway would fall back to the example rules: here that would judge the wrong rules).
 */
export const openOfflineRules: OpenOfflineRules = async ({ site, rulesFile, startTs }) => {
  const log = pino({ level: 'silent' });
  const config = loadConfig({ overrides: { log: { level: 'silent' }, rules: { file: rulesFile ?? '' } } });
  const ruleSet = loadRulesFile(rulesFile ?? EXAMPLE_RULES, { defaults: configDefaults(config) });
  const db = openDatabase(':memory:');
  importSite(db, site, startTs);
  const register = new SiteRegister(db);
  const fake = FakeTimers.createClock(startTs);
  const clock: Clock = {
    now: () => fake.now,
    setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
    clearTimeout: (h) => fake.clearTimeout(h as number),
  };
  const bus = new EventBus<IngestEvents & AlertEvents>(log);
  const metrics = { registry: new Registry() };
  const alertStore = new AlertStore(db);
  const alerts = new AlertService(alertStore, register, bus, clock, metrics, nobody, config.dispatch);
  const source = new RulesSource({ config, clock, log });
  const ctx = { bus, alerts, alertStore, register, clock, log, db, metrics, config, rules: source };
  const rules: GatewayModule[] = [
    new CallRules(ctx),
    new HeartbeatSupervision(ctx),
    new RulesModule({ ...ctx, ruleMetrics: ruleEngineMetrics(metrics.registry) }),
  ];
  for (const r of rules) await r.start();

  const raised: ReplayAlert[] = [];
  const byId = new Map<number, ReplayAlert>();
  bus.on('replay', 'alert:changed', (c: AlertChange) => {
    const a = c.alert;
    if (c.action === 'raised') {
      const r = replayAlert(a, c, ruleSet);
      raised.push(r);
      byId.set(a.id, r);
      fake.setTimeout(() => {
        if (alerts.get(a.id).closedAt === null) alerts.cancel(a.id, { kind: 'system' });
      }, STAFF_CLOSE_AFTER_MS);
      return;
    }
    const r = byId.get(a.id);
    if (!r) return;
    if (c.action === 'repeated') {
      r.repeats++;
      const up = c.detail.upgradedTo as Priority | undefined;
      if (up)
        r.priorityChanges.push({ at: fake.now, priority: up, reason: `repeated by ${c.detail.trigger}` });
    }
    if (c.action === 'reprioritised')
      r.priorityChanges.push({
        at: fake.now,
        priority: a.priority,
        reason: typeof c.detail.reason === 'string' ? c.detail.reason : 'reprioritised',
      });
    if (c.action === 'condition-cleared' || (c.action === 'cancelled' && c.actor.kind !== 'system'))
      r.clearedAt ??= fake.now;
  });

  const advance = (ts: number) => {
    if (ts > fake.now) fake.tick(ts - fake.now);
  };
  return {
    feed(m: RecordedMessage) {
      advance(m.ts);
      const source = register.deviceContext(m.deviceId);
      if (!source) return; // ingest refuses a device the site does not know
      const at = { source, receivedAt: m.ts };
      switch (m.channel) {
        case 'deviceTelemetry':
          bus.emit('device:telemetry', { ...at, message: m.payload });
          break;
        case 'deviceEvent':
          bus.emit('device:event', { ...at, message: m.payload });
          break;
        case 'deviceHeartbeat':
          bus.emit('device:heartbeat', { ...at, message: m.payload });
          break;
        case 'deviceStatus':
          bus.emit('device:status', { ...at, message: m.payload });
          break;
      }
    },
    advanceTo: advance,
    alerts: () => raised,
    close() {
      for (const r of rules) void r.stop();
      db.close();
    },
  };
};

function replayAlert(a: Alert, c: AlertChange, ruleSet: RuleSet): ReplayAlert {
  const rule = ruleSet.rules.find((r) => r.id === a.ruleId);
  const ruleKind = rule?.kind ?? (a.kind === 'device-offline' ? 'heartbeat-missed' : 'instant');
  const subjectKind = RULE_KINDS.find((k) => k.name === ruleKind)?.subject ?? 'device';
  return {
    at: a.raisedAt,
    ruleId: a.ruleId ?? a.kind,
    ruleKind,
    alertKind: a.kind,
    // A call from a band is about its resident (the instant kind watches devices because a room's
    // buttons have no resident); a call from a button, and supervision, about the device.
    subject:
      (subjectKind === 'device' && ruleKind !== 'instant') || a.residentId === null
        ? { kind: 'device', id: a.deviceId }
        : { kind: 'resident', id: a.residentId },
    priority: a.priority,
    reason: typeof c.detail.reason === 'string' ? c.detail.reason : `${a.kind} from ${a.deviceId}`,
    repeats: 0,
    priorityChanges: [],
    clearedAt: null,
  };
}
