import type { AlertService } from '../alerts/service.js';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Logger } from '../core/logger.js';
import type { GatewayModule } from '../core/module.js';
import type { FromDevice, IngestEvents } from '../ingest/events.js';
import type { SiteRegister } from '../register/register.js';
import type { Resident } from '../register/types.js';
import { AlertServiceSink } from './alert-sink.js';
import { type DeviceInput, RuleEngine } from './engine.js';
import type { SubjectAttributes } from './kind.js';
import { BUILT_IN_KINDS } from './kinds/index.js';
import { siteLocalTime } from './local-time.js';
import type { RuleEngineMetrics } from './metrics.js';
import type { RulesSource } from './source.js';
import { SqliteRuleStateStore } from './state-store.js';

// Shared, not made per message: the subject lookup runs for every reading of every band.
const FLAGGED: SubjectAttributes = Object.freeze({ nightWanderingRisk: true });
const NOT_FLAGGED: SubjectAttributes = Object.freeze({ nightWanderingRisk: false });
const attributesOf = (r: Resident | undefined): SubjectAttributes =>
  r?.nightWanderingRisk === true ? FLAGGED : NOT_FLAGGED;

/**
 * The anomaly rules in the gateway: ingest's device events → the engine, the alert service as its
 * sink, SQLite for its state, the rules file watched for changes. Optional: the alarm path (calls,
 * supervision) does not run through it.
 */
export class RulesModule implements GatewayModule {
  readonly name = 'rules-engine';
  readonly optional = true;
  readonly engine: RuleEngine;

  constructor(
    private readonly ctx: {
      bus: EventBus<
        Pick<IngestEvents, 'device:telemetry' | 'device:event' | 'device:heartbeat' | 'device:status'>
      >;
      alerts: AlertService;
      register: SiteRegister;
      clock: Clock;
      log: Logger;
      db: Db;
      rules: RulesSource;
      ruleMetrics: RuleEngineMetrics;
    },
  ) {
    const { register } = ctx;
    this.engine = new RuleEngine(
      {
        clock: ctx.clock,
        sink: new AlertServiceSink(ctx.alerts),
        store: new SqliteRuleStateStore(ctx.db),
        subjects: (deviceId) => {
          const c = register.deviceContext(deviceId);
          if (!c) return undefined;
          const room = c.room;
          return {
            deviceId,
            residentId: c.resident?.id ?? null,
            roomId: room?.id ?? null,
            zoneId: c.zone?.id ?? null,
            attributes: attributesOf(c.resident),
            ...(!c.resident && room
              ? {
                  roomResidents: () =>
                    register
                      .allResidents()
                      .filter((r) => r.roomId === room.id)
                      .map((r) => ({ residentId: r.id, attributes: attributesOf(r) })),
                }
              : {}),
          };
        },
        local: siteLocalTime(register.site.timezone),
        log: ctx.log.child({ module: 'rules-engine' }),
        skipKinds: BUILT_IN_KINDS,
        metrics: ctx.ruleMetrics,
      },
      ctx.rules.current(),
    );
    ctx.rules.onChange((rules) => this.engine.setRules(rules));
  }

  start(): void {
    const { bus, rules } = this.ctx;
    this.engine.start();
    const feed = (e: FromDevice<unknown>, input: Omit<DeviceInput, 'deviceId' | 'at'>) => {
      // Never throws: ingest retries a listener that throws, and must not hand an SOS over twice.
      try {
        this.engine.handle({ ...input, deviceId: e.source.device.id, at: e.receivedAt } as DeviceInput);
      } catch (err) {
        this.ctx.log.error({ err, device: e.source.device.id }, 'rules engine failed on a message');
      }
    };
    bus.on(this.name, 'device:telemetry', (e) => feed(e, { type: 'telemetry', message: e.message }));
    bus.on(this.name, 'device:event', (e) => feed(e, { type: 'event', message: e.message }));
    bus.on(this.name, 'device:heartbeat', (e) => feed(e, { type: 'heartbeat', message: e.message }));
    bus.on(this.name, 'device:status', (e) => feed(e, { type: 'status', message: e.message }));
    rules.watch();
  }

  stop(): void {
    this.ctx.bus.removeOwner(this.name);
    this.ctx.rules.unwatch();
    this.engine.stop();
  }
}
