import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_SITE } from '@careedge/gateway';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runScenario } from '../../src/scenario/runner.js';
import { checkAgainstSite, loadScenario, parseScenario, ScenarioError } from '../../src/scenario/scenario.js';
import { loadSimSite, parseSimSite, SimSiteError } from '../../src/site/sim-site.js';

const DEMO = fileURLToPath(new URL('../../scenarios/demo.yaml', import.meta.url));

/** The problems a scenario is refused with (fails the test if it is accepted). */
function problemsOf(input: unknown): string[] {
  try {
    parseScenario(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).problems;
  }
  throw new Error('the scenario was accepted');
}

describe('scenario parsing', () => {
  it('reads YAML into milliseconds, policies and steps in time order', () => {
    const s = parseScenario(
      parseYaml(`
name: small
timeout: 30s
handsets:
  anna: { mode: accept, ackAfter: 1.5s, arriveAfterMs: 200, resolveAfter: 2s, outcome: resident-ok }
  ben:
    - { when: { kind: fall, level: 0 }, mode: ignore }
    - { mode: decline, after: 500ms, reason: busy }
steps:
  - { at: 2s, device: btn-101, do: call, source: pull-cord }
  - { at: 500ms, device: wb-101, do: fall, confidence: 0.8 }
`),
    );
    expect(s.timeoutMs).toBe(30_000);
    expect(s.handsets.anna).toEqual({
      mode: 'accept',
      ackAfterMs: 1500,
      arriveAfterMs: 200,
      resolveAfterMs: 2000,
      outcome: 'resident-ok',
    });
    expect(s.handsets.ben).toEqual([
      { when: { kind: 'fall', level: 0 }, mode: 'ignore' },
      { mode: 'decline', afterMs: 500, reason: 'busy' },
    ]);
    expect(s.otherHandsets).toEqual({ mode: 'ignore' });
    expect(s.steps).toEqual([
      { atMs: 500, device: 'wb-101', do: 'fall', confidence: 0.8 },
      { atMs: 2000, device: 'btn-101', do: 'call', source: 'pull-cord' },
    ]);
  });

  it('names the step and the action it does not know', () => {
    const problems = problemsOf({
      steps: [
        { at: '1s', device: 'wb-101', do: 'sos' },
        { at: '2s', device: 'wb-101', do: 'fall' },
        { at: '3s', device: 'wb-101', do: 'jump' },
      ],
    });
    expect(problems).toEqual([
      'steps[2].do: unknown action "jump" (one of sos, fall, off-wrist, call, presence-on, presence-off, cancel, tap)',
    ]);
  });

  it('a kiosk tap needs one of the four faces; only a tap has a face or a reason', () => {
    expect(
      problemsOf({
        steps: [
          { at: '1s', device: 'kiosk-lounge', do: 'tap', face: 'neutral' },
          { at: '2s', device: 'wb-101', do: 'sos', face: 'happy' },
        ],
      }),
    ).toEqual([
      'steps[0].face: a tap needs a face (very-happy, happy, unhappy, very-unhappy)',
      'steps[1]: only a tap has a face and a reason',
    ]);
    const ok = parseScenario({
      serial: ['wb-103'],
      steps: [
        {
          at: '1s',
          device: 'kiosk-lounge',
          do: 'tap',
          face: 'unhappy',
          reason: 'food',
          raises: 'feedback-follow-up',
        },
      ],
    });
    expect(ok.serial).toEqual(['wb-103']);
    expect(ok.steps[0]).toEqual({
      atMs: 1000,
      device: 'kiosk-lounge',
      do: 'tap',
      face: 'unhappy',
      reason: 'food',
      raises: 'feedback-follow-up',
    });
  });

  it('lists every problem at once, each with its path', () => {
    const problems = problemsOf({
      timeout: 'soon',
      colour: 'blue',
      handsets: {
        anna: { mode: 'maybe' },
        ben: [
          { when: { kind: 'flood', shift: 'night' }, mode: 'ignore' },
          { mode: 'accept', ackAfter: 2 },
        ],
        carmen: { mode: 'decline', outcome: 'assisted' },
      },
      steps: [
        { at: 2, device: 'wb-101', do: 'sos', confidence: 0.5 },
        { device: '', do: 'call', source: 'foot' },
        'sos',
      ],
    });
    expect(problems).toEqual([
      'colour: unknown key (expected name, site, timeout, handsets, otherHandsets, steps, serial)',
      'timeout: "soon" is not a duration like "2s", "500ms" or "1.5m"',
      'handsets.anna.mode: must be accept, decline or ignore (got "maybe")',
      'handsets.ben[0].when.kind: must be one of sos, fall, call, emergency-call, device-offline, vital-sign, inactivity, not-up, night-wandering, battery-low, not-worn, unclassified, alert-summary, feedback-follow-up',
      'handsets.ben[0].when.shift: cannot match on this (one of kind, reason, priority, level, residentId, room)',
      'handsets.ben[1].ackAfter: 2 has no unit: write e.g. "2s" or "2ms"',
      'handsets.carmen.outcome: not a setting of mode decline',
      'steps[0].at: 2 has no unit: write e.g. "2s" or "2ms"',
      'steps[0].confidence: only a fall has a confidence',
      'steps[1].at: must be a duration like "2s" or "500ms"',
      'steps[1].device: missing device id',
      'steps[1].source: must be button or pull-cord',
      'steps[2]: must be a mapping like { at: 2s, device: wb-101, do: sos }',
    ]);
  });

  it('matches on every dispatch reason the protocol has, not a copy of the list', () => {
    const s = parseScenario({
      name: 'resend',
      handsets: { anna: [{ when: { reason: 'resend' }, mode: 'ignore' }] },
      steps: [{ at: '1s', device: 'wb-101', do: 'sos' }],
    });
    expect(s.steps).toHaveLength(1);
  });

  it('refuses a scenario without steps', () => {
    expect(problemsOf({ name: 'empty' })).toEqual(['steps: must be a non-empty list']);
  });
});

