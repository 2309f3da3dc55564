/**
 * found by probing: a contact that never keeps still (a corroded pull-cord switch, a noisy line)
 * restarted the debounce timer at every edge, so a pulled cord on such a line never became a
 * call for as long as the noise lasted. Now, after 20 debounce times of unbroken chatter, a closed
 * contact counts as a call at once, and never as a long press (no cancel by noise).
 */
import { describe, expect, it } from 'vitest';
import { DebouncedButton, type Press } from '../../src/gpio/button.js';
import { FakePinBank } from '../../src/gpio/fake-pins.js';
import { fakeClock } from '../helpers/fake-clock.js';

/** A button on a fake pin 17 (debounce 50 ms, long press 2 s) and the presses it reports. */
function buttonOnFakePin() {
  const time = fakeClock();
  const bank = new FakePinBank(() => time.fake.now);
  const pin = bank.input(17, { activeLow: false, edge: 'both' });
  const presses: Press[] = [];
  const button = new DebouncedButton(
    pin,
    time.clock,
    { debounceMs: 50, longPressMs: 2000, tellsLong: true },
    (p) => presses.push(p),
    (err) => {
      throw err;
    },
  );
  button.start();
  return { time, contact: bank.in(17), presses, button };
}

describe('found by probing: a chattering pull cord', () => {
  it('calls within about 20 debounce times, and noise never makes a long press', async () => {
    const { time, contact, presses, button } = buttonOnFakePin();
    // An edge every 10 ms for 3 s, ending closed at each even step: never 50 ms of quiet.
    for (let i = 0; i < 300; i++) {
      contact.set(i % 2 === 0 ? 1 : 0);
      await time.tick(10);
    }
    expect(presses[0], 'a call, not silence').toBe('press');
    expect(presses).not.toContain('long');
    button.stop();
  });

  it('a clean press and a clean long press are told apart as before', async () => {
    const { time, contact, presses, button } = buttonOnFakePin();
    contact.set(1);
    await time.tick(300);
    contact.set(0);
    await time.tick(300);
    contact.set(1);
    await time.tick(2500);
    contact.set(0);
    await time.tick(300);
    expect(presses).toEqual(['short', 'long']);
    button.stop();
  });
});
