import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { GsmModemSim } from '../../src/serial/gsm-modem.js';

/** Polls (real time: a real PTY pair) until `ok()` holds; fails clearly. */
async function until(ok: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The modem simulator spoken to byte by byte from the other end of its PTY pair, as a terminal
 * would: what a sender's driver must cope with, whatever driver it is.
 */
describe('GSM modem simulator', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function terminal() {
    const sim = await GsmModemSim.start();
    cleanups.push(() => sim.close());
    const port = new SerialPort({ path: sim.path, baudRate: 115_200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    cleanups.push(() => new Promise<void>((resolve) => port.close(() => resolve())));
    let heard = '';
    port.on('data', (chunk: Buffer) => {
      heard += chunk.toString('latin1');
    });
    /** Writes `text` and waits until what was heard since ends with `until`. */
    const say = async (text: string, ending: string) => {
      heard = '';
      port.write(Buffer.from(text, 'latin1'));
      await until(() => heard.endsWith(ending), `${JSON.stringify(ending)} after ${JSON.stringify(text)}`);
      return heard;
    };
    return { sim, say };
  }

  it('powers up with echo on in PDU mode, and sends in text mode after its set-up', async () => {
    const { sim, say } = await terminal();
    expect(await say('AT\r', 'OK\r\n')).toBe('AT\r\r\nOK\r\n'); // the echo, then the answer
    expect(await say('AT+CMGS="+441632960001"\r', 'ERROR\r\n')).toContain('ERROR'); // PDU mode
    expect(await say('ATE0\r', 'OK\r\n')).toBe('ATE0\r\r\nOK\r\n');
    expect(await say('AT+CMGF=1\r', 'OK\r\n')).toBe('\r\nOK\r\n');
    expect(await say('AT+CMGS="+441632960001"\r', '> ')).toBe('\r\n> '); // no line ending
    expect(await say('Hello\x1a', 'OK\r\n')).toBe('\r\n+CMGS: 0\r\n\r\nOK\r\n');
    expect(sim.sent).toMatchObject([{ number: '+441632960001', text: 'Hello', mr: 0 }]);
  });

  it('abandons a message on ESC, refuses and falls silent on demand', async () => {
    const { sim, say } = await terminal();
    await say('ATE0\r', 'OK\r\n');
    await say('AT+CMGF=1\r', 'OK\r\n');
    await say('AT+CMGS="+441632960001"\r', '> ');
    await say('never mind\x1b', 'OK\r\n');
    expect(sim.abandoned).toEqual(['+441632960001']);

    sim.failSends(1, { cms: 331 });
    await say('AT+CMGS="+441632960001"\r', '> ');
    expect(await say('refused\x1a', '\r\n')).toBe('\r\n+CMS ERROR: 331\r\n');

    sim.hang(1);
    await say('AT+CMGS="+441632960001"\r', '');
    await until(() => sim.received.length === 6, 'the silent command');
    expect(await say('AT\r', 'OK\r\n')).toBe('\r\nOK\r\n'); // answering again after one
    expect(sim.sent).toEqual([]);
  });
});
