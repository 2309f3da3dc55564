import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../../src/config/load.js';

describe('found by probing: an InfluxDB URL with the user and password in it', () => {
  /**
   * `url: http://careedge:s3cret@influx:8086` (the way many tools take credentials) was accepted.
   * Node's fetch refuses such a URL, so every write failed and was retried for ever, and the
   * refusal, with the URL and its password, went to the log and to /healthz; the start-up log
   * line printed the URL too.
   */
  it('refuses to start, with a path: message line that does not repeat the password', () => {
    let problems: string[] = [];
    try {
      loadConfig({
        overrides: {
          forwarding: {
            influx: { url: 'http://careedge:s3cret@influx:8086', version: 1 },
            residentKeySecret: 'site-secret-0123456789',
          },
        },
      });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([
      'forwarding.influx.url: must not hold a user or password (they would show in the log): set forwarding.influx.username and password, or token',
    ]);
  });
});
