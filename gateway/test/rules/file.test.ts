import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_RULES, loadRulesFile, parseRulesFile, RulesFileError } from '../../src/rules/file.js';
import { RULE_KINDS } from '../../src/rules/kinds/index.js';
import { testHighHeartRate } from './test-kind.js';

const kinds = [...RULE_KINDS, testHighHeartRate];
const BUILT_INS = `rules:
  - id: calls
    kind: instant
  - id: device-offline
    kind: heartbeat-missed
`;

function problems(text: string): string[] {
  try {
    parseRulesFile(text, 'rules.yaml', { kinds });
  } catch (err) {
    expect(err).toBeInstanceOf(RulesFileError);
    return (err as RulesFileError).problems;
  }
  throw new Error('the file was accepted');
}

describe('the rules file', () => {
  it('the example ships valid, with the built-in rules and the kinds’ defaults filled in', () => {
    const set = loadRulesFile(EXAMPLE_RULES);
    expect(set.file).toBe('rules.example.yaml');
    expect(set.version).toMatch(/^[0-9a-f]{12}$/);
    expect(set.rules.map((r) => [r.id, r.kind])).toEqual([
      ['calls', 'instant'],
      ['device-offline', 'heartbeat-missed'],
      ['tachycardia', 'vital-threshold'],
      ['bradycardia', 'vital-threshold'],
      ['battery-low', 'battery-low'],
      ['band-not-worn', 'not-worn'],
      ['fall-followup', 'fall-followup'],
      ['inactivity', 'inactivity'],
      ['not-up', 'not-up'],
      ['night-wandering', 'night-wandering'],
    ]);
    // Every kind the gateway knows has a rule in the example (it is the default rules file).
    expect(new Set(set.rules.map((r) => r.kind))).toEqual(new Set(RULE_KINDS.map((k) => k.name)));
    expect(set.rules[1]!.params).toEqual({ missedHeartbeats: 3, graceS: 10, priority: 'medium' });
    expect(set.rules[3]).toMatchObject({
      priority: 'high',
      params: { above: null, below: 40, hysteresis: 5 },
    });
  });

  it('the version is the content hash: the same text gives the same version, a change a new one', () => {
    const a = parseRulesFile(BUILT_INS, 'rules.yaml', { kinds });
    expect(parseRulesFile(BUILT_INS, 'rules.yaml', { kinds }).version).toBe(a.version);
    expect(parseRulesFile(`${BUILT_INS}# a comment\n`, 'rules.yaml', { kinds }).version).not.toBe(a.version);
  });

  it('the older config keys are the built-in kinds’ defaults; the file’s params win over them', () => {
    const defaults = { 'heartbeat-missed': { missedHeartbeats: 5, priority: 'high' } };
    const set = parseRulesFile(
      BUILT_INS.replace('kind: heartbeat-missed', 'kind: heartbeat-missed\n    params: { priority: low }'),
      'rules.yaml',
      { kinds, defaults },
    );
    expect(set.rules[1]!.params).toEqual({ missedHeartbeats: 5, graceS: 10, priority: 'low' });
  });

  it('names file, line and path of a bad param', () => {
    const text = `${BUILT_INS}  - id: hr
    kind: test-high-heart-rate
    params:
      aboveBpm: 0
`;
    expect(problems(text)).toEqual(['rules.yaml:9: rules[2].params.aboveBpm: must be >= 1']);
  });

  it('an unknown kind is a clear error naming the kinds there are', () => {
    const text = `${BUILT_INS}  - id: hr
    kind: heart-rate
`;
    const [p, ...rest] = problems(text);
    expect(p).toMatch(
      /^rules\.yaml:7: rules\[2\]\.kind: must be one of instant, heartbeat-missed, vital-threshold, battery-low, not-worn, fall-followup, inactivity, not-up, night-wandering, test-high-heart-rate \(got "heart-rate"\)$/,
    );
    expect(rest).toEqual([]);
  });

  it('checks ids, unknown keys, scopes and overrides, every problem at its line', () => {
    const text = `${BUILT_INS}  - id: Bad_Id
    kind: test-high-heart-rate
    colour: red
    scope:
      hours: "22:00-25:00"
  - id: device-offline
    kind: test-high-heart-rate
    overrides:
      r1: { aboveBpm: 150, sustain: 3 }
`;
    expect(problems(text)).toEqual([
      'rules.yaml:6: rules[2].id: must be 1 to 40 of a-z, 0-9 and "-" (got "Bad_Id")',
      'rules.yaml:8: rules[2].colour: unknown key',
      'rules.yaml:10: rules[2].scope.hours: must be a local time window HH:MM-HH:MM, e.g. "22:00-06:00" (got "22:00-25:00")',
      'rules.yaml:14: rules[3].overrides.r1.sustain: unknown key',
    ]);
  });

  it('refuses duplicate ids and a file without its call rules', () => {
    expect(
      problems(`rules:
  - id: device-offline
    kind: heartbeat-missed
  - id: device-offline
    kind: test-high-heart-rate
`),
    ).toEqual([
      'rules.yaml:4: rules[1].id: "device-offline" is already the id of rules[0]',
      'rules.yaml:1: rules: must hold exactly one rule of kind instant, not 0 (calls (SOS, fall, care buttons) cannot be switched off)',
    ]);
  });

  it('the built-in kinds take no scope, overrides or rule priority', () => {
    expect(
      problems(BUILT_INS.replace('kind: instant', 'kind: instant\n    scope: { zones: [north] }')),
    ).toEqual([
      'rules.yaml:4: rules[0].scope: not allowed for kind instant (calls (SOS, fall, care buttons) cannot be switched off)',
    ]);
  });

  it('a YAML syntax error names its line', () => {
    expect(problems('rules:\n  - id: x\n   kind: [\n')[0]).toMatch(/^rules\.yaml: line \d+, column \d+: /);
  });

  it('reads scope windows and overrides for the engine', () => {
    const set = parseRulesFile(
      `${BUILT_INS}  - id: hr
    kind: test-high-heart-rate
    priority: high
    scope: { zones: [north], hours: "22:00-06:30" }
    overrides: { r1: { aboveBpm: 150 } }
`,
      'rules.yaml',
      { kinds },
    );
    expect(set.rules[2]).toEqual({
      id: 'hr',
      kind: 'test-high-heart-rate',
      priority: 'high',
      scope: { zones: ['north'], hours: { from: 22 * 60, to: 6 * 60 + 30, text: '22:00-06:30' } },
      params: { aboveBpm: 120, sustainS: 60 },
      overrides: { r1: { aboveBpm: 150 } },
    });
  });

  it('a file that cannot be read says so', () => {
    expect(() => loadRulesFile('/nonexistent/rules.yaml')).toThrow(/no such file/);
    expect(readFileSync(EXAMPLE_RULES, 'utf8')).toContain('kind: instant');
  });
});
