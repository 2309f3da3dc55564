import { describe, it } from 'vitest';
import { ackedReadingsSurvive } from '../helpers/band-streams.js';

// Two gateway starts in their own processes: slower than the default test timeout allows on a busy machine.
describe('forwarding across kill -9 in mid-stream (gateway in its own process, real influxd)', {
  timeout: 90_000,
}, () => {
  it('every reading a band had its PUBACK for is in InfluxDB after the restart, with three bands and heartbeats still sending', async () => {
    await ackedReadingsSurvive((gw) => gw.kill());
  });
});
