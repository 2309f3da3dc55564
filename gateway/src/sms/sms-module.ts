import type { GatewayConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Health } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { GatewayModule } from '../core/module.js';
import type { OpenSerial } from '../core/port-driver.js';
import { smsMetrics } from './metrics.js';
import { GsmModem, type ModemState } from './modem.js';

/** The /healthz warning while the modem cannot send. */
const WARNING = 'sms';

/**
 * The GSM modem (`sms.enabled`): opened at start and kept ready to send; its state is a warning
 * on /healthz while it cannot send and `careedge_sms_modem_ready` in the metrics. Optional: a
 * missing, dead or hung modem is retried on its own and never holds up the alarm path. Dispatch
 * reaches it through `sender` (the SMS channel of docs/design/dispatch.md).
 */
export class SmsModule implements GatewayModule {
  readonly name = 'sms';
  readonly optional = true;
  readonly sender: Pick<GsmModem, 'send' | 'ready'>;
  private readonly modem: GsmModem;

  constructor(
    private readonly ctx: {
      config: Pick<GatewayConfig, 'sms'>;
      clock: Clock;
      log: Logger;
      metrics: Metrics;
      health: Pick<Health, 'warn' | 'unwarn'>;
    },
    parts: { open?: OpenSerial } = {},
  ) {
    const { sms } = ctx.config;
    this.modem = new GsmModem({
      path: sms.port,
      baudRate: sms.baudRate,
      clock: ctx.clock,
      log: ctx.log.child({ module: 'sms' }),
      metrics: smsMetrics(ctx.metrics.registry),
      commandTimeoutMs: sms.commandTimeoutS * 1000,
      sendTimeoutMs: sms.sendTimeoutS * 1000,
      maxAttempts: sms.maxAttempts,
      retryDelayMs: sms.retryDelayS * 1000,
      queueLimit: sms.queueLimit,
      reconnectMinMs: sms.reconnectMinMs,
      reconnectMaxMs: sms.reconnectMaxMs,
      ...(parts.open ? { open: parts.open } : {}),
      onState: (state, reason) => this.report(state, reason),
    });
    this.sender = this.modem;
  }

  start(): void {
    this.report('down', 'the modem’s port is not open yet');
    this.modem.start();
  }

  async stop(): Promise<void> {
    await this.modem.stop();
    this.ctx.health.unwarn(WARNING);
  }

  private report(state: ModemState, reason: string): void {
    if (state === 'ready') this.ctx.health.unwarn(WARNING);
    else this.ctx.health.warn(WARNING, `SMS cannot be sent: ${reason}`);
  }
}
