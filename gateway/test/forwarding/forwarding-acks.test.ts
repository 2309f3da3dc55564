import { topicFor } from '@careedge/edge';
import { describe, expect, it } from 'vitest';
import { forwardingGateway } from '../helpers/forwarding.js';

describe('PUBACKs with forwarding on (held until the points are stored)', { timeout: 30_000 }, () => {
  it('come, with no time passing, for messages that make no point: malformed, a heartbeat, vitals without consent', async () => {
    // Nothing listens there: the outbox stores, which is all a PUBACK waits for.
    const g = await forwardingGateway({ url: 'http://127.0.0.1:9' });
    const rose = await g.device('wb-1');
    const harold = await g.device('wb-2'); // forwardVitals: false
    const vitals = { heartRateBpm: 70, activity: 1, worn: true, batteryPct: 80, rssiDbm: -60 };
    // The fake clock stands still: a PUBACK left to the 2 s bound would never come.
    await rose.sendRaw(topicFor('deviceTelemetry', 'testsite', 'wb-1'), 'not json');
    await rose.send('deviceHeartbeat', { intervalS: 60 });
    await harold.send('deviceTelemetry', vitals);
    await rose.send('deviceTelemetry', vitals);
    expect(await g.metric('careedge_forward_acks_unstored_total')).toBe(0);
    expect(await g.metric('careedge_forward_points_queued_total')).toBeGreaterThan(0);
  });
});
