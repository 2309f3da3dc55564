import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertCommands } from '../../src/alerts/commands.js';
import type { AlertService } from '../../src/alerts/service.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';

// The command path's own promises, against the real alert service and SQLite: a result for every
// command (never a throw), catalogue codes with their HTTP status, the decline follow-up.
describe('AlertCommands', () => {
  let g: TestGateway;
  let alertId: number;
  const quiet = pino({ enabled: false });
  const staff = (id: string) => ({ kind: 'staff', id }) as const;

  beforeEach(async () => {
    g = await testGateway();
    const band = await g.device('wb-1');
    await band.send('deviceEvent', { type: 'sos' });
    await expect.poll(() => g.alerts.open().length).toBe(1);
    alertId = g.alerts.open()[0]!.id;
    await expect.poll(() => g.alerts.get(alertId).state).toBe('dispatched');
  });
  afterEach(async () => {
    await g.stop();
  });

  it('answers a command with the changed alert, and a refusal with its catalogue code and status', () => {
    const commands = new AlertCommands(g.alerts, { afterDecline: () => {} }, quiet);
    expect(commands.execute(staff('alice'), { action: 'accept', alertId })).toMatchObject({
      ok: true,
      alert: { id: alertId, state: 'acknowledged', ownerId: 'alice' },
    });
    expect(commands.execute(staff('bob'), { action: 'arrive', alertId })).toEqual({
      ok: false,
      error: {
        code: 'not-owner',
        status: 403,
        message: `only alice, who owns alert ${alertId}, can mark arrival for it`,
      },
    });
    expect(
      commands.execute(staff('alice'), { action: 'resolve', alertId, outcome: 'assisted' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'illegal-transition', status: 409 },
    });
  });

  it('runs the decline follow-up, and a failing follow-up does not undo the recorded decline', async () => {
    const declined: number[] = [];
    const ok = new AlertCommands(g.alerts, { afterDecline: (id) => declined.push(id) }, quiet);
    expect(ok.execute(staff('alice'), { action: 'decline', alertId, reason: 'busy' })).toMatchObject({
      ok: true,
    });
    expect(declined).toEqual([alertId]);

    // A second alarm, from Harold's band, is also asked of Alice; this time the follow-up fails.
    const band2 = await g.device('wb-2');
    await band2.send('deviceEvent', { type: 'sos' });
    await expect.poll(() => g.alerts.open().filter((a) => a.state === 'dispatched').length).toBe(2);
    const second = g.alerts.open().find((a) => a.id !== alertId)!.id;
    const failing = new AlertCommands(
      g.alerts,
      {
        afterDecline: () => {
          throw new Error('roster lookup failed');
        },
      },
      quiet,
    );
    expect(failing.execute(staff('alice'), { action: 'decline', alertId: second })).toMatchObject({
      ok: true,
    });
    const alice = g.gateway.context.alertStore.targets(second).find((t) => t.staffId === 'alice');
    expect(alice?.declinedAt).not.toBeNull();
    expect(failing.execute(staff('bob'), { action: 'decline', alertId: second })).toMatchObject({
      error: { code: 'not-dispatched-to-you', status: 403 },
    });
  });

  it('turns an unexpected failure into internal-error 500, without throwing', () => {
    const broken = Object.create(g.alerts, {
      acknowledge: {
        value: () => {
          throw new Error('SQLITE_IOERR');
        },
      },
    }) as AlertService;
    const commands = new AlertCommands(broken, { afterDecline: () => {} }, quiet);
    expect(commands.execute(staff('alice'), { action: 'accept', alertId })).toEqual({
      ok: false,
      error: {
        code: 'internal-error',
        status: 500,
        message: 'the gateway could not record this; please try again',
      },
    });
  });

  it('refuses every command on a provisional alert number as alert-unrecorded 409', () => {
    const commands = new AlertCommands(g.alerts, { afterDecline: () => {} }, quiet);
    expect(
      commands.execute(staff('alice'), { action: 'note', alertId: 2_000_000_005, text: 'x' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'alert-unrecorded', status: 409 },
    });
  });
});
