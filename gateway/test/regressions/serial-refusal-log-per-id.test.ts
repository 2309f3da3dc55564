/**
 * Found by probing: serial refusals were rate-limited in the log per device id the frame named,
 * an id the sender chooses. A base station relaying frames for ids the register does not know
 * (garbled by its firmware, or one not logged in at all) wrote one warning line per frame onto the
 * SD card, and the rate limiter kept a key per id for a whole interval. An id the register lacks
 * now shares one key per port and reason.
 */
import { encodeFrame, FrameDecoder } from '@careedge/edge';
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import { RateLimitedLog } from '../../src/core/rate-limited-log.js';
import { Downlinks } from '../../src/serial/downlinks.js';
import { serialMetrics } from '../../src/serial/metrics.js';
import { StationLink } from '../../src/serial/station-link.js';
import { fakeClock } from '../helpers/fake-clock.js';

it('says refusals of frames for ids the register lacks once per port and reason, not once per id', () => {
  const { clock } = fakeClock();
  const warnings: string[] = [];
  const log = {
    warn: (_f: unknown, msg: string) => warnings.push(msg),
    info: () => {},
    error: () => {},
    debug: () => {},
  } as unknown as Logger;
  const metrics = serialMetrics(new Registry());
  const rejectLog = new RateLimitedLog(log, clock, 60_000);
  const answers = new FrameDecoder();
  const nacks: string[] = [];
  const link = new StationLink({
    port: '/dev/ttyTEST',
    baseStation: undefined,
    siteId: 'testsite',
    clock,
    log,
    rejectLog,
    metrics,
    register: { authenticate: () => undefined, device: () => undefined },
    ingest: { receive: () => {} },
    writeAhead: Object.assign(() => undefined, { durable: () => {} }),
    downlinks: new Downlinks({ clock, log: rejectLog, metrics, ackTimeoutMs: 1000, tries: 3, queueLimit: 4 }),
    write: (bytes) => {
      for (const r of answers.push(bytes)) if (r.ok) nacks.push(String(r.frame.payload.reason));
      return true;
    },
    onStation: () => {},
  });

  for (let i = 0; i < 500; i++) {
    const payload = { type: 'sos', seq: i, ts: 1 };
    link.push(encodeFrame({ type: 'event', deviceId: `ghost-${i}`, linkSeq: i, payload }));
  }
  expect(nacks).toHaveLength(500);
  expect(new Set(nacks)).toEqual(new Set(['not-logged-in']));
  expect(warnings).toHaveLength(1);
});
