import { type Dispatch, decodePayload, type HandsetReply, topicFor } from '@careedge/edge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Handset } from '../../src/devices/handset.js';
import type { HandsetBehaviour } from '../../src/devices/handset-policy.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { dispatchMessage } from '../helpers/dispatch.js';
import { type FakeClock, fakeClock } from '../helpers/fake-clock.js';
import { type Observed, Observer } from '../helpers/observer.js';

const SITE = 'testsite';
/** Lets promise callbacks (a result handled → next step scheduled) run before time moves on. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('handset and its behaviour policy, against a fake gateway', () => {
  let broker: TestBroker;
  let gateway: Observer;
  let clock: FakeClock;
  let handset: Handset | undefined;
  /** Replies as the handset sent them — recorded synchronously, so "nothing else was sent" holds. */
  let sent: string[];

  beforeEach(async () => {
    broker = await startBroker();
    gateway = await Observer.start(broker.url, `careedge/v1/${SITE}/staff/+/reply`);
    clock = fakeClock();
    sent = [];
  });
  afterEach(async () => {
    await handset?.close();
    handset = undefined;
    await gateway.close();
    await broker.close();
  });

  async function start(behaviour?: HandsetBehaviour, id = 'anna') {
    handset = new Handset({
      url: broker.url,
      siteId: SITE,
      id,
      secret: 'x'.repeat(16),
      clock,
      ...(behaviour ? { behaviour } : {}),
    });
    handset.on('replied', (r) => sent.push(`${r.action}#${r.alertId}`));
    await handset.connect();
    return handset;
  }

  const dispatch = (alertId: number, extra: Partial<Dispatch> = {}): Dispatch =>
    dispatchMessage(alertId, {
      ts: clock.now(),
      raisedAt: clock.now(),
      residentId: 'r-101',
      zone: 'east',
      ...extra,
    });

  const sendDispatch = (d: Dispatch, to = 'anna') => gateway.publish(topicFor('staffDispatch', SITE, to), d);
  const replies = () => gateway.messages.map((m) => m.json as unknown as HandsetReply);
  const actions = () => replies().map((r) => `${r.action}#${r.alertId}`);
  const isReply = (action: string, alertId: number) => (m: Observed) =>
    m.json.action === action && m.json.alertId === alertId;

  /** The fake gateway answers a reply the way the real one does: same transaction as the seq. */
  async function answer(m: Observed, status: 'ok' | 'error' = 'ok') {
    const reply = m.json as unknown as HandsetReply;
    const result = {
      ts: clock.now(),
      transaction: reply.seq,
      action: reply.action,
      alertId: reply.alertId,
      status,
    };
    const handled = new Promise((resolve) => handset!.once('result', resolve));
    await gateway.publish(topicFor('staffResult', SITE, 'anna'), result);
    await handled;
    await settle();
  }

  it('accept: receipt at once, then ack, arrived and resolve after the configured delays', async () => {
    await start({
      mode: 'accept',
      ackAfterMs: 1000,
      arriveAfterMs: 2000,
      resolveAfterMs: 3000,
      outcome: 'resident-ok',
    });
    await sendDispatch(dispatch(5));
    await answer(await gateway.waitFor(isReply('received', 5), 'the delivery receipt'));

    clock.tick(999);
    expect(sent).toEqual(['received#5']);
    clock.tick(1);
    await answer(await gateway.waitFor(isReply('ack', 5), 'the ack'));
    clock.tick(1999);
    expect(sent).toEqual(['received#5', 'ack#5']);
    clock.tick(1);
    await answer(await gateway.waitFor(isReply('arrived', 5), 'arrived'));
    clock.tick(3000);
    const resolve = await gateway.waitFor(isReply('resolve', 5), 'the resolve');
    expect(resolve.json.outcome).toBe('resident-ok');
    expect(actions()).toEqual(['received#5', 'ack#5', 'arrived#5', 'resolve#5']);
    // Every reply is valid protocol, and seqs go up by one (1 was `online`).
    for (const m of gateway.messages)
      expect(decodePayload('staffReply', m.payload)).toMatchObject({ ok: true });
    expect(replies().map((r) => r.seq)).toEqual([2, 3, 4, 5]);
  });

  it('accept stops when the gateway refuses the ack (someone else took it)', async () => {
    await start({
      mode: 'accept',
      ackAfterMs: 0,
      arriveAfterMs: 10,
      resolveAfterMs: 10,
      outcome: 'assisted',
    });
    await sendDispatch(dispatch(6));
    await gateway.waitFor(isReply('received', 6));
    clock.tick(0);
    await answer(await gateway.waitFor(isReply('ack', 6)), 'error');
    clock.tick(60_000);
    await settle();
    expect(sent).toEqual(['received#6', 'ack#6']);
  });

  it('decline: declines with the reason after the delay, and does nothing more', async () => {
    await start({ mode: 'decline', afterMs: 1500, reason: 'with another resident' });
    await sendDispatch(dispatch(7));
    await gateway.waitFor(isReply('received', 7));
    clock.tick(1499);
    expect(sent).toEqual(['received#7']);
    clock.tick(1);
    const decline = await gateway.waitFor(isReply('decline', 7), 'the decline');
    expect(decline.json.reason).toBe('with another resident');
    await answer(decline);
    clock.tick(60_000);
    await settle();
    expect(sent).toEqual(['received#7', 'decline#7']);
  });

  it('ignore: only the delivery receipt, however long we wait', async () => {
    await start({ mode: 'ignore' });
    await sendDispatch(dispatch(8));
    await gateway.waitFor(isReply('received', 8));
    clock.tick(3_600_000);
    await settle();
    expect(sent).toEqual(['received#8']);
  });

  it('rules pick the policy per dispatch: ignore falls, accept the rest', async () => {
    await start([
      { when: { kind: 'fall' }, mode: 'ignore' },
      { mode: 'accept', ackAfterMs: 100, arriveAfterMs: 100, resolveAfterMs: 100, outcome: 'assisted' },
    ]);
    await sendDispatch(dispatch(9, { kind: 'fall' }));
    await sendDispatch(dispatch(10, { kind: 'sos' }));
    await gateway.waitFor(isReply('received', 10));
    clock.tick(100);
    await gateway.waitFor(isReply('ack', 10), 'the ack of the SOS');
    expect(sent).toEqual(['received#9', 'received#10', 'ack#10']);
  });

  it('a withdrawal cancels the scheduled ack', async () => {
    await start({
      mode: 'accept',
      ackAfterMs: 5000,
      arriveAfterMs: 0,
      resolveAfterMs: 0,
      outcome: 'assisted',
    });
    await sendDispatch(dispatch(11));
    await gateway.waitFor(isReply('received', 11));
    const withdrawn = new Promise((resolve) => handset!.once('withdrawn', resolve));
    await gateway.publish(topicFor('staffDispatch', SITE, 'anna'), {
      ts: clock.now(),
      type: 'withdrawn',
      alertId: 11,
      reason: 'taken',
      byStaffId: 'ben',
    });
    expect(await withdrawn).toMatchObject({ alertId: 11, reason: 'taken' });
    clock.tick(10_000);
    await settle();
    expect(sent).toEqual(['received#11']);
  });

  it('a handover offer becomes ours by accepting it (ack), then arrive and resolve', async () => {
    await start({
      mode: 'accept',
      ackAfterMs: 100,
      arriveAfterMs: 200,
      resolveAfterMs: 300,
      outcome: 'assisted',
    });
    await sendDispatch(dispatch(12, { reason: 'handover', ownerId: 'anna' }));
    await gateway.waitFor(isReply('received', 12));
    clock.tick(100);
    await answer(await gateway.waitFor(isReply('ack', 12), 'the ack that takes it over'));
    clock.tick(200);
    await answer(await gateway.waitFor(isReply('arrived', 12), 'arrived'));
    clock.tick(300);
    await gateway.waitFor(isReply('resolve', 12), 'the resolve');
    expect(actions()).toEqual(['received#12', 'ack#12', 'arrived#12', 'resolve#12']);
  });

  it('action methods resolve with the result whose transaction is their seq', async () => {
    await start(undefined);
    const ack = handset!.ack(20);
    const handover = handset!.handover(21, 'ben', 'end of shift');
    const [ackMsg, handoverMsg] = await Promise.all([
      gateway.waitFor(isReply('ack', 20)),
      gateway.waitFor(isReply('handover', 21)),
    ]);
    expect(handoverMsg.json).toMatchObject({ to: 'ben', note: 'end of shift' });
    // Answer in the opposite order: matching is by transaction, not by arrival order.
    const result = (m: Observed, status: string) => ({
      ts: clock.now(),
      transaction: m.json.seq,
      action: m.json.action,
      alertId: m.json.alertId,
      status,
      ...(status === 'error' ? { error: { code: 'not-owner', message: 'you do not own alert 21' } } : {}),
    });
    await gateway.publish(topicFor('staffResult', SITE, 'anna'), result(handoverMsg, 'error'));
    await gateway.publish(topicFor('staffResult', SITE, 'anna'), result(ackMsg, 'ok'));
    expect(await ack).toMatchObject({ alertId: 20, status: 'ok', transaction: ackMsg.json.seq });
    expect(await handover).toMatchObject({ alertId: 21, status: 'error', error: { code: 'not-owner' } });
  });

  it('a reply without a result rejects after the result timeout', async () => {
    await start(undefined);
    const ack = handset!.ack(30);
    await gateway.waitFor(isReply('ack', 30));
    clock.tick(10_000);
    await expect(ack).rejects.toThrow(/no result for ack #30/);
  });
});
