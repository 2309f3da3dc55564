import type { GatewayState, SystemNotice } from '@careedge/edge';
import { Gauge } from 'prom-client';
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Health, HealthChange, Problem } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { GatewayModule } from '../core/module.js';
import type { IngestEvents } from '../ingest/events.js';
import type { MqttLink } from '../mqtt/link.js';
import type { SiteRegister } from '../register/register.js';
import { noticeRecipients } from './recipients.js';

/** What staff read on their handsets, per problem. */
const NOTICE: Record<Problem['problem'], { degraded: (reason: string) => string; recovered: string }> = {
  storage: {
    degraded: (reason) =>
      `The gateway cannot write its database (${reason}): alarms go to everyone on shift from memory and are not tracked or escalated.`,
    recovered: 'The gateway can write its database again: alarms are tracked and escalated as usual.',
  },
  clock: {
    degraded: (reason) => `The gateway clock is not trustworthy: ${reason}`,
    recovered: 'The gateway clock is right again.',
  },
};

/**
 * Makes a degraded gateway visible everywhere someone might look: one log line when a problem
 * starts (error) and clears (info), a gauge per problem, the retained gateway state, and a
 * `system` notice on the supervisors' handsets. Nothing here touches SQLite.
 */
export class HealthReport implements GatewayModule {
  readonly name = 'health-report';
  private unsubscribe: (() => void) | undefined;
  private readonly healthProblem: Gauge<'problem'>;

  constructor(
    private readonly ctx: {
      health: Health;
      log: Logger;
      metrics: Metrics;
      mqtt: Pick<MqttLink, 'publish'>;
      register: SiteRegister;
      clock: Clock;
      bus: EventBus<Pick<IngestEvents, 'staff:status'>>;
    },
    private readonly version?: string,
  ) {
    this.healthProblem = new Gauge({
      registers: [ctx.metrics.registry],
      name: 'careedge_health_problem',
      help: 'Whether the gateway is degraded by a problem (1) or not (0), per problem (storage, clock).',
      labelNames: ['problem'] as const,
    });
  }

  start(): void {
    for (const problem of ['storage', 'clock'] as const) {
      this.healthProblem.set({ problem }, this.ctx.health.has(problem) ? 1 : 0);
    }
    // Problems found before this module started (at start-up) are reported now.
    for (const p of this.ctx.health.list()) this.report({ kind: 'started', problem: p });
    this.unsubscribe = this.ctx.health.onChange((change) => this.report(change));
    // A supervisor whose handset was off when the problem began (or at start-up) hears it on
    // reconnecting: she must know why nothing can be accepted or escalated.
    this.ctx.bus.on(this.name, 'staff:status', ({ staffId, state }) => {
      if (state !== 'online' || !noticeRecipients(this.ctx.register, this.ctx.clock.now()).includes(staffId))
        return;
      for (const p of this.ctx.health.list())
        this.ctx.mqtt.publish('staffDispatch', staffId, this.notice(p, true));
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.ctx.bus.removeOwner(this.name);
  }

  private report({ kind, problem }: HealthChange): void {
    const { log, mqtt, register, clock, health } = this.ctx;
    const started = kind === 'started';
    this.healthProblem.set({ problem: problem.problem }, started ? 1 : 0);
    if (started) log.error({ problem: problem.problem, reason: problem.reason }, 'gateway degraded');
    else log.info({ problem: problem.problem }, 'gateway problem cleared');

    const problems = health.list();
    const state: GatewayState = {
      ts: clock.now(),
      state: problems.length > 0 ? 'degraded' : 'online',
      ...(this.version ? { version: this.version } : {}),
      ...(problems.length > 0 ? { problems } : {}),
    };
    mqtt.publish('gatewayState', '', state, true);

    const notice = this.notice(problem, started);
    for (const staffId of noticeRecipients(register, clock.now()))
      mqtt.publish('staffDispatch', staffId, notice);
  }

  private notice(problem: HealthChange['problem'], started: boolean): SystemNotice {
    const text = NOTICE[problem.problem];
    return {
      ts: this.ctx.clock.now(),
      type: 'system',
      problem: problem.problem,
      state: started ? 'degraded' : 'recovered',
      text: started ? text.degraded(problem.reason) : text.recovered,
    };
  }
}
