import { GsmModemSim } from '@careedge/firmware-sim';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { smsMetrics } from '../../src/sms/metrics.js';
import { GsmModem, type GsmModemOptions, type ModemState, SmsError } from '../../src/sms/modem.js';
import { fakeClock } from '../helpers/fake-clock.js';

const NUMBER = '+4915112345678';
const INIT = ['AT', 'ATE0', 'AT+CMGF=1', 'AT+CSCS="GSM"'];

/**
 * The modem driver against the simulated modem through a real PTY pair. Timeouts, retries and
 * reopening run on a fake clock; the bytes travel in real time, so the tests wait (polling, never
 * asserting on a sleep) for what the other end has read.
 */
describe('GSM modem through a real pseudo-terminal', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setUp(
    o: Partial<GsmModemOptions> & { slowSim?: boolean; before?: (sim: GsmModemSim) => void } = {},
  ) {
    const time = fakeClock();
    const { slowSim, before, ...options } = o;
    // The simulator's slow answers wait on the same fake clock as the driver's timeouts.
    const sim = await GsmModemSim.start(slowSim ? { clock: time.clock } : {});
    cleanups.push(() => sim.close());
    before?.(sim);
    const registry = new Registry();
    const states: ModemState[] = [];
    const reasons: string[] = [];
    const modem = new GsmModem({
      path: sim.path,
      baudRate: 115_200,
      clock: time.clock,
      log: silentLogger(),
      metrics: smsMetrics(registry),
      commandTimeoutMs: 5000,
      sendTimeoutMs: 60_000,
      maxAttempts: 3,
      retryDelayMs: 1000,
      queueLimit: 10,
      reconnectMinMs: 500,
      reconnectMaxMs: 2000,
      random: () => 0, // reopened 250 ms after a loss
      onState: (s, reason) => {
        states.push(s);
        reasons.push(reason);
      },
      ...options,
    });
    cleanups.push(() => modem.stop());
    modem.start();

    /** Polls (real time) until `ok()`; each round may move the fake clock by `tickMs`. */
    const eventually = async (ok: () => boolean | Promise<boolean>, what: string, tickMs = 0) => {
      const deadline = Date.now() + 5000;
      while (!(await ok())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        if (tickMs > 0) await time.tick(tickMs);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const metric = async (name: string, labels: Record<string, string> = {}) => {
      const m = await registry.getSingleMetric(name)?.get();
      return m?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value;
    };
    /** Settles a promise into what it resolved or rejected with, to assert on either. */
    const outcome = <T>(p: Promise<T>) => {
      const box: { value?: T; error?: unknown; done: boolean } = { done: false };
      p.then(
        (value) => Object.assign(box, { value, done: true }),
        (error: unknown) => Object.assign(box, { error, done: true }),
      );
      return box;
    };
    await eventually(() => modem.ready, 'the modem to be set up', before ? 500 : 0);
    return { ...time, sim, modem, states, reasons, eventually, metric, outcome };
  }

  it('sets the modem up at open (echo off, text mode, GSM alphabet) and sends a message', async () => {
    const { sim, modem, metric } = await setUp();
    // The simulator starts as a modem powered on: echo on (the echoes are ignored), PDU mode.
    expect(sim.received).toEqual(INIT);
    const result = await modem.send(NUMBER, 'Room 12: SOS, Anna Berg. Reply on the handset.');
    expect(result).toEqual({
      mr: 0,
      attempts: 1,
      text: 'Room 12: SOS, Anna Berg. Reply on the handset.',
      replaced: 0,
      truncated: false,
    });
    expect(sim.sent).toMatchObject([
      { number: NUMBER, text: 'Room 12: SOS, Anna Berg. Reply on the handset.' },
    ]);
    expect(sim.received.slice(INIT.length)).toEqual([
      `AT+CMGS="${NUMBER}"`,
      '<Room 12: SOS, Anna Berg. Reply on the handset.>',
    ]);
    expect((await modem.send(NUMBER, 'second')).mr).toBe(1);
    expect(await metric('careedge_sms_messages_total', { result: 'sent' })).toBe(2);
    expect(await metric('careedge_sms_modem_ready')).toBe(1);
  });

  it('retries a message refused with +CMS ERROR after the retry delay, and it goes through', async () => {
    const { sim, modem, eventually, metric, outcome, tick } = await setUp();
    sim.failSends(1, { cms: 500 });
    const sending = outcome(modem.send(NUMBER, 'Fall in room 3'));
    await eventually(
      () => sim.received.filter((l) => l === '<Fall in room 3>').length === 1,
      'the first attempt',
    );
    await eventually(
      async () => (await metric('careedge_sms_attempts_total', { result: 'cms-error' })) === 1,
      'the refusal',
    );
    expect(sending.done).toBe(false);
    // Not tried again before the retry delay (1 s on the fake clock)...
    await tick(999);
    expect(sim.received.filter((l) => l.startsWith('AT+CMGS'))).toHaveLength(1);
    // ...and then once more, successfully.
    await tick(1);
    await eventually(() => sending.done, 'the second attempt');
    expect(sending.value).toMatchObject({ attempts: 2, mr: 0 });
    expect(sim.sent).toHaveLength(1);
    expect(await metric('careedge_sms_attempts_total', { result: 'cms-error' })).toBe(1);
    expect(await metric('careedge_sms_attempts_total', { result: 'sent' })).toBe(1);
  });

  it('gives a message up after maxAttempts, saying what the last +CMS ERROR means', async () => {
    const { sim, modem, eventually, metric, outcome } = await setUp();
    sim.failSends(1, 'error');
    sim.failSends(2, { cms: 330 });
    const sending = outcome(modem.send(NUMBER, 'Help in room 7'));
    // Waits of 1 s and 2 s (doubling) between the three attempts.
    await eventually(() => sending.done, 'the third attempt to fail', 500);
    const err = sending.error as SmsError;
    expect(err).toBeInstanceOf(SmsError);
    expect(err.reason).toBe('failed');
    expect(err.attempts).toBe(3);
    expect(err.message).toContain('+CMS ERROR: 330 (SMSC address unknown)');
    expect(err.last?.code).toBe(330);
    expect(sim.sent).toEqual([]);
    expect(await metric('careedge_sms_attempts_total', { result: 'error' })).toBe(1);
    expect(await metric('careedge_sms_attempts_total', { result: 'cms-error' })).toBe(2);
    expect(await metric('careedge_sms_messages_total', { result: 'failed' })).toBe(1);
    // The modem itself is fine: the next message goes.
    expect((await modem.send(NUMBER, 'next')).attempts).toBe(1);
  });

  it('takes a modem that stops answering for hung: reopens the port, sets it up again and sends', async () => {
    const { sim, modem, states, eventually, metric, outcome, tick } = await setUp();
    sim.hang(1); // AT+CMGS gets no prompt
    const sending = outcome(modem.send(NUMBER, 'SOS room 9'));
    await eventually(() => sim.received.includes(`AT+CMGS="${NUMBER}"`), 'the command');
    await tick(4999);
    expect(modem.ready).toBe(true);
    await tick(1); // commandTimeout: hung
    expect(modem.ready).toBe(false);
    await eventually(() => sending.done, 'the reopen, set-up and retry', 250);
    expect(sending.value).toMatchObject({ attempts: 2 });
    expect(sim.sent).toMatchObject([{ text: 'SOS room 9' }]);
    // Set up again after the reopen, before the message was tried again.
    const second = sim.received.lastIndexOf('AT');
    expect(sim.received.slice(second)).toEqual([...INIT, `AT+CMGS="${NUMBER}"`, '<SOS room 9>']);
    expect(states).toEqual(['setting-up', 'ready', 'down', 'setting-up', 'ready']);
    expect(await metric('careedge_sms_modem_hangs_total')).toBe(1);
    expect(await metric('careedge_sms_attempts_total', { result: 'timeout' })).toBe(1);
  });

  it('sets up again, after a growing wait, a modem that refused its set-up (no SIM yet), saying why', async () => {
    const { sim, modem, states, reasons } = await setUp({
      before: (s) => {
        s.failCommands(1); // AT: ERROR
        s.failCommands(1, { cms: 310 }); // AT again: SIM not inserted
      },
    });
    expect(sim.received).toEqual(['AT', 'AT', ...INIT]);
    expect(states).toEqual(['setting-up', 'setting-up', 'setting-up', 'ready']);
    expect(reasons[2]).toContain('+CMS ERROR: 310 (SIM not inserted)');
    expect((await modem.send(NUMBER, 'works now')).attempts).toBe(1);
  });

  it('waits for a slow modem within the timeouts; one slower abandons its prompt with ESC', async () => {
    const { sim, modem, eventually, outcome, tick } = await setUp({ slowSim: true });
    sim.slow(3000);
    const slow = outcome(modem.send(NUMBER, 'slow but fine'));
    await eventually(() => slow.done, 'the slow answers', 1000);
    expect(slow.value).toMatchObject({ attempts: 1 });

    sim.slow(8000); // the prompt comes after commandTimeout (5 s)
    const late = outcome(modem.send(NUMBER, 'late prompt'));
    await eventually(() => sim.received.filter((l) => l.startsWith('AT+CMGS')).length === 2, 'the command');
    await tick(5000);
    expect(modem.ready).toBe(false);
    sim.slow(0);
    // An ESC reaches the modem still waiting for the text (the one sent on the hang, or the one
    // that starts the set-up after the reopen): the message is abandoned, not sent.
    await eventually(() => sim.abandoned.length === 1, 'the ESC', 250);
    await eventually(() => late.done, 'the retry', 250);
    expect(late.value).toMatchObject({ attempts: 2 });
    expect(sim.sent.map((m) => m.text)).toEqual(['slow but fine', 'late prompt']);
  });

  it('ignores unsolicited and garbage lines, also in the middle of an answer', async () => {
    const { sim, modem, metric } = await setUp();
    sim.unsolicited('RING');
    sim.garbage(2);
    sim.interject('+CMTI: "SM",3', '^BOOT:12345,0,0,0,77');
    expect(await modem.send(NUMBER, 'after the noise')).toMatchObject({ mr: 0, attempts: 1 });
    sim.unsolicited('+CMTI: "SM",4');
    expect(await modem.send(NUMBER, 'and again')).toMatchObject({ mr: 1, attempts: 1 });
    expect(sim.sent).toHaveLength(2);
    expect(await metric('careedge_sms_unsolicited_lines_total')).toBeGreaterThanOrEqual(6);
  });

  it('sends only safe GSM 7-bit characters in one 160-character part, and refuses a number that is not E.164', async () => {
    const { sim, modem, metric } = await setUp();
    const r = await modem.send(NUMBER, 'Zoë fell 🙂 in room 3\nat 02:10 – come');
    expect(r).toMatchObject({ text: 'Zo? fell ? in room 3 at 02:10 ? come', replaced: 3, truncated: false });
    expect(sim.sent[0]!.text).toBe('Zo? fell ? in room 3 at 02:10 ? come');

    const long = await modem.send(NUMBER, 'x'.repeat(200));
    expect(long).toMatchObject({ truncated: true });
    expect(sim.sent[1]!.text).toBe(`${'x'.repeat(157)}...`);

    const commands = sim.received.length;
    for (const bad of ['015112345678', '+0151123', '+49 151 1234', '+4915112345678"\r\nAT']) {
      await expect(modem.send(bad, 'x')).rejects.toMatchObject({ reason: 'bad-number' });
    }
    expect(sim.received).toHaveLength(commands); // nothing reached the modem
    expect(await metric('careedge_sms_messages_total', { result: 'refused' })).toBe(4);
  });

  it('sends concurrent messages one at a time, in order, and refuses beyond the queue limit', async () => {
    const { sim, modem, metric } = await setUp({ queueLimit: 3 });
    const numbers = ['+441632960001', '+441632960002', '+441632960003'];
    const sends = numbers.map((n, i) => modem.send(n, `message ${i}`));
    await expect(modem.send('+441632960004', 'one too many')).rejects.toMatchObject({ reason: 'queue-full' });
    expect((await Promise.all(sends)).map((r) => r.mr)).toEqual([0, 1, 2]);
    // Each message's prompt and text before the next command: never interleaved.
    expect(sim.received.slice(INIT.length)).toEqual(
      numbers.flatMap((n, i) => [`AT+CMGS="${n}"`, `<message ${i}>`]),
    );
    expect(sim.sent.map((m) => m.number)).toEqual(numbers);
    expect(await metric('careedge_sms_queued')).toBe(0);
  });

  it('survives an unplug: the message waits, the modem is set up again after the replug and sends it', async () => {
    const { sim, modem, states, eventually, outcome } = await setUp();
    await sim.unplug();
    // Noticed by the read failing or the path vanishing (looked at on the driver's clock).
    await eventually(() => !modem.ready, 'the loss', 1000);
    const sending = outcome(modem.send(NUMBER, 'sent after the replug'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sending.done).toBe(false);

    const before = sim.received.length;
    await sim.plug(); // a modem powered up again: echo on, PDU mode
    await eventually(() => sending.done, 'the reopen and the send', 1000);
    expect(sending.value).toMatchObject({ text: 'sent after the replug' });
    // Without the set-up a modem in PDU mode would have answered ERROR to AT+CMGS="…".
    expect(sim.received.slice(before)).toEqual([...INIT, `AT+CMGS="${NUMBER}"`, '<sent after the replug>']);
    expect(states.slice(0, 3)).toEqual(['setting-up', 'ready', 'down']);
    expect(states.at(-1)).toBe('ready');
  });

  it('refuses the message under way and those waiting when stopped, and sends nothing after', async () => {
    const { sim, modem, eventually, outcome } = await setUp();
    sim.hang(1);
    const waiting = outcome(modem.send(NUMBER, 'under way'));
    const behind = outcome(modem.send(NUMBER, 'behind it'));
    await eventually(() => sim.received.includes(`AT+CMGS="${NUMBER}"`), 'the command');
    await modem.stop();
    await eventually(() => waiting.done && behind.done, 'the refusals');
    expect(waiting.error).toMatchObject({ reason: 'stopped' });
    expect(behind.error).toMatchObject({ reason: 'stopped' });
    await expect(modem.send(NUMBER, 'after')).rejects.toBeInstanceOf(SmsError);
    expect(sim.sent).toEqual([]);
  });
});
