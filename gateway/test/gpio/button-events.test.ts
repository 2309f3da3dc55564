import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/model.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { ButtonEvents } from '../../src/gpio/button-events.js';
import { AlarmJournal, alarmWriteAhead } from '../../src/journal/index.js';
import type { DeviceContext } from '../../src/register/types.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { openTempDatabase } from '../helpers/tmp.js';

describe('GPIO presses into ingest', () => {
  it('a call is in the journal (unsettled: replayed after a crash) before ingest gets it; presses keep their order; seq starts from the clock', async () => {
    const { db } = openTempDatabase();
    const time = fakeClock();
    const journal = new AlarmJournal(db, time.clock);
    const writeAhead = alarmWriteAhead(journal, silentLogger(), new Registry());
    const received: { event: Record<string, unknown>; journaled: number }[] = [];
    let openCalls: Alert[] = [];
    const events = new ButtonEvents({
      siteId: 'testsite',
      clock: time.clock,
      log: silentLogger(),
      register: { deviceContext: () => ({ room: { id: 'n1' } }) as DeviceContext },
      alertStore: { openCallsInRoom: () => openCalls, presenceSince: () => null },
      ingest: {
        receive: (topic, payload) => {
          expect(topic).toBe('careedge/v1/testsite/device/btn-n1/event');
          received.push({
            event: JSON.parse(payload.toString()) as Record<string, unknown>,
            journaled: journal.unsettled().filter((e) => e.payload.equals(payload)).length,
          });
        },
      },
      writeAhead,
    });
    const input = loadConfig({ overrides: { gpio: { inputs: [{ pin: 4, device: 'btn-n1' }] } } }).gpio
      .inputs[0]!;
    events.pressed(input, 'short');
    openCalls = [{ id: 1 } as Alert];
    events.pressed(input, 'long'); // the call is open now: a cancel
    await events.drained();
    const second = Math.floor(time.clock.now() / 1000);
    expect(received).toEqual([
      { event: { seq: second, ts: time.clock.now(), type: 'call', source: 'button' }, journaled: 1 },
      { event: { seq: second + 1, ts: time.clock.now(), type: 'cancel' }, journaled: 0 },
    ]);
  });
});
