import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { makeTempDir } from '../helpers/tmp.js';
import { webhookUnderTest } from './harness.js';
import { pagingServer } from './paging-server.js';

const URL_ = 'https://pager.example/hooks/careedge';
const SECRET = 'a-long-enough-secret-0123';

const problems = (webhook: object, env: Record<string, string> = {}) => {
  try {
    loadConfig({ overrides: { webhook }, env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('webhook settings', () => {
  it('are off by default, with 10 s per attempt and 8 attempts', () => {
    expect(loadConfig().webhook).toEqual({
      enabled: false,
      url: '',
      secretFile: '',
      secret: '',
      timeoutS: 10,
      maxAttempts: 8,
      maxQueued: 10_000,
    });
    expect(problems({ url: 'ftp://nowhere' })).toEqual([]); // not checked while off
  });

  it('refuses invalid ones with a path: message line each, never showing the secret', () => {
    const on = { enabled: true, url: URL_, secret: SECRET };
    expect(problems(on)).toEqual([]);
    expect(problems({ ...on, url: '' })).toEqual(['webhook.url: is required when webhook.enabled is true']);
    expect(problems({ ...on, url: 'ftp://pager.example' })).toEqual([
      'webhook.url: must be an http:// or https:// URL',
    ]);
    expect(problems({ ...on, url: 'https://user:pw@pager.example/' })).toEqual([
      'webhook.url: must not hold a user or password (they would show in the log)',
    ]);
    expect(problems({ ...on, secret: '' })).toEqual([
      'webhook.secretFile: is required when webhook.enabled is true (or webhook.secret): deliveries are signed',
    ]);
    expect(problems({ ...on, secret: 'short-secret' })).toEqual([
      'webhook.secret: must be at least 16 characters',
    ]);
    expect(problems({ ...on, secretFile: '/etc/hosts' })).toEqual([
      'webhook.secret: set either webhook.secretFile or webhook.secret, not both',
    ]);
    expect(problems({ ...on, secret: '', secretFile: '/nonexistent/webhook.secret' })).toEqual([
      'webhook.secretFile: no such file /nonexistent/webhook.secret',
    ]);
    expect(problems({ ...on, timeoutS: 0 }).join('\n')).toMatch(/^webhook\.timeoutS: /);
    expect(problems({ ...on, maxAttempts: 0 }).join('\n')).toMatch(/^webhook\.maxAttempts: /);
    // From the environment too; a secret of the wrong type is named, its value not shown.
    expect(problems({ enabled: true, url: URL_ }, { CAREEDGE_WEBHOOK__SECRET: 'short-secret' })).toEqual([
      'webhook.secret: must be at least 16 characters',
    ]);
    const typed = problems({ ...on, secret: { value: 'leak-me-0123456789' } });
    expect(typed.join('\n')).toMatch(/^webhook\.secret: /);
    expect(typed.join('\n')).not.toContain('leak-me');
  });

  it('reads the secret from secretFile, white space around it ignored', async () => {
    const dir = makeTempDir();
    const secretFile = join(dir, 'webhook.secret');
    writeFileSync(secretFile, '  paging-secret-0123456789\n');
    const s = await pagingServer('paging-secret-0123456789');
    const w = await webhookUnderTest({
      file: join(dir, 'gateway.sqlite'),
      url: s.url,
      webhook: { secret: '', secretFile },
    });
    w.module.enqueue({ alertId: 1, event: 'alert.raised', body: {} });
    await w.outcomesReach(1);
    expect(s.received[0]!.verified).toBe(true);
  });

  it('a secret file with too short a secret stops the module with the file named, not the secret', async () => {
    const dir = makeTempDir();
    const secretFile = join(dir, 'webhook.secret');
    writeFileSync(secretFile, 'tiny-secret\n');
    const s = await pagingServer();
    await expect(
      webhookUnderTest({
        file: join(dir, 'gateway.sqlite'),
        url: s.url,
        webhook: { secret: '', secretFile },
      }),
    ).rejects.toThrow(`webhook.secretFile: ${secretFile} holds fewer than 16 characters`);
  });
});
