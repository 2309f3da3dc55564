import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import { PortDriver, type SerialStream } from '../../src/core/port-driver.js';
import { fakeClock } from '../helpers/fake-clock.js';

/** A serial port that opens or fails as told and applies backpressure on demand. */
class FakePort extends EventEmitter {
  isOpen = false;
  full = false;
  readonly writes: string[] = [];
  constructor(private readonly fails: boolean) {
    super();
  }
  open(cb: (err: Error | null) => void): void {
    if (this.fails) cb(new Error('No such file or directory, cannot open /dev/ttyUSB0'));
    else {
      this.isOpen = true;
      cb(null);
    }
  }
  close(cb?: (err: Error | null) => void): void {
    this.isOpen = false;
    this.emit('close');
    cb?.(null);
  }
  write(chunk: Buffer): boolean {
    this.writes.push(chunk.toString());
    return !this.full;
  }
}

function setUp(plugged: () => boolean, exists: () => boolean = () => true) {
  const time = fakeClock();
  const logged: string[] = [];
  const log = {
    warn: (_f: unknown, msg: string) => logged.push(`warn ${msg}`),
    info: (_f: unknown, msg: string) => logged.push(`info ${msg}`),
    debug: () => {},
  } as unknown as Logger;
  const events: string[] = [];
  const ports: FakePort[] = [];
  let attempts = 0;
  const driver = new PortDriver({
    path: '/dev/ttyUSB0',
    baudRate: 115_200,
    clock: time.clock,
    log,
    reconnectMinMs: 500,
    reconnectMaxMs: 4000,
    writeQueue: 2,
    exists,
    random: () => 0, // the lower edge of the jitter: waits of 250, 500, 1000, 2000, 2000 ms
    open: () => {
      attempts++;
      const p = new FakePort(!plugged());
      ports.push(p);
      return p as unknown as SerialStream;
    },
    onData: () => {},
    onUp: (reconnect) => events.push(reconnect ? 'up again' : 'up'),
    onDown: (reason) => events.push(`down: ${reason}`),
    onDropped: () => events.push('dropped'),
  });
  return { ...time, driver, events, logged, ports, attempts: () => attempts };
}

describe('serial port driver', () => {
  it('opens a port that is not there yet with growing waits, reporting the outage once', () => {
    let plugged = false;
    const { driver, events, logged, fake, attempts } = setUp(() => plugged);
    driver.start();
    expect(attempts()).toBe(1);
    for (const [ms, total] of [
      [249, 1],
      [1, 2], // 250 ms
      [500, 3],
      [1000, 4],
      [2000, 5],
      [2000, 6], // capped at reconnectMaxMs (jitter in its upper half)
    ] as const) {
      fake.tick(ms);
      expect(attempts()).toBe(total);
    }
    expect(events).toEqual(['down: No such file or directory, cannot open /dev/ttyUSB0']);
    expect(logged).toEqual(['warn serial port down; opening it again with backoff']);
    plugged = true;
    fake.tick(2000);
    expect(driver.isUp).toBe(true);
    expect(events.at(-1)).toBe('up again');
    expect(logged.at(-1)).toBe('info serial port open again');
  });

  it('reopens after an unplug, starting the backoff afresh', () => {
    const { driver, events, fake, ports, attempts } = setUp(() => true);
    driver.start();
    expect(events).toEqual(['up']);
    ports[0]!.close(); // unplugged
    expect(driver.isUp).toBe(false);
    fake.tick(250);
    expect(attempts()).toBe(2);
    expect(events).toEqual(['up', 'down: the port closed (unplugged?)', 'up again']);
  });

  it('reopens on demand a port that is still there (a device that stopped answering)', () => {
    const { driver, events, fake, ports, attempts } = setUp(() => true);
    driver.start();
    driver.reopen('the modem stopped answering');
    expect(ports[0]!.isOpen).toBe(false);
    expect(driver.isUp).toBe(false);
    driver.reopen('again'); // nothing open: nothing to do
    fake.tick(250);
    expect(attempts()).toBe(2);
    expect(events).toEqual(['up', 'down: the modem stopped answering', 'up again']);
  });

  it('closes an open port whose device path vanished (a hung-up tty may never say so)', () => {
    let there = true;
    const { driver, events, fake, ports } = setUp(
      () => there,
      () => there,
    );
    driver.start();
    fake.tick(5000);
    expect(driver.isUp).toBe(true);
    there = false;
    fake.tick(1000);
    expect(driver.isUp).toBe(false);
    expect(ports[0]!.isOpen).toBe(false);
    expect(events).toEqual(['up', 'down: the device is gone (its path vanished)']);
  });

  it('queues writes while the port asks to wait, drops beyond the bound, and flushes on drain', () => {
    const { driver, events, ports } = setUp(() => true);
    driver.start();
    const port = ports[0]!;
    port.full = true;
    expect(driver.write(Buffer.from('a'))).toBe(true); // taken, but the port asks to wait
    expect(driver.write(Buffer.from('b'))).toBe(true);
    expect(driver.write(Buffer.from('c'))).toBe(true);
    expect(driver.write(Buffer.from('d'))).toBe(false);
    expect(events).toContain('dropped');
    expect(port.writes).toEqual(['a']);
    port.full = false;
    port.emit('drain');
    expect(port.writes).toEqual(['a', 'b', 'c']);
    expect(driver.write(Buffer.from('e'))).toBe(true);
    expect(port.writes).toEqual(['a', 'b', 'c', 'e']);
  });
});
