import { join } from 'node:path';
import type { OutboxWorkerOptions } from '../../src/forwarding/outbox-protocol.js';
import { makeTempDir } from './tmp.js';

/**
 * What an outbox worker is started with in tests: a fresh outbox file, InfluxDB 1.x at `url`
 * (by default a port where nothing listens, so points stay in the outbox), short backoffs.
 */
export function outboxWorkerOptions(
  url = 'http://127.0.0.1:9',
  overrides: Partial<OutboxWorkerOptions> = {},
): OutboxWorkerOptions {
  return {
    file: join(makeTempDir(), 'outbox.sqlite'),
    target: {
      version: 1,
      url,
      database: 'careedge',
      retentionPolicy: '',
      username: '',
      password: '',
      timeoutMs: 5000,
    },
    batchPoints: 5000,
    maxBytes: 64 * 1024 * 1024,
    keepFreeBytes: 0,
    retryMinMs: 20,
    retryMaxMs: 200,
    breakerFailures: 2,
    noConsent: [],
    ...overrides,
  };
}
