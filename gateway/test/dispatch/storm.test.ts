import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Trigger } from '../../src/alerts/service.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';
import { makeTempDir } from '../helpers/tmp.js';

const BANDS = 65;
const pad = (n: number) => String(n).padStart(2, '0');
const band = (n: number) => `wb-${pad(n)}`;

/**
 * One zone of 65 residents with their bands; anna and supervisor sue on the day shift (07–19),
 * nick and supervisor sam at night.
 */
function stormSite(): string {
  const dir = makeTempDir('careedge-storm-');
  const n = Array.from({ length: BANDS }, (_, i) => i + 1);
  const staff = (id: string, role: string) => ({ id, name: id, role, secret: `${id}-secret-0123456789` });
  const file = join(dir, 'site.yaml');
  writeFileSync(
    file,
    stringify({
      site: { id: 'storm', name: 'Storm House', timezone: 'UTC' },
      zones: [{ id: 'east', name: 'East wing' }],
      rooms: n.map((i) => ({ id: `room-${pad(i)}`, name: `Room ${i}`, zone: 'east' })),
      residents: n.map((i) => ({ id: `r-${pad(i)}`, name: `Resident ${i}`, room: `room-${pad(i)}` })),
      devices: n.map((i) => ({
        id: band(i),
        kind: 'wristband',
        resident: `r-${pad(i)}`,
        secret: `${band(i)}-secret-0123456789`,
      })),
      staff: [
        staff('anna', 'carer'),
        staff('nick', 'carer'),
        staff('sue', 'supervisor'),
        staff('sam', 'supervisor'),
      ],
      roster: [
        { staff: 'anna', zones: ['east'], from: '07:00', to: '19:00' },
        { staff: 'sue', supervisor: true, from: '07:00', to: '19:00' },
        { staff: 'nick', zones: ['east'], from: '19:00', to: '07:00' },
        { staff: 'sam', supervisor: true, from: '19:00', to: '07:00' },
      ],
    }),
  );
  return file;
}

/** The next `n` dispatches a handset gets that match, in order. */
async function dispatches(h: TestClient, n: number, fields: Record<string, unknown> = {}) {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) out.push((await h.next(onTopic('dispatch', fields))).payload);
  return out;
}

/** A medium or low alert of a rule, raised as the rule engine's sink raises it. */
const ruleAlert = (i: number, priority: 'medium' | 'low' = 'medium'): Trigger => ({
  kind: 'vital-sign',
  priority,
  deviceId: band(i),
  residentId: `r-${pad(i)}`,
  roomId: `room-${pad(i)}`,
  zoneId: 'east',
  joins: ['vital-sign'],
  ruleId: 'heart-rate',
  rulesVersion: 'abcdef012345',
});

const summaries = (g: TestGateway) => g.alerts.open().filter((a) => a.kind === 'alert-summary');
const held = (g: TestGateway) => g.alerts.open().filter((a) => a.heldBack === 'storm');
const listed = (g: TestGateway, summaryId: number) =>
  g.gateway.context.alertStore
    .audit(summaryId)
    .flatMap((e) => (e.detail.alerts as { id: number }[] | undefined) ?? [])
    .map((l) => l.id);

