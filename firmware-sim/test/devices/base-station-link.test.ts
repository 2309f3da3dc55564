import { type Duplex, duplexPair } from 'node:stream';
import { encodeFrame, FrameDecoder, type SerialFrame } from '@careedge/edge';
import { afterEach, describe, expect, it } from 'vitest';
import { messageExamples } from '../../../edge/src/protocol/examples.js';
import {
  BaseStationLink,
  type BaseStationLinkOptions,
  FrameRefused,
  LinkClosed,
} from '../../src/devices/base-station-link.js';
import { type FakeClock, fakeClock } from '../helpers/fake-clock.js';

/** Stream data crosses a duplex pair on later turns of the event loop; fake time does not move it. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** The gateway's end, just enough of it: ACKs a hello with the right secret and every data frame. */
class FakeGateway {
  readonly frames: SerialFrame[] = [];
  /** Frames to take no notice of, as if lost on the line. */
  ignore = 0;
  /** Answer nothing at all. */
  silent = false;
  /** A gateway that restarted has forgotten the hello. */
  helloSeen = false;
  readonly refuse = new Map<string, string>();
  private readonly decoder = new FrameDecoder();
  private linkSeq = 100;

  constructor(
    readonly stream: Duplex,
    private readonly secret = 's3cret',
  ) {
    stream.on('data', (chunk: Buffer) => {
      for (const r of this.decoder.push(chunk)) if (r.ok) this.receive(r.frame);
    });
  }

  get data(): SerialFrame[] {
    return this.frames.filter((f) => f.type !== 'ack' && f.type !== 'nack' && f.type !== 'hello');
  }

  get acks(): SerialFrame[] {
    return this.frames.filter((f) => f.type === 'ack');
  }

  down(frame: Omit<SerialFrame, 'linkSeq'>, linkSeq = this.linkSeq++): number {
    this.stream.write(encodeFrame({ ...frame, linkSeq }));
    return linkSeq;
  }

  answer(type: 'ack' | 'nack', to: SerialFrame, payload: Record<string, unknown> = {}): void {
    this.stream.write(encodeFrame({ type, deviceId: to.deviceId, linkSeq: to.linkSeq, payload }));
  }

  private receive(frame: SerialFrame): void {
    this.frames.push(frame);
    if (frame.type === 'ack' || frame.type === 'nack' || this.silent) return;
    if (frame.type === 'hello') this.helloSeen = true;
    else if (!this.helloSeen) return; // no hello on this link: not a word (NACK would drop it)
    if (this.ignore > 0) {
      this.ignore--;
      return;
    }
    const refusal =
      frame.type === 'hello' && frame.payload.secret !== this.secret
        ? 'wrong secret'
        : this.refuse.get(frame.deviceId);
    if (refusal) this.answer('nack', frame, { reason: refusal });
    else this.answer('ack', frame);
  }
}

const sos = messageExamples.SosEvent;
const telemetry = messageExamples.WristbandTelemetry;

