/**
 * found by probing: a gateway stopped gracefully (SIGTERM) while bands were sending acknowledged
 * readings that were never stored: forwarding stops before the broker closes, and it turned the
 * PUBACK hold off, so telemetry read in between was acknowledged at once while forwarding no
 * longer made points of it (60 readings of one band, in InfluxDB none). A kill -9 lost none.
 */
import { describe, it } from 'vitest';
import { ackedReadingsSurvive } from '../helpers/band-streams.js';

// Two gateway starts in their own processes: slower than the default test timeout allows on a busy machine.
describe('found by probing: a graceful stop while bands are sending', { timeout: 90_000 }, () => {
  it('no band gets a PUBACK for a reading forwarding no longer stores', async () => {
    await ackedReadingsSurvive((gw) => gw.terminate()); // SIGTERM, as systemd stops it
  });
});