describe('an alert storm', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.stop();
  });

  it('an access point dies: 60 bands offline at once; the SOS go to the carer one by one, the rest in one summary to the supervisor, dispatched after the storm', async () => {
    g = await testGateway({ siteFile: stormSite() });
    const bands = await Promise.all(Array.from({ length: BANDS }, (_, i) => g.device(band(i + 1))));
    const anna = await g.handset('anna');
    const sue = await g.handset('sue');
    await Promise.all(bands.slice(0, 60).map((b) => b.send('deviceHeartbeat', { intervalS: 60 })));
    await g.settled();

    // Three missed heartbeats and the grace: all 60 go offline in the same instant.
    await g.tick(190_000);
    await g.settled();
    const offline = g.alerts.open().filter((a) => a.kind === 'device-offline');
    expect(offline).toHaveLength(60);
    // The 50th raise within 10 s begins the storm: the 49 before it had gone out already.
    const sent = offline.filter((a) => a.state === 'dispatched');
    const waiting = offline.filter((a) => a.heldBack === 'storm');
    expect(sent).toHaveLength(49);
    expect(waiting).toHaveLength(11);
    expect(waiting.every((a) => a.state === 'raised' && a.deadlineAt === null)).toBe(true);
    await dispatches(anna, 49, { kind: 'device-offline', reason: 'new' });

    // Five residents press SOS while it lasts: each goes to the carer at once, one by one.
    await Promise.all(bands.slice(60).map((b) => b.send('deviceEvent', { type: 'sos' })));
    const sos = await dispatches(anna, 5, { kind: 'sos', reason: 'new' });
    expect(new Set(sos.map((d) => d.residentId))).toEqual(new Set(['r-61', 'r-62', 'r-63', 'r-64', 'r-65']));

    // The rest: one summary to the supervisor, listing them; no handset got them one by one.
    const [summary] = summaries(g);
    expect(summaries(g)).toHaveLength(1);
    expect(summary).toMatchObject({ priority: 'medium', state: 'dispatched', zoneId: 'unassigned' });
    expect((await sue.next(onTopic('dispatch', { kind: 'alert-summary' }))).payload).toMatchObject({
      alertId: summary!.id,
      reason: 'new',
      priority: 'medium',
    });
    expect(listed(g, summary!.id).sort()).toEqual(waiting.map((a) => a.id).sort());
    const raisedEntry = g.gateway.context.alertStore.audit(summary!.id)[0]!;
    expect((raisedEntry.detail.alerts as unknown[])[0]).toMatchObject({
      kind: 'device-offline',
      priority: 'medium',
      resident: expect.stringMatching(/^r-\d\d$/),
      room: expect.stringMatching(/^room-\d\d$/),
    });
    expect(anna.drain().filter((m) => m.payload.type === 'alert')).toEqual([]);

    // Each held-back alert: open, visible over HTTP, and its trail says where it went.
    const api = g.api();
    const res = await api.inject({ method: 'GET', url: `/api/v1/alerts/${waiting[0]!.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json().alert).toMatchObject({ state: 'raised', heldBack: 'storm', kind: 'device-offline' });
    expect(
      res.json().audit.map((e: { action: string; detail: { text?: string } }) => e.detail.text ?? e.action),
    ).toEqual(['raised', `held back: storm, summarised in #${summary!.id}`]);
    expect(await g.metric('careedge_alert_storms_total')).toBe(1);
    expect(await g.metric('careedge_alerts_held_back_total', { priority: 'medium' })).toBe(11);

    // A sweep (the safety net for undispatched alerts, every 15 s) does not send them early.
    await g.tick(9_000);
    expect(held(g)).toHaveLength(11);

    // Ten seconds after the burst the storm is over: the held-back alerts go out as usual.
    await g.tick(1_500);
    const released = await dispatches(anna, 11, { kind: 'device-offline', reason: 'new' });
    expect(released.map((d) => d.alertId).sort()).toEqual(waiting.map((a) => a.id).sort());
    expect(held(g)).toEqual([]);
    const audit = g.gateway.context.alertStore.audit(waiting[0]!.id);
    expect(audit.at(-1)).toMatchObject({
      action: 'dispatched',
      detail: { released: 'storm over', to: ['anna'] },
    });
    expect(g.gateway.context.alertStore.audit(summary!.id).at(-1)?.detail.text).toBe(
      'storm over: 11 held-back alerts still open are dispatched, the most urgent first, at most 24 every 10 s; the others it listed were closed meanwhile',
    );
    await Promise.all(bands.map((b) => b.close()));
  });

  it('a held-back alert closed while the storm lasts is not sent; one raised to high priority goes out at once', async () => {
    g = await testGateway({ siteFile: stormSite(), rules: { storm: { alerts: 10, windowS: 10 } } });
    const anna = await g.handset('anna');
    const alerts = Array.from({ length: 14 }, (_, i) => g.alerts.raise(ruleAlert(i + 1, 'low')).alert);
    await g.settled();
    expect(held(g).map((a) => a.id)).toEqual(alerts.slice(9).map((a) => a.id));
    const [gone, urgent] = [alerts[10]!, alerts[11]!];
    g.alerts.ruleChanges.conditionCleared(gone.id, { kind: 'system' }, { rule: 'heart-rate' });
    g.alerts.ruleChanges.setPriority(urgent.id, 'high', { kind: 'system' }, { rule: 'heart-rate' });
    expect((await anna.next(onTopic('dispatch', { alertId: urgent.id }))).payload).toMatchObject({
      priority: 'high',
      reason: 'new',
    });
    expect(g.alerts.get(gone.id).state).toBe('cancelled');

    await g.tick(10_001);
    await g.settled();
    expect(held(g)).toEqual([]);
    expect(g.alerts.get(gone.id).state).toBe('cancelled');
    const summary = summaries(g)[0]!;
    expect(g.gateway.context.alertStore.audit(summary.id).at(-1)?.detail).toMatchObject({ stillOpen: 3 });
    for (const a of [alerts[9]!, alerts[12]!, alerts[13]!])
      expect(g.alerts.get(a.id)).toMatchObject({ state: 'dispatched', heldBack: null });
    expect(await g.metric('careedge_alerts_held_back_total', { priority: 'low' })).toBe(5);
  });

  it('a storm across a restart: held alerts stay held, the same summary takes the new ones, all go out after the storm', async () => {
    g = await testGateway({ siteFile: stormSite(), rules: { storm: { alerts: 10, windowS: 10 } } });
    for (let i = 1; i <= 15; i++) g.alerts.raise(ruleAlert(i));
    await g.settled();
    expect(held(g)).toHaveLength(6);
    const summaryId = summaries(g)[0]!.id;

    await g.tick(2_000);
    await g.restart();
    // Not sent by the start-up sweep, and still a storm: the window came back from the alerts.
    await g.tick(1_000);
    expect(held(g)).toHaveLength(6);
    for (let i = 16; i <= 20; i++) g.alerts.raise(ruleAlert(i));
    await g.settled();
    expect(held(g)).toHaveLength(11);
    expect(summaries(g).map((a) => a.id)).toEqual([summaryId]);
    expect(listed(g, summaryId)).toHaveLength(11);
    expect(g.alerts.get(summaryId).count).toBe(2);

    const anna = await g.handset('anna');
    // Over when fewer than 5 are in the window: once the five raised after the restart leave it.
    await g.tick(9_500);
    expect(held(g)).toHaveLength(11);
    // Released at a pace that is itself no storm: at most 4 (under half of 10) every 10 s.
    await g.tick(600);
    await dispatches(anna, 4, { kind: 'vital-sign', reason: 'new' });
    expect(held(g)).toHaveLength(7);
    await g.tick(9_800); // the storm ended at +13 s; the next four at +23 s
    expect(held(g)).toHaveLength(7);
    await g.tick(200);
    await dispatches(anna, 4, { kind: 'vital-sign', reason: 'new' });
    await g.tick(10_000);
    await dispatches(anna, 3, { kind: 'vital-sign', reason: 'new' });
    expect(held(g)).toEqual([]);
  });

  it('held-back alerts wait across a restart that outlasts the storm, and go out at start', async () => {
    g = await testGateway({ siteFile: stormSite(), rules: { storm: { alerts: 10, windowS: 10 } } });
    for (let i = 1; i <= 12; i++) g.alerts.raise(ruleAlert(i));
    await g.settled();
    expect(held(g)).toHaveLength(3);
    await g.gateway.stop();
    g.fake.setSystemTime(g.clock.now() + 60_000);
    await g.restart();
    const anna = await g.handset('anna');
    await g.tick(0);
    await dispatches(anna, 3, { kind: 'vital-sign', reason: 'new' });
    expect(held(g)).toEqual([]);
  });

  it('a storm during a shift change: the incoming supervisor is asked too, and the held-back alerts go to the new shift', async () => {
    g = await testGateway(
      { siteFile: stormSite(), rules: { storm: { alerts: 10, windowS: 10 } } },
      { start: Date.UTC(2026, 10, 23, 18, 59, 55) },
    );
    const sue = await g.handset('sue');
    const sam = await g.handset('sam');
    const nick = await g.handset('nick');
    for (let i = 1; i <= 12; i++) g.alerts.raise(ruleAlert(i));
    await g.settled();
    const summary = summaries(g)[0]!;
    await sue.next(onTopic('dispatch', { alertId: summary.id, reason: 'new' }));

    await g.tick(6_000); // 19:00:01, the night shift
    for (let i = 13; i <= 16; i++) g.alerts.raise(ruleAlert(i));
    await g.settled();
    expect((await sam.next(onTopic('dispatch', { alertId: summary.id }))).payload).toMatchObject({
      kind: 'alert-summary',
      reason: 'escalation',
    });
    expect(g.gateway.context.alertStore.targets(summary.id).map((t) => t.staffId)).toEqual(['sue', 'sam']);
    expect(listed(g, summary.id)).toHaveLength(7);

    await g.tick(11_000);
    await dispatches(nick, 4, { kind: 'vital-sign', reason: 'new' });
    await g.tick(10_000);
    await dispatches(nick, 3, { kind: 'vital-sign', reason: 'new' });
    expect(held(g)).toEqual([]);
    const heldIds = listed(g, summary.id);
    for (const id of heldIds)
      expect(g.gateway.context.alertStore.targets(id).map((t) => t.staffId)).toEqual(['nick']);
  });
});
