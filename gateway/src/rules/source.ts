import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Counter } from 'prom-client';
import type { GatewayConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { EXAMPLE_RULES, loadRulesFile, type Rule, type RuleSet, RulesFileError } from './file.js';

export interface RulesStatus {
  file: string;
  version: string;
  rules: { id: string; kind: string }[];
}
export type ReloadResult = { ok: true; status: RulesStatus } | { ok: false; problems: string[] };
type ReadResult = { ok: true; rules: RuleSet } | { ok: false; problems: string[] };

/** Debounce for file changes: an editor writes a file in several steps. */
const SETTLE_MS = 300;

/** The older config keys, as the defaults of the kinds they configured. */
export function configDefaults(
  config: Pick<GatewayConfig, 'rules'>,
): Record<string, Record<string, unknown>> {
  const { priority, presenceLifetimeS, supervision } = config.rules;
  return { instant: { priority, presenceLifetimeS }, 'heartbeat-missed': { ...supervision } };
}

/**
 * The rules in force: loaded from the rules file, reloaded when it changes or when asked (HTTP).
 * A reload validates first; a file that is not valid is refused with `file:line: path: message`
 * lines and the last good rules stay. At start there is no last good one in memory, and running
 * on other rules than the administrator wrote (the example's, say) would hide the mistake behind
 * alerts nobody configured: a file that is not valid stops the start with a RulesFileError, like
 * an invalid config or site file (main.ts prints its lines and exits 2).
 */
export class RulesSource {
  private rules: RuleSet;
  private readonly listeners: ((rules: RuleSet) => void)[] = [];
  private watcher: FSWatcher | undefined;
  private settle: unknown;
  readonly path: string;

  constructor(
    private readonly ctx: {
      config: Pick<GatewayConfig, 'rules'>;
      clock: Clock;
      log: Logger;
      reloads?: Pick<Counter<'result'>, 'inc'>;
    },
  ) {
    this.path = ctx.config.rules.file || EXAMPLE_RULES;
    const first = this.read();
    if (!first.ok) throw new RulesFileError(basename(this.path), first.problems);
    this.rules = first.rules;
    ctx.log.info(
      { file: this.path, version: this.rules.version, rules: this.rules.rules.length },
      'rules loaded',
    );
  }

  current(): RuleSet {
    return this.rules;
  }

  /** The one rule of a kind that must be there once (instant, heartbeat-missed). */
  only(kind: string): Rule {
    return this.rules.rules.find((r) => r.kind === kind)!;
  }

  /** What the HTTP API shows. */
  status(): RulesStatus {
    const { file, version, rules } = this.rules;
    return { file, version, rules: rules.map(({ id, kind }) => ({ id, kind })) };
  }

  onChange(fn: (rules: RuleSet) => void): void {
    this.listeners.push(fn);
  }

  reload(): ReloadResult {
    const result = this.read();
    this.ctx.reloads?.inc({ result: result.ok ? 'ok' : 'failed' });
    if (!result.ok) {
      this.ctx.log.error(
        { file: this.path, version: this.rules.version },
        `rules file not reloaded, the last good rules stay:\n${result.problems.join('\n')}`,
      );
      return result;
    }
    const changed = result.rules.version !== this.rules.version;
    this.rules = result.rules;
    if (changed) {
      this.ctx.log.info({ file: this.path, version: this.rules.version }, 'rules reloaded');
      for (const fn of this.listeners) fn(this.rules);
    }
    return { ok: true, status: this.status() };
  }

  /** Reloads when the file changes. Watches the folder: editors replace a file rather than write it. */
  watch(): void {
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), (_event, file) => {
        if (file !== null && file !== name) return;
        if (this.settle !== undefined) this.ctx.clock.clearTimeout(this.settle);
        this.settle = this.ctx.clock.setTimeout(() => {
          this.settle = undefined;
          this.reload();
        }, SETTLE_MS);
      });
      this.watcher.on('error', (err) =>
        this.ctx.log.warn({ err }, 'rules file watch failed; reload over HTTP'),
      );
    } catch (err) {
      this.ctx.log.warn({ err, file: this.path }, 'cannot watch the rules file; reload over HTTP');
    }
  }

  unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.settle !== undefined) this.ctx.clock.clearTimeout(this.settle);
    this.settle = undefined;
  }

  private read(): ReadResult {
    try {
      return { ok: true, rules: loadRulesFile(this.path, { defaults: configDefaults(this.ctx.config) }) };
    } catch (err) {
      if (err instanceof RulesFileError) return { ok: false, problems: err.problems };
      return { ok: false, problems: [`${basename(this.path)}: ${(err as Error).message}`] };
    }
  }
}
