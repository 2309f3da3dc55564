import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_RULES } from '../../src/rules/file.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { makeTempDir } from '../helpers/tmp.js';

const example = readFileSync(EXAMPLE_RULES, 'utf8');
const withRule = (kind: string, params: string) =>
  `${example}\n  - id: watch\n    kind: ${kind}\n    params: ${params}\n`;

const reading = { heartRateBpm: 72, activity: 10, steps: 0, worn: true, batteryPct: 80, rssiDbm: -60 };

describe('found by probing: a reload that gives a rule id another kind hands the new kind the old kind state', () => {
  /**
   * setRules kept every instance whose rule id was still in the file, whatever its kind. An
   * administrator who reuses an id for another kind (here a heart-rate watch turned into an
   * inactivity watch) got the inactivity kind stepped with the vital-threshold state: it threw on
   * every reading, so for every resident with state the rule never worked again, only an
   * unclassified alert said so. The same after a restart on a file changed meanwhile: the saved
   * state did not say which kind wrote it.
   */
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  it('starts the new kind from its own initial state', async () => {
    const file = join(makeTempDir(), 'rules.yaml');
    writeFileSync(file, withRule('vital-threshold', '{ field: heartRateBpm, above: 150, below: null }'));
    g = await testGateway({ rules: { file } });
    const band = await g.device('wb-1');
    await band.send('deviceTelemetry', reading);
    await g.settled();

    writeFileSync(file, withRule('inactivity', '{ windowS: 3600, ratio: 0.3, hours: "00:00-23:59" }'));
    const api = g.api();
    expect((await api.inject({ method: 'POST', url: '/api/v1/rules' })).statusCode).toBe(200);
    await g.tick(11_000); // past the kinds' telemetry sampling
    await band.send('deviceTelemetry', reading);
    await g.settled();

    expect(await g.metric('careedge_rule_errors_total', { rule: 'watch' })).toBe(0);
    expect(g.alerts.open().filter((a) => a.kind === 'unclassified')).toEqual([]);
  });

  it('also when the file was changed while the gateway was stopped', async () => {
    const file = join(makeTempDir(), 'rules.yaml');
    writeFileSync(file, withRule('vital-threshold', '{ field: heartRateBpm, above: 150, below: null }'));
    g = await testGateway({ rules: { file } });
    let band = await g.device('wb-1');
    await band.send('deviceTelemetry', reading);
    await g.settled();

    writeFileSync(file, withRule('inactivity', '{ windowS: 3600, ratio: 0.3, hours: "00:00-23:59" }'));
    await g.restart(); // stopping writes the vital-threshold state
    await g.tick(11_000);
    band = await g.device('wb-1');
    await band.send('deviceTelemetry', reading);
    await g.settled();

    expect(await g.metric('careedge_rule_errors_total', { rule: 'watch' })).toBe(0);
    expect(g.alerts.open().filter((a) => a.kind === 'unclassified')).toEqual([]);
  });
});
