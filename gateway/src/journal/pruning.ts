import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { GatewayModule } from '../core/module.js';
import type { AlarmJournal } from './alarm-journal.js';

/** Settled entries are kept a day: long enough to look into a night's alarms, then deleted. */
export const SETTLED_KEEP_MS = 24 * 3600_000;
const EVERY_MS = 3600_000;

/**
 * Keeps the journal small: settled entries older than a day go, at start and then hourly. The
 * journal only has to cover the moments between a PUBACK and the alert's commit; the alert and
 * its audit trail are the lasting record.
 */
export class JournalPruning implements GatewayModule {
  readonly name = 'journal-pruning';
  readonly optional = true;
  private timer: unknown;

  constructor(
    private readonly journal: AlarmJournal,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.prune();
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private prune(): void {
    try {
      const deleted = this.journal.prune(SETTLED_KEEP_MS);
      if (deleted > 0) this.log.debug({ deleted }, 'pruned settled alarm journal entries');
    } catch (err) {
      // Not on the alarm path: a table that grows for a while is better than a gateway that stops.
      this.log.error({ err }, 'pruning the alarm journal failed; trying again later');
    }
    this.timer = this.clock.setTimeout(() => this.prune(), EVERY_MS);
  }
}
