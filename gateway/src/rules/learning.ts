import type { SiteRegister } from '../register/register.js';
import type { Rule } from './file.js';
import {
  type BaselineDescription,
  type BaselineParams,
  type BaselineState,
  describe,
  newBaseline,
} from './kinds/baseline.js';
import { inScope, withOverrides } from './scope.js';
import type { RuleStateStore } from './state-store.js';

/** One baseline rule's learning state for one resident. */
export interface RuleLearningState extends BaselineDescription {
  ruleId: string;
  kind: string;
}

export interface ResidentLearning {
  residentId: string;
  rules: RuleLearningState[];
}

/** Never asked: the scopes checked here have no hours. */
const noon = () => ({ day: '', hour: 12, minuteOfDay: 720 });

/** Kinds that learn a per-resident baseline, kept in their state as `baseline`. */
const BASELINE_KINDS: ReadonlySet<string> = new Set(['inactivity', 'not-up']);

/**
 * What the baseline rules have learned per resident (issue 8: "the learning state visible per
 * resident"): status, days learned and needed, the usual rising time. Read from the rule state in
 * SQLite, which the engine writes in batches (every 5 minutes): a view of days, so that lag
 * does not matter, and it needs nothing from the running engine. A resident in scope with no state yet is
 * shown learning from zero.
 */
export class RuleLearning {
  constructor(
    private readonly ctx: {
      rules: { current(): { rules: Rule[] } };
      store: Pick<RuleStateStore, 'forRules'>;
      register: Pick<SiteRegister, 'allResidents' | 'room'>;
    },
  ) {}

  /** Every resident of the register (or one), with each baseline rule in force that covers them. */
  residents(only?: string): ResidentLearning[] {
    const rules = this.ctx.rules.current().rules.filter((r) => BASELINE_KINDS.has(r.kind));
    const states = new Map<string, unknown>();
    for (const i of this.ctx.store.forRules(rules.map((r) => r.id)))
      states.set(`${i.subject} ${i.ruleId}`, i.state);
    const residents = this.ctx.register.allResidents().filter((r) => only === undefined || r.id === only);
    return residents.map((resident) => {
      const subject = {
        deviceId: '',
        residentId: resident.id,
        roomId: resident.roomId,
        zoneId: this.ctx.register.room(resident.roomId)?.zoneId ?? null,
      };
      // Hours do not matter here (a baseline rule learns all day): only zones and residents.
      const covering = rules.filter((r) =>
        inScope(r.scope && { ...r.scope, hours: undefined }, subject, noon),
      );
      return {
        residentId: resident.id,
        rules: covering.map((rule) => {
          const params = withOverrides(
            rule.params,
            rule.overrides[resident.id],
          ) as unknown as BaselineParams & {
            minRiseDays?: number;
          };
          const state = states.get(`resident:${resident.id} ${rule.id}`) as
            | { baseline?: BaselineState }
            | undefined;
          return { ruleId: rule.id, kind: rule.kind, ...describe(state?.baseline ?? newBaseline(), params) };
        }),
      };
    });
  }
}
