import type { RecordedMessage } from '@careedge/edge';
import { describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../src/register/site-file.js';
import { openOfflineRules } from '../../src/rules/offline-engine.js';
import { replayMessages } from '../../src/rules/replay.js';
import { TEST_SITE } from '../helpers/gateway.js';

const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);
const S = 1000;
const MIN = 60 * S;

let seq = 0;
const heartbeat = (deviceId: string, at: number): RecordedMessage => ({
  ts: at,
  deviceId,
  channel: 'deviceHeartbeat',
  payload: { seq: seq++, ts: at, intervalS: 60 },
});
const fall = (deviceId: string, at: number): RecordedMessage => ({
  ts: at,
  deviceId,
  channel: 'deviceEvent',
  payload: { seq: seq++, ts: at, type: 'fall' },
});

describe('the rules offline (replay and evaluate)', () => {
  it("runs the gateway's own rules on the recording's time: a fall, a band gone silent and back", async () => {
    const rules = await openOfflineRules({
      site: loadSiteFile(TEST_SITE),
      rulesFile: undefined,
      startTs: T0,
    });
    const messages: RecordedMessage[] = [];
    for (let m = 0; m <= 5; m++) messages.push(heartbeat('wb-1', T0 + m * MIN));
    messages.push(fall('wb-1', T0 + 5 * MIN + 30 * S));
    messages.push(fall('wb-1', T0 + 6 * MIN)); // joins the open alert
    messages.push(heartbeat('wb-1', T0 + 20 * MIN)); // back after 15 min of silence
    messages.push(fall('wb-1', T0 + 50 * MIN)); // the first was closed (by a carer, taken as 30 min)
    messages.push(fall('wb-404', T0 + 51 * MIN)); // not in the site: refused, as ingest would
    const run = await replayMessages(messages, [rules]);
    rules.close();

    expect(run.messages).toBe(11);
    expect(
      rules.alerts().map((a) => ({
        at: (a.at - T0) / S,
        rule: a.ruleId,
        kind: a.ruleKind,
        subject: `${a.subject.kind} ${a.subject.id}`,
        repeats: a.repeats,
        cleared: a.clearedAt === null ? null : (a.clearedAt - T0) / S,
      })),
    ).toEqual([
      { at: 330, rule: 'calls', kind: 'instant', subject: 'resident r1', repeats: 1, cleared: null },
      // Last heard at 6:00; 3 intervals of 60 s and 10 s of grace later: offline, until heard at 20:00.
      {
        at: 550,
        rule: 'device-offline',
        kind: 'heartbeat-missed',
        subject: 'device wb-1',
        repeats: 0,
        cleared: 1200,
      },
      // Silent again after 20:00: offline again, until its fall at 50:00 is heard.
      {
        at: 1390,
        rule: 'device-offline',
        kind: 'heartbeat-missed',
        subject: 'device wb-1',
        repeats: 0,
        cleared: 3000,
      },
      { at: 3000, rule: 'calls', kind: 'instant', subject: 'resident r1', repeats: 0, cleared: null },
    ]);
  });

  it('refuses a rules file it cannot use, saying which and why, rather than judge other rules', async () => {
    await expect(
      openOfflineRules({ site: loadSiteFile(TEST_SITE), rulesFile: 'other.yaml', startTs: T0 }),
    ).rejects.toThrow(/other\.yaml: cannot read the rules file other\.yaml \(no such file\)/);
  });
});
