import { describe, expect, it } from 'vitest';
import { soonFirst, soonLast } from '../../src/core/check-phase.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('check phase lanes (alarm work before telemetry)', () => {
  it('runs first-lane work, and what its promises release, before late work asked for earlier in the turn', async () => {
    const order: string[] = [];
    const drain = () => order.push('telemetry');
    soonLast(drain); // the first telemetry packet of the turn
    soonLast(drain); // the rest of the turn's telemetry: still one drain
    let acked!: () => void;
    void new Promise<void>((resolve) => {
      acked = resolve;
    }).then(() => order.push('puback'));
    soonFirst(() => {
      order.push('journal commit');
      acked();
    });
    await nextTurn();
    await nextTurn();
    expect(order).toEqual(['journal commit', 'puback', 'telemetry']);
  });

  it('lets what first-lane work sets for the next check phase (a dispatch write) go before late work, once', async () => {
    const order: string[] = [];
    soonLast(() => order.push('telemetry'));
    soonFirst(() => {
      order.push('journal commit');
      setImmediate(() => order.push('dispatch write'));
    });
    for (let i = 0; i < 3; i++) await nextTurn();
    expect(order).toEqual(['journal commit', 'dispatch write', 'telemetry']);

    // Alarm work in every turn delays late work by one check phase at most.
    order.length = 0;
    soonLast(() => order.push('telemetry'));
    for (let turn = 0; turn < 3; turn++) {
      soonFirst(() => order.push(`commit ${turn}`));
      await nextTurn();
    }
    await nextTurn();
    expect(order.indexOf('telemetry')).toBeLessThanOrEqual(order.indexOf('commit 1') + 1);
    expect(order).toContain('telemetry');
  });

  it('runs late work in the next check phase when nothing else is asked for', async () => {
    const order: string[] = [];
    soonLast(() => order.push('telemetry'));
    expect(order).toEqual([]);
    await nextTurn();
    await nextTurn();
    expect(order).toEqual(['telemetry']);
  });
});
