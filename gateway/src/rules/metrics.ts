import { Counter, type Registry } from 'prom-client';

/** The engine's counters; replay passes none. */
export interface RuleEngineMetrics {
  kindErrors: { inc(labels: { rule: string }): void };
  actions: { inc(labels: { rule: string; action: string }): void };
}

export function ruleEngineMetrics(registry: Registry): RuleEngineMetrics & {
  reloads: Counter<'result'>;
} {
  const registers = [registry];
  return {
    kindErrors: new Counter({
      registers,
      name: 'careedge_rule_errors_total',
      help: 'Inputs a rule kind failed on (each raised an unclassified alert to a person).',
      labelNames: ['rule'],
    }),
    actions: new Counter({
      registers,
      name: 'careedge_rule_actions_total',
      help: 'Actions the rules took (raise, set-priority, clear), by rule id from the rules file.',
      labelNames: ['rule', 'action'],
    }),
    reloads: new Counter({
      registers,
      name: 'careedge_rules_reloads_total',
      help: 'Rules file reloads: ok, or failed (the last good rules stay in force).',
      labelNames: ['result'],
    }),
  };
}
