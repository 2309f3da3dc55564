/**
 * Found by probing: a gateway stopped while a serial port was being opened (node-serialport opens
 * in the thread pool; a start followed by a stop, a retried module start, a reopen after an
 * unplug) left the port open for good: stop() let go of the port without closing it because it
 * was not open yet, and the open's callback, finding the port no longer its own, returned without
 * closing it. The tty stayed held (a base station reconnecting to the next gateway instance found
 * it taken) and the open handle kept the stopped process alive.
 */
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { openSerialPort, PortDriver, type SerialStream } from '../../src/core/port-driver.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { ptyPair } from '../helpers/pty-pair.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('closes a port whose open completes after the driver was stopped', async () => {
  const pty = await ptyPair();
  cleanups.push(() => pty.close());
  const opened: SerialStream[] = [];
  const events: string[] = [];
  const driver = new PortDriver({
    path: pty.a,
    baudRate: 115_200,
    clock: fakeClock().clock,
    log: silentLogger(),
    reconnectMinMs: 500,
    reconnectMaxMs: 2000,
    writeQueue: 4,
    open: (o) => {
      const port = openSerialPort(o);
      opened.push(port);
      return port;
    },
    onData: () => {},
    onUp: () => events.push('up'),
    onDown: () => {},
    onDropped: () => {},
  });
  driver.start();
  await driver.stop(); // the open is under way in the thread pool
  const [port] = opened;
  expect(port).toBeDefined();
  // Its open completes (or fails) in a moment; either way the port must end up closed.
  const settled = new Promise<void>((resolve) => {
    (port as unknown as NodeJS.EventEmitter).once('open', () => resolve());
    (port as unknown as NodeJS.EventEmitter).once('error', () => resolve());
    (port as unknown as NodeJS.EventEmitter).once('close', () => resolve());
  });
  await settled;
  const deadline = Date.now() + 2000;
  while (port!.isOpen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(port!.isOpen, 'the port opened after the stop is still open').toBe(false);
  expect(events).toEqual([]);
});