describe('scenario against a site', () => {
  const site = loadSimSite(EXAMPLE_SITE);

  it('finds unknown devices and staff, and actions the device does not have', () => {
    const s = parseScenario({
      handsets: { zed: { mode: 'ignore' } },
      steps: [
        { at: '1s', device: 'wb-999', do: 'sos' },
        { at: '2s', device: 'btn-101', do: 'sos' },
        { at: '3s', device: 'wb-101', do: 'presence-on' },
      ],
    });
    expect(checkAgainstSite(s, site)).toEqual([
      'steps[0].device: no device "wb-999" in site sunrise',
      'steps[1].do: "sos" needs a wristband; btn-101 is a care-button',
      'steps[2].do: "presence-on" needs a care-button; wb-101 is a wristband',
      'handsets.zed: no staff member "zed" in site sunrise',
    ]);
  });

  it('the demo scenario is valid for the example site', () => {
    const demo = loadScenario(DEMO);
    expect(demo.site).toBe(EXAMPLE_SITE);
    expect(checkAgainstSite(demo, site)).toEqual([]);
    // Day and night leads share behaviours, so the demo tells the same story at any hour.
    expect(demo.handsets.dmitri).toEqual(demo.handsets.anna);
    expect(demo.handsets.eilidh).toEqual(demo.handsets.ben);
  });

  it('a site that stores only secret hashes cannot be simulated, and says why', () => {
    const doc = parseYaml(readFileSync(EXAMPLE_SITE, 'utf8')) as { devices: Record<string, unknown>[] };
    const { secret: _plain, ...rest } = doc.devices[0]!;
    doc.devices[0] = { ...rest, secretHash: `sha256$${'A'.repeat(22)}$${'B'.repeat(43)}` };
    expect(() => parseSimSite(doc, 'site.yaml')).toThrow(SimSiteError);
    expect(() => parseSimSite(doc, 'site.yaml')).toThrow(
      /devices\[0\]\.secret: the simulator needs the plain secret/,
    );
  });

  it("reads the site with the gateway's own checks: an invalid site is refused with its path", () => {
    const doc = parseYaml(readFileSync(EXAMPLE_SITE, 'utf8')) as { devices: Record<string, unknown>[] };
    doc.devices[0] = { ...doc.devices[0], kind: 'toaster' };
    expect(() => parseSimSite(doc, 'site.yaml')).toThrow(/devices\[0\]\.kind|\/devices\/0\/kind/);
  });
});

describe('scenario with serial devices', () => {
  it('refuses to run a step of a device behind a base station when no serial line is given', async () => {
    const site = loadSimSite(fileURLToPath(new URL('../fixtures/serial-site.yaml', import.meta.url)));
    const scenario = parseScenario({ steps: [{ at: '1s', device: 'wb-s1', do: 'sos' }] });
    await expect(runScenario({ scenario, site, url: 'mqtt://127.0.0.1:1' })).rejects.toThrow(
      /wb-s1: talks through a serial base station/,
    );
  });
});