describe('BaseStationLink over an in-memory serial line', () => {
  let clock: FakeClock;
  const links: BaseStationLink[] = [];

  afterEach(() => {
    for (const link of links.splice(0)) link.close();
  });

  function setup(opts: Partial<BaseStationLinkOptions> = {}) {
    clock = fakeClock();
    const [station, gatewaySide] = duplexPair();
    const gateway = new FakeGateway(gatewaySide);
    const link = new BaseStationLink(
      { baseStationId: 'bs-1', secret: 's3cret', firmware: 'bs-1.2.0', clock, retransmitMs: 500, ...opts },
      station,
    );
    links.push(link);
    // Closing the link rejects what is unanswered; the tests look at those promises themselves.
    const track = (p: Promise<void>) => {
      const state = { settled: false as boolean | 'refused', error: undefined as unknown };
      p.then(
        () => {
          state.settled = true;
        },
        (err: unknown) => {
          state.settled = 'refused';
          state.error = err;
        },
      );
      return state;
    };
    return { link, gateway, track };
  }

  it('says hello first and holds data frames until the gateway ACKs it', async () => {
    const { link, gateway, track } = setup();
    gateway.silent = true;
    const hello = track(link.hello());
    const sent = track(link.send('event', 'wb-1', sos));
    await settle();
    expect(gateway.frames.map((f) => f.type)).toEqual(['hello']);
    expect(gateway.frames[0]).toEqual({
      type: 'hello',
      deviceId: 'bs-1',
      linkSeq: 0,
      payload: { secret: 's3cret', firmware: 'bs-1.2.0' },
    });
    gateway.answer('ack', gateway.frames[0]!);
    await settle();
    expect(hello.settled).toBe(true);
    expect(gateway.data).toEqual([{ type: 'event', deviceId: 'wb-1', linkSeq: 1, payload: sos }]);
    expect(sent.settled).toBe(false);
    gateway.answer('ack', gateway.data[0]!);
    await settle();
    expect(sent.settled).toBe(true);
  });

  it('retransmits an unacknowledged frame after retransmitMs with the same linkSeq and bytes', async () => {
    const { link, gateway, track } = setup();
    await Promise.all([link.hello(), settle()]);
    gateway.ignore = 2;
    const sent = track(link.send('telemetry', 'wb-1', telemetry));
    await settle();
    clock.tick(499);
    await settle();
    expect(gateway.data).toHaveLength(1);
    clock.tick(1);
    await settle();
    clock.tick(500);
    await settle();
    expect(gateway.data).toHaveLength(3);
    expect(new Set(gateway.data.map((f) => JSON.stringify(f))).size).toBe(1);
    expect(sent.settled).toBe(true);
    expect(link.stats).toMatchObject({ sent: 2, retransmitted: 2, acked: 2 });
    clock.tick(5000);
    await settle();
    expect(gateway.data).toHaveLength(3); // acknowledged: never again
  });

  it('drops a NACKed frame: the promise rejects with the reason and nothing is retransmitted', async () => {
    const { link, gateway, track } = setup();
    await Promise.all([link.hello(), settle()]);
    gateway.refuse.set('wb-9', 'unknown device "wb-9"');
    const refused = track(link.send('event', 'wb-9', sos));
    const fine = track(link.send('event', 'wb-1', sos));
    await settle();
    expect(refused.settled).toBe('refused');
    expect(refused.error).toBeInstanceOf(FrameRefused);
    expect((refused.error as FrameRefused).reason).toBe('unknown device "wb-9"');
    expect(fine.settled).toBe(true);
    clock.tick(10_000);
    await settle();
    expect(gateway.data.map((f) => f.deviceId)).toEqual(['wb-9', 'wb-1']);
  });

  it('rejects the hello on NACK (wrong secret) and sends no data', async () => {
    const { link, gateway, track } = setup({ secret: 'wrong' });
    const hello = track(link.hello());
    const sent = track(link.send('event', 'wb-1', sos));
    await settle();
    expect(hello.settled).toBe('refused');
    expect((hello.error as FrameRefused).reason).toBe('wrong secret');
    expect(gateway.data).toEqual([]);
    expect(link.pending).toEqual({ inFlight: 0, queued: 1 });
    expect(sent.settled).toBe(false);
  });

  it('keeps at most maxInFlight frames unanswered; the rest wait their turn, in order', async () => {
    const { link, gateway } = setup({ maxInFlight: 2 });
    await Promise.all([link.hello(), settle()]);
    gateway.silent = true;
    const sends = [1, 2, 3, 4, 5].map((seq) => link.send('event', 'wb-1', { ...sos, seq }));
    await settle();
    expect(gateway.data.map((f) => f.payload.seq)).toEqual([1, 2]);
    expect(link.pending).toEqual({ inFlight: 2, queued: 3 });
    gateway.answer('ack', gateway.data[0]!);
    await settle();
    expect(gateway.data.map((f) => f.payload.seq)).toEqual([1, 2, 3]);
    clock.tick(500); // 2 and 3 unanswered: both go again, 4 still waits
    await settle();
    expect(gateway.data.map((f) => f.payload.seq)).toEqual([1, 2, 3, 2, 3]);
    gateway.silent = false;
    gateway.answer('ack', gateway.data[1]!);
    gateway.answer('ack', gateway.data[2]!);
    await Promise.all(sends);
    expect(gateway.data.map((f) => f.payload.seq)).toEqual([1, 2, 3, 2, 3, 4, 5]);
    expect(link.pending).toEqual({ inFlight: 0, queued: 0 });
  });

  it('queues while the line is down; on reconnect says hello, then re-sends what was in flight and the queue', async () => {
    const { link, gateway, track } = setup();
    await Promise.all([link.hello(), settle()]);
    gateway.silent = true;
    const first = track(link.send('event', 'wb-1', { ...sos, seq: 1 }));
    await settle();
    link.disconnect();
    expect(link.connected).toBe(false);
    const second = track(link.send('event', 'wb-1', { ...sos, seq: 2 }));
    clock.tick(5000); // nothing to write to: no retransmission, no error
    await settle();
    expect(gateway.data).toHaveLength(1);

    const [station, gatewaySide] = duplexPair();
    const next = new FakeGateway(gatewaySide);
    await Promise.all([link.reconnect(station), settle()]);
    await settle();
    expect(next.frames.map((f) => [f.type, f.linkSeq, f.payload.seq])).toEqual([
      ['hello', 3, undefined],
      ['event', 1, 1], // the same linkSeq as before the cut
      ['event', 2, 2],
    ]);
    expect([first.settled, second.settled]).toEqual([true, true]);
  });

  it('says hello again when frames go unanswered (the gateway restarted) and then re-sends them', async () => {
    const { link, gateway, track } = setup();
    await Promise.all([link.hello(), settle()]);
    gateway.helloSeen = false;
    const sent = track(link.send('event', 'wb-1', sos));
    await settle();
    clock.tick(500);
    await settle();
    clock.tick(500);
    await settle();
    expect(gateway.frames.map((f) => f.type)).toEqual(['hello', 'event', 'event', 'event']);
    expect(sent.settled).toBe(false);
    clock.tick(500); // third retransmission due: a hello first, then the frame once it is ACKed
    await settle();
    expect(gateway.frames.map((f) => [f.type, f.linkSeq])).toEqual([
      ['hello', 0],
      ['event', 1],
      ['event', 1],
      ['event', 1],
      ['hello', 2],
      ['event', 1],
    ]);
    expect(sent.settled).toBe(true);
  });

  it('notices the gateway closing the line and sends nothing until reconnected', async () => {
    const { link, gateway } = setup();
    await Promise.all([link.hello(), settle()]);
    gateway.stream.end();
    await settle();
    expect(link.connected).toBe(false);
    void link.send('event', 'wb-1', sos).catch(() => undefined);
    expect(link.pending).toEqual({ inFlight: 0, queued: 1 });
  });

  it('delivers downlinks once, ACKs each copy, and refuses frames a base station does not take', async () => {
    const { link, gateway } = setup();
    const got: SerialFrame[] = [];
    link.onDownlink((f) => got.push(f));
    await Promise.all([link.hello(), settle()]);
    const thanks = { type: 'thanks', deviceId: 'kiosk-1', payload: messageExamples.KioskThanks } as const;
    const seq = gateway.down(thanks);
    gateway.down(thanks, seq); // our ACK was lost: the gateway sends it again
    gateway.down({ type: 'telemetry', deviceId: 'wb-1', payload: telemetry });
    await settle();
    expect(got).toEqual([{ ...thanks, linkSeq: seq }]);
    expect(gateway.acks).toEqual([
      { type: 'ack', deviceId: 'kiosk-1', linkSeq: seq, payload: {} },
      { type: 'ack', deviceId: 'kiosk-1', linkSeq: seq, payload: {} },
    ]);
    expect(gateway.frames.find((f) => f.type === 'nack')).toMatchObject({
      deviceId: 'wb-1',
      payload: { reason: 'a base station does not take telemetry frames' },
    });
  });

  it('forgets the downlinks it has seen once a new hello is ACKed (the gateway may number afresh)', async () => {
    const { link, gateway } = setup();
    const got: SerialFrame[] = [];
    link.onDownlink((f) => got.push(f));
    await Promise.all([link.hello(), settle()]);
    const reassure = { type: 'reassurance', deviceId: 'wb-1', payload: messageExamples.Reassurance } as const;
    gateway.down(reassure, 7);
    await settle();
    gateway.down(reassure, 7); // same session: a copy, acknowledged and not delivered
    await settle();
    expect(got).toHaveLength(1);
    // The gateway restarted and counts its downlinks from where it likes: 7 again is a new frame.
    await Promise.all([link.hello(), settle()]);
    gateway.down({ ...reassure, payload: { ...messageExamples.Reassurance, alertId: 99 } }, 7);
    await settle();
    expect(got.map((f) => [f.linkSeq, f.payload.alertId])).toEqual([
      [7, messageExamples.Reassurance.alertId],
      [7, 99],
    ]);
    expect(gateway.acks.filter((a) => a.linkSeq === 7)).toHaveLength(3);
  });

  it('counts line noise and keeps going', async () => {
    const { link, gateway } = setup();
    const hello = link.hello();
    gateway.stream.write(Buffer.from('\xc0garbage on the line\xc0', 'latin1'));
    await Promise.all([hello, settle()]);
    expect(link.stats.rejected).toBe(1);
    await expect(link.send('event', 'wb-1', sos)).resolves.toBeUndefined();
  });

  it('wraps linkSeq at 2^32', async () => {
    const { link, gateway } = setup({ firstLinkSeq: 0xffff_fffe });
    await Promise.all([link.hello(), settle()]);
    await Promise.all([link.send('event', 'wb-1', sos), link.send('event', 'wb-1', sos), settle()]);
    expect(gateway.frames.filter((f) => f.type !== 'ack').map((f) => f.linkSeq)).toEqual([
      0xffff_fffe, 0xffff_ffff, 0,
    ]);
  });

  it('close rejects every unanswered frame and refuses new ones', async () => {
    const { link, gateway } = setup();
    await Promise.all([link.hello(), settle()]);
    gateway.silent = true;
    const inFlight = link.send('event', 'wb-1', sos);
    link.close();
    await expect(inFlight).rejects.toBeInstanceOf(LinkClosed);
    await expect(link.send('event', 'wb-1', sos)).rejects.toBeInstanceOf(LinkClosed);
    clock.tick(10_000);
    await settle();
    expect(gateway.data).toHaveLength(1);
  });
});
