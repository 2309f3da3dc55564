/**
 * Found by probing: an unhappy-burst follow-up that went overdue was sent to the supervisors again
 * at its due time and then once more at every restart after it: resume() scheduled each open
 * follow-up's due time again, already past, with no note that it had been sent as overdue, so a
 * gateway restarted daily (updates, power cuts) re-escalated a week-old task to the supervisor on
 * every start.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';

const SITE = fileURLToPath(new URL('../fixtures/site-kiosks.yaml', import.meta.url));
const HOUR = 3_600_000;

let g: TestGateway;
afterEach(async () => {
  await g.stop();
});

it('sends an overdue follow-up to the supervisors once, not again at each restart', async () => {
  g = await testGateway(
    { siteFile: SITE, feedback: { followUpDeadlineH: 1 }, dispatch: { ackTimeoutS: { low: 7200 } } },
    { start: Date.UTC(2026, 10, 23, 10, 0, 0) },
  );
  const k = await g.client('kiosk-lounge');
  await k.listen('deviceThanks');
  for (const face of ['unhappy', 'unhappy', 'unhappy', 'unhappy'] as const) {
    await g.tick(60_000);
    const sent = await k.send('deviceTap', { face });
    await k.next(onTopic('thanks', { tapSeq: sent.seq }));
  }
  const [followUp] = g.alerts.open().filter((a) => a.kind === 'feedback-follow-up');
  expect(followUp?.state).toBe('dispatched');
  const sam = await g.handset('sam');
  await g.tick(HOUR);
  await sam.next(onTopic('dispatch', { kind: 'feedback-follow-up', reason: 'escalation' }));

  for (let i = 0; i < 2; i++) {
    await g.restart();
    await g.tick(60_000);
  }
  const overdue = g.gateway.context.alertStore
    .audit(followUp!.id)
    .filter((e) => e.detail.reason === 'feedback follow-up overdue');
  expect(overdue).toHaveLength(1);
});
