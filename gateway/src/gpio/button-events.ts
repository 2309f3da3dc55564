import { type CallSource, topicFor } from '@careedge/edge';
import type { AlertStore } from '../alerts/store.js';
import type { GpioInputConfig } from '../config/gpio.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Ingest } from '../ingest/ingest.js';
import type { WriteAhead } from '../journal/index.js';
import type { SiteRegister } from '../register/register.js';
import type { Press } from './button.js';

const SEQ_SPACE = 2 ** 32;

/** What a press sends, before its seq and ts. */
type Meaning = { type: 'call'; source: CallSource } | { type: 'cancel' } | { type: 'presence'; on: boolean };

/**
 * Turns a GPIO button's presses into the care-button events the device would have sent on MQTT,
 * and hands them to ingest the way the broker does: an alarm (a call) is written ahead to the
 * journal first, so a crash right after the press replays it at the next start.
 */
export class ButtonEvents {
  /** Per device: the last seq sent. */
  private readonly seqs = new Map<string, number>();
  /** Presses go in order: a cancel must not overtake the call still being journaled. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: {
      siteId: string;
      clock: Clock;
      log: Logger;
      register: Pick<SiteRegister, 'deviceContext'>;
      alertStore: Pick<AlertStore, 'openCallsInRoom' | 'presenceSince'>;
      ingest: Pick<Ingest, 'receive'>;
      writeAhead: WriteAhead;
    },
  ) {}

  pressed(input: GpioInputConfig, press: Press): void {
    const { clock, siteId } = this.ctx;
    const event = { seq: this.nextSeq(input.device), ts: clock.now(), ...this.meaning(input, press) };
    const topic = topicFor('deviceEvent', siteId, input.device);
    const payload = Buffer.from(JSON.stringify(event));
    this.ctx.log.info(
      { pin: input.pin, device: input.device, press, type: event.type },
      'GPIO input pressed',
    );
    this.queue = this.queue.then(() => this.send(topic, payload));
  }

  /** Resolves once every press so far has reached ingest (tests, stop). */
  drained(): Promise<void> {
    return this.queue;
  }

  private meaning(input: GpioInputConfig, press: Press): Meaning {
    const call = { type: 'call', source: input.source } as const;
    if (press !== 'long') return call;
    const roomId = this.ctx.register.deviceContext(input.device)?.room?.id;
    if (!roomId) return call;
    switch (input.longPress) {
      case 'cancel':
        // Nothing to withdraw: whoever holds the button (a resident in distress, a cord that
        // stays pulled) is calling.
        return this.ctx.alertStore.openCallsInRoom(roomId).length > 0 ? { type: 'cancel' } : call;
      case 'presence':
        return { type: 'presence', on: this.ctx.alertStore.presenceSince(roomId) === null };
      case 'none':
        return call;
    }
  }

  /**
   * Starts from the clock's seconds: a restart does not repeat a (seq, ts) pair ingest saw, and
   * the journal's replay of an interrupted press is not mistaken for a new one.
   */
  private nextSeq(deviceId: string): number {
    const last = this.seqs.get(deviceId) ?? Math.floor(this.ctx.clock.now() / 1000) - 1;
    const seq = (last + 1) % SEQ_SPACE;
    this.seqs.set(deviceId, seq);
    return seq;
  }

  private async send(topic: string, payload: Buffer): Promise<void> {
    const { writeAhead, ingest, log } = this.ctx;
    try {
      // Never rejects: a journal that cannot be written lets the alarm through (see alarmWriteAhead).
      const written = writeAhead(topic, payload);
      const isAlarm = written !== undefined;
      if (isAlarm) await written;
      ingest.receive(topic, payload);
      if (isAlarm) writeAhead.durable();
    } catch (err) {
      log.error({ err, topic }, 'a GPIO press could not be handed to ingest');
    }
  }
}
