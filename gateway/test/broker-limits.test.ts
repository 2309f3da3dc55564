import { topicFor } from '@careedge/edge';
import { connectAsync, type MqttClient } from 'mqtt';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type DeniedEvent, startEmbeddedBroker } from '../src/broker/index.js';
import { LoginThrottle, type LoginThrottlePolicy } from '../src/core/login-throttle.js';
import { openRegister } from '../src/register/register.js';
import { openTempDatabase } from './helpers/tmp.js';

const examplePath = new URL('../sites/example.yaml', import.meta.url).pathname;
const SITE = 'sunrise';

/** A quick policy so a test can go through a whole lockout in milliseconds. */
const FAST: LoginThrottlePolicy = {
  windowMs: 60_000,
  freeFailures: 3,
  baseDelayMs: 2,
  maxDelayMs: 16,
  sourceLockAfter: 10,
  loginLockAfter: 20,
  lockMs: 60_000,
  maxLockMs: 600_000,
};

/** Time for the publish rate, moved by hand: `advance` runs the timers that fall due. */
function manualTime() {
  let now = 0;
  let timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => void timers.push({ at: now + ms, fn }),
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

async function brokerWith(limits: {
  throttle?: LoginThrottle;
  maxPacketBytes?: number;
  perSecond?: number;
  time?: ReturnType<typeof manualTime>;
}) {
  const { db } = openTempDatabase();
  const register = openRegister(db, examplePath);
  const denied: DeniedEvent[] = [];
  const broker = await startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    siteId: SITE,
    gatewaySecret: 'test-gateway-secret-0123456789',
    authenticate: (u, p) => register.authenticate(u, p),
    isLogin: (id) => register.isLogin(id),
    ...(limits.throttle ? { loginThrottle: limits.throttle } : {}),
    ...(limits.maxPacketBytes ? { maxPacketBytes: limits.maxPacketBytes } : {}),
    ...(limits.perSecond
      ? {
          publishRate: {
            perSecond: limits.perSecond,
            burst: limits.perSecond,
            ...(limits.time ? { now: limits.time.now, setTimer: limits.time.setTimer } : {}),
          },
        }
      : {}),
    onDenied: (e) => denied.push(e),
  });
  const clients: MqttClient[] = [];
  onTestFinished(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await broker.close();
  });
  const connect = async (username: string, password: string) => {
    const c = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username,
      password,
      clientId: `${username}-${Math.random().toString(16).slice(2, 8)}`,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    clients.push(c);
    return c;
  };
  /** The CONNACK code of a login attempt, 0 when accepted. */
  const codeOf = (username: string, password: string) =>
    connect(username, password).then(
      () => 0,
      (e: { code?: number }) => e.code ?? -1,
    );
  const closed = (c: MqttClient) => new Promise<void>((resolve) => c.once('close', () => resolve()));
  return { broker, denied, connect, codeOf, closed };
}

describe('login throttling (per source address and per login)', () => {
  it('1,000 guesses at a staff password: held back, then refused unchecked while locked out', async () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now, FAST);
    const t = await brokerWith({ throttle });
    const codes: number[] = [];
    for (let i = 0; i < 1000; i++) codes.push(await t.codeOf('anna', `guess-${i}-0123456789`));
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(4)); // wrong password, checked
    expect(new Set(codes.slice(10))).toEqual(new Set([5])); // locked out: not even checked
    expect(t.denied.filter((d) => d.kind === 'auth')).toHaveLength(10);
    expect(t.denied.filter((d) => d.kind === 'throttled').length).toBeGreaterThanOrEqual(990);
    // Even the right password is refused from the guessing address during the lockout...
    expect(await t.codeOf('anna', 'demo-anna-handset')).toBe(5);
    // ...and accepted once it is over.
    now += 60_001;
    expect(await t.codeOf('anna', 'demo-anna-handset')).toBe(0);
  });

  it("never locks a login out for the addresses that did not guess (the device's own)", async () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now, { ...FAST, sourceLockAfter: 1000, loginLockAfter: 5 });
    for (let i = 0; i < 5; i++) throttle.failed(`10.0.0.${i}`, 'wb-101');
    expect(throttle.check('10.0.0.1', 'wb-101')).toMatchObject({ allowed: false });
    expect(throttle.check('10.0.0.99', 'wb-101')).toEqual({ allowed: true, delayMs: 0 });
    // The broker on 127.0.0.1, which never failed: the band gets in.
    const t = await brokerWith({ throttle });
    expect(await t.codeOf('wb-101', 'demo-wb-101-secret')).toBe(0);
    now += 60_001;
    expect(throttle.check('10.0.0.1', 'wb-101')).toMatchObject({ allowed: true });
  });

  it('holds back answers longer and longer, and doubles a repeated lockout', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now, FAST);
    const delays = Array.from({ length: 9 }, () => throttle.failed('10.1.1.1', 'x').delayMs);
    expect(delays).toEqual([0, 0, 2, 4, 8, 16, 16, 16, 16]);
    expect(throttle.failed('10.1.1.1', 'x').lockedOut).toBe(true);
    expect(throttle.check('10.1.1.1', 'x')).toMatchObject({ allowed: false, retryInMs: 60_000 });
    now += 60_001;
    for (let i = 0; i < 10; i++) throttle.failed('10.1.1.1', 'x');
    expect(throttle.check('10.1.1.1', 'x')).toMatchObject({ allowed: false, retryInMs: 120_000 });
  });
});

