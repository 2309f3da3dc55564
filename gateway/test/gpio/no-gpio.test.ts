import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { AlertEvents } from '../../src/alerts/events.js';
import { loadConfig } from '../../src/config/load.js';
import { EventBus } from '../../src/core/bus.js';
import { Health } from '../../src/core/health.js';
import { GpioModule } from '../../src/gpio/gpio-module.js';
import { OnoffPinBank } from '../../src/gpio/onoff-pins.js';
import { AlarmJournal, alarmWriteAhead } from '../../src/journal/index.js';
import type { SiteRegister } from '../../src/register/register.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { openTempDatabase } from '../helpers/tmp.js';

describe('the onoff adapter on a machine without GPIO (this one)', () => {
  it('the module says so once, in one log line, and stays off: no pins, no timers, no listeners', async () => {
    const lines: { level: number; msg: string; reason?: string }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const time = fakeClock();
    const health = new Health(time.clock);
    const bus = new EventBus<AlertEvents>(log);
    const { db } = openTempDatabase();
    const config = loadConfig({
      overrides: {
        gpio: {
          inputs: [{ pin: 17, device: 'btn-n1' }],
          outputs: [{ pin: 22, kind: 'dome-light', room: 'n1' }],
        },
      },
    });
    const register = {
      device: () => ({ id: 'btn-n1', kind: 'care-button' }),
      room: () => ({ id: 'n1' }),
      zone: () => undefined,
    } as unknown as SiteRegister;
    const gpio = new GpioModule({
      config,
      siteId: 'testsite',
      clock: time.clock,
      log,
      bus,
      register,
      alerts: { open: () => [] },
      alertStore: { openCallsInRoom: () => [], presenceSince: () => null },
      health,
      ingest: { receive: () => expect.unreachable('nothing is pressed') },
      writeAhead: alarmWriteAhead(new AlarmJournal(db, time.clock), log, new Registry()),
      pins: new OnoffPinBank(),
    });
    await gpio.start();
    const said = lines.filter((l) => l.msg.includes('no GPIO on this machine'));
    expect(said).toHaveLength(1);
    expect(said[0]!.reason).toMatch(/sysfs GPIO|does not load/);
    expect(health.listWarnings().map((w) => w.warning)).toEqual(['gpio']);
    expect(time.fake.countTimers()).toBe(0);
    expect(bus.emit('alert:changed', {} as never)).toEqual([]); // nobody listens
    await gpio.stop();
  });
});
