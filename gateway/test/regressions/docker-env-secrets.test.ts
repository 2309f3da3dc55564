import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../deploy/compose-file.js';

describe('found by probing: the .env with the real tokens and passwords', () => {
  /**
   * docker-compose.yml tells the operator to put the InfluxDB token, the Grafana password and the
   * pseudonym secret in a .env file beside it, in the directory that is also the gateway's build
   * context. .dockerignore did not exclude it, so `COPY . .` put it into the build stage: sent to
   * the Docker daemon (or a remote builder) and kept in its build cache.
   */
  it('.dockerignore keeps .env files out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/.env', '**/.env.*']));
  });
});
