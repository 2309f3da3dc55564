import { describe, expect, it } from 'vitest';
import { parseRulesFile } from '../../src/rules/file.js';
import { RULE_KINDS } from '../../src/rules/kinds/index.js';
import { MemoryRuleStateStore } from '../../src/rules/state-store.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { RecordingSink, THROWING_BPM, telemetry, testEngine, testHighHeartRate } from '../rules/test-kind.js';

const HOUR = 3_600_000;

describe('found by probing: a kind that fails after the clock was set back tells nobody until the clock catches up', () => {
  /**
   * The engine raises one unclassified alert a minute per failing rule instance, timed by the
   * clock. Set back (a Pi without a real-time clock that booted an hour ahead, then NTP), "now
   * minus the last one" was negative, under a minute for the whole hour: once the carer had
   * closed the first unclassified alert, a kind failing on every reading raised none for an hour.
   */
  it('raises the unclassified alert again a minute after the last one by the stepped clock', async () => {
    const kinds = [...RULE_KINDS, testHighHeartRate];
    const rules = parseRulesFile(
      'rules:\n  - { id: calls, kind: instant }\n  - { id: device-offline, kind: heartbeat-missed }\n  - { id: hr, kind: test-high-heart-rate }\n',
      'rules.yaml',
      { kinds },
    );
    const time = fakeClock();
    const sink = new RecordingSink();
    const engine = testEngine(
      {
        clock: time.clock,
        sink,
        store: new MemoryRuleStateStore(),
        subjects: (deviceId) => ({ deviceId, residentId: 'r1', roomId: 'n1', zoneId: 'north' }),
      },
      rules,
    );
    engine.start();
    const failing = () =>
      engine.handle({
        type: 'telemetry',
        at: time.clock.now(),
        deviceId: 'wb-1',
        message: telemetry(THROWING_BPM),
      });

    failing();
    expect(sink.log).toEqual(['raise 1 unclassified low hr']);
    sink.clear(1, 'rule'); // closed by a carer
    time.fake.setSystemTime(time.clock.now() - HOUR);
    await time.tick(61_000);
    failing();
    expect(sink.log).toEqual([
      'raise 1 unclassified low hr',
      'clear 1 by rule',
      'raise 2 unclassified low hr',
    ]);
    engine.stop();
  });
});
