import type { Clock } from './clock.js';

/** What can make the gateway degraded. Each has one sentence for people saying what is wrong. */
export type ProblemName = 'storage' | 'clock';

export interface Problem {
  problem: ProblemName;
  reason: string;
  /** Gateway clock when the problem started. */
  since: number;
}

export interface Warning {
  warning: string;
  reason: string;
  since: number;
}

export type HealthChange = { kind: 'started' | 'cleared'; problem: Problem };

/**
 * The gateway's own health: named problems that are set while something is wrong. A storage
 * failure must not be silent (alarms then travel from memory only), so every change is handed
 * to listeners that report it: /healthz, the retained gateway state, logs, metrics, handsets.
 * Lives in core/ and imports no feature so every module can report through it.
 */
export class Health {
  private readonly problems = new Map<ProblemName, Problem>();
  private readonly warnings = new Map<string, Warning>();
  private readonly listeners: ((change: HealthChange) => void)[] = [];

  constructor(private readonly clock: Clock) {}

  /** Sets (or re-words) a problem; listeners hear only when it starts. */
  set(problem: ProblemName, reason: string): void {
    const known = this.problems.get(problem);
    if (known) {
      known.reason = reason;
      return;
    }
    const p: Problem = { problem, reason, since: this.clock.now() };
    this.problems.set(problem, p);
    this.notify({ kind: 'started', problem: { ...p } });
  }

  clear(problem: ProblemName): void {
    const known = this.problems.get(problem);
    if (!known) return;
    this.problems.delete(problem);
    this.notify({ kind: 'cleared', problem: known });
  }

  /**
   * A warning: something outside the alarm path is wrong (InfluxDB unreachable, the outbox
   * dropping telemetry). Shown on /healthz, but the gateway is not degraded by it: a watchdog must
   * not restart a gateway whose alarms run because a time-series database is down.
   */
  warn(name: string, reason: string): void {
    const known = this.warnings.get(name);
    if (known) known.reason = reason;
    else this.warnings.set(name, { warning: name, reason, since: this.clock.now() });
  }

  unwarn(name: string): void {
    this.warnings.delete(name);
  }

  listWarnings(): Warning[] {
    return [...this.warnings.values()].map((w) => ({ ...w }));
  }

  has(problem: ProblemName): boolean {
    return this.problems.has(problem);
  }

  get degraded(): boolean {
    return this.problems.size > 0;
  }

  list(): Problem[] {
    return [...this.problems.values()].map((p) => ({ ...p }));
  }

  onChange(listener: (change: HealthChange) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private notify(change: HealthChange): void {
    // A failing reporter must not stop the others (nor whoever set the problem).
    for (const l of [...this.listeners]) {
      try {
        l(change);
      } catch {
        /* reporters log their own failures */
      }
    }
  }
}
