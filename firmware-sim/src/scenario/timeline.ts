import type { Clock } from '../clock.js';

export type EntryKind = 'step' | 'dispatch' | 'reply' | 'reassurance' | 'withdrawn' | 'policy' | 'problem';

export interface TimelineEntry {
  /** Milliseconds since the scenario started. */
  atMs: number;
  /** Device or staff id. */
  who: string;
  what: string;
  kind: EntryKind;
}

/** What happened, when and to whom, in the order it happened, for people to read. */
export class Timeline {
  readonly entries: TimelineEntry[] = [];
  private startedAt: number;
  private listeners: ((e: TimelineEntry, line: string) => void)[] = [];
  /** Column width for `who`; grows to the longest id seen so far, for live printing. */
  private whoWidth: number;

  constructor(
    private readonly clock: Clock,
    ids: string[] = [],
  ) {
    this.startedAt = clock.now();
    this.whoWidth = Math.max(6, ...ids.map((id) => id.length));
  }

  /** Makes "now" the zero of the timeline (the runner calls it once everyone is connected). */
  restart(): void {
    this.startedAt = this.clock.now();
  }

  add(who: string, what: string, kind: EntryKind): TimelineEntry {
    const entry = { atMs: this.clock.now() - this.startedAt, who, what, kind };
    this.entries.push(entry);
    this.whoWidth = Math.max(this.whoWidth, who.length);
    const line = this.line(entry);
    for (const l of this.listeners) l(entry, line);
    return entry;
  }

  /** Calls `fn` with each new entry and its formatted line (live printing in the demo). */
  onEntry(fn: (e: TimelineEntry, line: string) => void): void {
    this.listeners.push(fn);
  }

  line(e: TimelineEntry): string {
    const mark = e.kind === 'problem' ? '!' : ' ';
    return `${mark} ${`+${(e.atMs / 1000).toFixed(2)}s`.padStart(9)}  ${e.who.padEnd(this.whoWidth)}  ${e.what}`;
  }

  /** The whole timeline as aligned text, one entry a line. */
  format(): string {
    return this.entries.map((e) => this.line(e)).join('\n');
  }
}
