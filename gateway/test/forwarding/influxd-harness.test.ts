import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Influxd, startInfluxd } from '../../harness/influxd.js';

describe('the influxd test harness', () => {
  let influx: Influxd;
  beforeAll(async () => {
    influx = await startInfluxd('harness');
  });
  afterAll(() => influx.close());

  it('writes and counts points, and keeps them across a stop and a start', async () => {
    const res = await fetch(`${influx.url}/write?db=harness&precision=ns`, {
      method: 'POST',
      body: 'm,t=a v=1i 1000\nm,t=a v=2i 2000\nm,t=a v=3i 2000',
    });
    expect(res.status).toBe(204);
    expect(await influx.count('m', 'v')).toBe(2); // same series and time: the point is replaced
    await influx.stop();
    await expect(fetch(`${influx.url}/ping`)).rejects.toThrow();
    await influx.start();
    expect(await influx.count('m', 'v')).toBe(2);
  });
});