describe('packet size and publish rate', () => {
  it('closes a connection that starts a 200 MB publish before reading it, and counts it', async () => {
    const t = await brokerWith({ maxPacketBytes: 32 * 1024 });
    const band = await t.connect('wb-101', 'demo-wb-101-secret');
    const gone = t.closed(band);
    const rssBefore = process.memoryUsage().rss;
    // Only the header and the first chunk are written: the broker must not wait for the rest.
    const header = Buffer.from([0x30, 0x80, 0x80, 0x80, 0x64]); // PUBLISH, remaining length 200 MiB
    (band.stream as unknown as { write(b: Buffer): void }).write(
      Buffer.concat([header, Buffer.alloc(64 * 1024)]),
    );
    await gone;
    expect(t.denied.at(-1)).toMatchObject({
      kind: 'oversize',
      reason: expect.stringContaining('209715200 bytes'),
    });
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
    // Others carry on.
    const other = await t.connect('wb-102', 'demo-wb-102-secret');
    await other.publishAsync(
      topicFor('deviceEvent', SITE, 'wb-102'),
      JSON.stringify({ seq: 1, ts: 1, type: 'sos' }),
      {
        qos: 1,
      },
    );
  });

  it('disconnects a client publishing far above the rate, but never refuses its alarm', async () => {
    const t = await brokerWith({ perSecond: 5 });
    const band = await t.connect('wb-101', 'demo-wb-101-secret');
    const telemetry = topicFor('deviceTelemetry', SITE, 'wb-101');
    for (let i = 0; i < 5; i++)
      await band.publishAsync(telemetry, JSON.stringify({ seq: i, ts: 1 }), { qos: 1 });
    // The bucket is empty now: an SOS still goes through...
    const sos = JSON.stringify({ seq: 9, ts: 1, type: 'sos' });
    await band.publishAsync(topicFor('deviceEvent', SITE, 'wb-101'), sos, { qos: 1 });
    expect(t.denied).toEqual([]);
    // ...telemetry does not.
    const gone = t.closed(band);
    band.publish(telemetry, JSON.stringify({ seq: 10, ts: 1 }), { qos: 1 });
    await gone;
    expect(t.denied.at(-1)).toMatchObject({
      kind: 'rate',
      username: 'wb-101',
      reason: 'more than 5 messages a second',
    });
  });

  /**
   * A carer's handset answers each dispatch; after a reconnect the gateway resends every alert
   * she was asked about, and her "received" for each came faster than the rate: the broker closed
   * her connection, and with it went the alerts she held (found in the bench: alerts escalated
   * past a carer who was answering them).
   */
  it('holds a handset above the rate back and never disconnects it: every reply goes through', async () => {
    const time = manualTime();
    const t = await brokerWith({ perSecond: 5, time });
    const anna = await t.connect('anna', 'demo-anna-handset');
    let closed = false;
    anna.on('close', () => {
      closed = true;
    });
    const topic = topicFor('staffReply', SITE, 'anna');
    let acked = 0;
    const replies = Array.from({ length: 30 }, (_, i) =>
      anna
        .publishAsync(topic, JSON.stringify({ seq: i + 1, ts: 1, action: 'received', alertId: i + 1 }), {
          qos: 1,
        })
        .then(() => acked++),
    );
    await expect.poll(() => acked).toBe(5); // the burst
    for (let s = 0; s < 6 && acked < 30; s++) {
      time.advance(1000);
      await expect.poll(() => acked).toBeGreaterThanOrEqual(Math.min(30, 5 + 5 * (s + 1)));
    }
    await Promise.all(replies);
    expect(acked).toBe(30);
    expect(closed, "the carer's handset stays connected").toBe(false);
    expect(t.denied.filter((d) => d.kind === 'rate')).toEqual([
      expect.objectContaining({ username: 'anna', reason: 'more than 5 messages a second: held back' }),
    ]);
  });
});
