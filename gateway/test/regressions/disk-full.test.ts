import { afterEach, describe, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('found by probing: the SD card stops taking writes', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  /**
   * journal/write-ahead.ts: when the journal cannot be written ("disk full, card gone read-only")
   * the alarm is let through because "the in-memory path still takes it to a person". It does not:
   * AlertService.raise commits the alert (and its first dispatch) to SQLite before any handset is
   * told, so the insert throws, ingest retries the rules every ≤10 s for ever, and no carer is
   * paged. An SD card that wore out and went read-only (ext4 remounts ro on I/O errors) turns the
   * gateway into one that accepts, PUBACKs and silently swallows every SOS.
   */
  it('an SOS still reaches the carer when SQLite refuses writes', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    await g.settled();
    g.gateway.context.db.pragma('query_only = 1'); // every write now fails, like a read-only card

    await band.send('deviceEvent', { type: 'sos' });
    for (let i = 0; i < 6; i++) await g.tick(10_000);
    expect(await g.metric('careedge_alarm_journal_records_total', { result: 'failed' })).toBe(1);
    const dispatches = alice.drain().filter(onTopic('dispatch', { type: 'alert' }));
    expect(dispatches.length, 'no carer was paged for the SOS within a minute').toBeGreaterThan(0);
    g.gateway.context.db.pragma('query_only = 0');
  });
});
