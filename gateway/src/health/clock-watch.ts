import { Counter } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Health } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { GatewayModule } from '../core/module.js';

/** How often the clock is checked against what was recorded and against monotonic time. */
export const CLOCK_CHECK_INTERVAL_MS = 60_000;
/** Wall-clock and monotonic progress may differ this much in one interval before it is a jump. */
const JUMP_TOLERANCE_MS = 5_000;
/** Behind the last record by less than this is ordinary skew between writes, not a problem. */
const BEHIND_TOLERANCE_MS = 60_000;

/**
 * A Pi without a real-time clock can boot with an old time until NTP answers; escalation
 * deadlines and audit times would then be wrong. At start-up the clock is compared with the
 * newest time SQLite recorded (read-only queries): behind it means `clock` degraded, until the
 * clock has passed that time. At run time a jump of the wall clock (against performance.now)
 * is logged and counted; a jump alone is not degraded (NTP stepping the clock right is one).
 */
export class ClockWatch implements GatewayModule {
  readonly name = 'clock-watch';
  private timer: unknown;
  private lastRecorded = 0;
  private lastWall = 0;
  private lastMono = 0;
  private readonly clockJumps: Counter<'direction'>;

  constructor(
    private readonly ctx: { clock: Clock; db: Db; health: Health; log: Logger; metrics: Metrics },
    private readonly monotonic: () => number = () => performance.now(),
  ) {
    this.clockJumps = new Counter({
      registers: [ctx.metrics.registry],
      name: 'careedge_clock_jumps_total',
      help: 'Wall-clock jumps seen at run time (the clock moved apart from monotonic time), by direction.',
      labelNames: ['direction'] as const,
    });
  }

  start(): void {
    this.lastRecorded = this.newestRecord();
    this.lastWall = this.ctx.clock.now();
    this.lastMono = this.monotonic();
    this.checkBehind();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== undefined) this.ctx.clock.clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = this.ctx.clock.setTimeout(() => {
      this.checkJump();
      this.checkBehind();
      this.schedule();
    }, CLOCK_CHECK_INTERVAL_MS);
  }

  private newestRecord(): number {
    try {
      const row = this.ctx.db
        .prepare(
          'SELECT MAX(COALESCE((SELECT MAX(updated_at) FROM alerts), 0), COALESCE((SELECT MAX(at) FROM audit), 0)) AS at',
        )
        .get() as { at: number };
      return row.at;
    } catch (err) {
      this.ctx.log.warn(
        { err },
        'could not read the last recorded time; the clock is not checked against it',
      );
      return 0;
    }
  }

  private checkBehind(): void {
    const behind = this.lastRecorded - this.ctx.clock.now();
    if (behind > BEHIND_TOLERANCE_MS) {
      this.ctx.health.set(
        'clock',
        `clock is ${duration(behind)} behind the last recorded event; is time sync working?`,
      );
    } else if (behind <= 0) {
      this.ctx.health.clear('clock');
    }
  }

  private checkJump(): void {
    const wall = this.ctx.clock.now();
    const mono = this.monotonic();
    const drift = wall - this.lastWall - (mono - this.lastMono);
    this.lastWall = wall;
    this.lastMono = mono;
    if (Math.abs(drift) <= JUMP_TOLERANCE_MS) return;
    const direction = drift > 0 ? 'forward' : 'backward';
    this.clockJumps.inc({ direction });
    this.ctx.log.warn({ direction, jumpMs: Math.round(drift) }, 'the wall clock jumped');
  }
}

/** "1 h 02 min", "5 min", "1 d 3 h" for people reading a log or a handset. */
export function duration(ms: number): string {
  const min = Math.floor(ms / 60_000);
  const h = Math.floor(min / 60);
  const d = Math.floor(h / 24);
  if (d > 0) return `${d} d ${h % 24} h`;
  if (h > 0) return `${h} h ${String(min % 60).padStart(2, '0')} min`;
  return `${min} min`;
}
