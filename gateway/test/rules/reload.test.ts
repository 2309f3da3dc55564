import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXAMPLE_RULES, RulesFileError } from '../../src/rules/file.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { processConfig } from '../helpers/gateway-process.js';
import { onTopic } from '../helpers/mqtt-client.js';
import { makeTempDir } from '../helpers/tmp.js';

const example = readFileSync(EXAMPLE_RULES, 'utf8');
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The example with SOS at medium priority: a valid change. */
const sosMedium = example.replace(
  '  - id: calls\n    kind: instant\n    params: {}',
  '  - id: calls\n    kind: instant\n    params:\n      priority: { sos: medium }',
);
/** Not valid: a misspelt param, on the line after `params:` of the second rule. */
const broken = example.replace(
  '  - id: device-offline\n    kind: heartbeat-missed\n    params: {}',
  '  - id: device-offline\n    kind: heartbeat-missed\n    params:\n      missedHeartbeat: 3',
);
const brokenLine = broken.split('\n').indexOf('      missedHeartbeat: 3') + 1;

describe('rules reload', () => {
  let g: TestGateway;
  let file: string;
  afterEach(async () => {
    await g.stop();
  });
  const start = async () => {
    file = join(makeTempDir(), 'rules.yaml');
    writeFileSync(file, example);
    g = await testGateway({ rules: { file } });
    return g.gateway.context.rules.current().version;
  };
  const sosPriority = async () => {
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await band.send('deviceEvent', { type: 'sos' });
    const { alertId } = (await alice.next(onTopic('dispatch', { kind: 'sos' }))).payload;
    return g.alerts.get(alertId as number);
  };

  it('over HTTP: a file that is not valid is answered 400 with its problems, and the last good rules stay', async () => {
    const good = await start();
    const api = g.api();
    writeFileSync(file, broken);
    const refused = await api.inject({ method: 'POST', url: '/api/v1/rules' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({
      error: {
        code: 'rules-invalid',
        message: 'the rules file is not valid; the last good rules stay in force',
      },
      problems: [`rules.yaml:${brokenLine}: rules[1].params.missedHeartbeat: unknown key`],
    });
    expect((await api.inject({ method: 'GET', url: '/api/v1/rules' })).json()).toMatchObject({
      version: good,
    });
    expect(await g.metric('careedge_rules_reloads_total', { result: 'failed' })).toBe(1);
    expect((await sosPriority()).rulesVersion).toBe(good);

    writeFileSync(file, sosMedium);
    const ok = await api.inject({ method: 'POST', url: '/api/v1/rules' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      file: 'rules.yaml',
      rules: expect.arrayContaining([
        { id: 'calls', kind: 'instant' },
        { id: 'device-offline', kind: 'heartbeat-missed' },
        { id: 'tachycardia', kind: 'vital-threshold' },
      ]),
    });
    expect(ok.json().version).not.toBe(good);
    expect(await g.metric('careedge_rules_reloads_total', { result: 'ok' })).toBe(1);
  });

  it('on a file change: validated first, the last good rules stay on error; a good file applies to the next call', async () => {
    const good = await start();
    writeFileSync(file, broken);
    await vi.waitFor(async () => {
      await g.tick(300);
      expect(await g.metric('careedge_rules_reloads_total', { result: 'failed' })).toBeGreaterThan(0);
    });
    expect(g.gateway.context.rules.current().version).toBe(good);

    writeFileSync(file, sosMedium);
    await vi.waitFor(async () => {
      await g.tick(300);
      expect(g.gateway.context.rules.current().version).not.toBe(good);
    });
    const sos = await sosPriority();
    expect(sos).toMatchObject({
      priority: 'medium',
      ruleId: 'calls',
      rulesVersion: g.gateway.context.rules.current().version,
    });
  });

  it('a rules file that is not valid at start refuses the start with file:line: path lines (no fallback to the example)', async () => {
    file = join(makeTempDir(), 'rules.yaml');
    writeFileSync(file, broken);
    const refused = await testGateway({ rules: { file } }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(RulesFileError);
    expect((refused as RulesFileError).problems).toEqual([
      `rules.yaml:${brokenLine}: rules[1].params.missedHeartbeat: unknown key`,
    ]);
    // Fixed, it starts.
    writeFileSync(file, example);
    g = await testGateway({ rules: { file } });
    expect((await sosPriority()).priority).toBe('high');
  });

  it('main prints the problems and exits 2, as for an invalid config or site file', async () => {
    const dir = makeTempDir();
    file = join(dir, 'rules.yaml');
    writeFileSync(file, broken);
    const { configFile } = await processConfig(dir, { rules: { file } });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'gateway/src/main.ts', '--config', configFile],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(stderr).toBe(
      `CareEdge refuses to start because the rules file is not valid:\n  rules.yaml:${brokenLine}: rules[1].params.missedHeartbeat: unknown key\n`,
    );
    g = await testGateway(); // for afterEach
  }, 30_000);
});
