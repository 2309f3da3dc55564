import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import type { GatewayModule } from '../../src/core/module.js';
import { startModules } from '../../src/core/modules.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

describe('safe event delivery: one listener failing never repeats or delays an alarm', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  it('a listener that throws gets the event again on its own; the SOS is raised once, at once', async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    const alice = await g.handset('alice');
    // An optional consumer of device events (statistics, forwarding) having a bad moment.
    const calls: string[] = [];
    let failures = 2;
    g.gateway.context.bus.on('flaky-consumer', 'device:event', (e) => {
      calls.push(e.message.type);
      if (failures-- > 0) throw new Error('disk busy');
    });

    await band.send('deviceEvent', { type: 'sos' });
    const dispatch = (await alice.next(onTopic('dispatch', { type: 'alert', reason: 'new' }))).payload;
    expect(calls).toEqual(['sos']);
    await g.tick(1000); // first retry: fails again
    await g.tick(2000); // second retry: works
    expect(calls).toEqual(['sos', 'sos', 'sos']);
    await g.tick(60_000);
    expect(calls).toHaveLength(3);

    // The alarm itself was handled exactly once: no repeat, no update to the handset.
    const alert = g.alerts.get(dispatch.alertId as number);
    expect(alert.count).toBe(1);
    expect(g.gateway.context.alertStore.audit(alert.id).map((a) => a.action)).not.toContain('repeated');
    expect(alice.drain().filter((m) => m.payload.reason === 'update')).toEqual([]);
    expect(
      await g.metric('careedge_ingest_messages_total', { channel: 'deviceEvent', result: 'retried' }),
    ).toBe(2);
  });
});

describe('critical and optional modules', () => {
  const module = (name: string, start: () => void, optional = false): GatewayModule & { stops: number } => {
    const m = {
      name,
      ...(optional ? { optional: true } : {}),
      stops: 0,
      start,
      stop() {
        m.stops++;
      },
    };
    return m;
  };

  it('runs without an optional module that fails to start, and tries it again every 30 s', async () => {
    const time = fakeClock();
    let attempts = 0;
    const flaky = module(
      'supervision',
      () => {
        if (++attempts < 3) throw new Error('table locked');
      },
      true,
    );
    let dispatcherStarted = false;
    const dispatcher = module('dispatch', () => {
      dispatcherStarted = true;
    });
    const stop = await startModules([flaky, dispatcher], time.clock, silentLogger());
    expect(dispatcherStarted).toBe(true);
    expect(attempts).toBe(1);
    await time.tick(30_000);
    expect(attempts).toBe(2);
    await time.tick(30_000);
    expect(attempts).toBe(3); // started now
    await time.tick(120_000);
    expect(attempts).toBe(3);
    await stop();
    expect(flaky.stops).toBe(3); // after each failed start, and once at the end
    expect(dispatcher.stops).toBe(1);
  });

  it('refuses to start without a critical module, and stops the ones already started', async () => {
    const time = fakeClock();
    const first = module('dispatch', () => {});
    const broken = module('rules', () => {
      throw new Error('cannot read the rules');
    });
    await expect(startModules([first, broken], time.clock, silentLogger())).rejects.toThrow(
      'cannot read the rules',
    );
    expect(first.stops).toBe(1);
  });
});
