import { UplinkAlertChange, UplinkKpiSummary } from '@careedge/edge';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { AlertChange } from '../../src/alerts/events.js';
import { UplinkQueue } from '../../src/uplink/queue.js';
import { eventually, keys } from '../helpers/forwarding.js';
import type { TestGateway } from '../helpers/gateway.js';
import { freePort } from '../helpers/gateway-process.js';
import {
  ADA,
  headOffice,
  mosquittoForTest,
  type Received,
  ROSE,
  sosCycle,
  uplinkGateway,
} from '../helpers/uplink.js';

const healthz = async (port: number) =>
  (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
    status: string;
    warnings?: { warning: string; reason: string }[];
  };

/** Every alert change the gateway announced, as the uplink message id it must arrive under. */
function announced(g: TestGateway): string[] {
  const ids: string[] = [];
  g.gateway.context.bus.on('test', 'alert:changed', ({ alert, auditId }: AlertChange) => {
    ids.push(`testsite/alert/${keys.key('alert', String(alert.id))}/${auditId}`);
  });
  return ids;
}

/** What the head office keeps: each id once (a resend after a reconnect is dropped), in arrival order. */
const deduplicated = (received: Received[]) => {
  const seen = new Set<string>();
  return received.filter((r) => !seen.has(r.body.id) && seen.add(r.body.id));
};

/** Each alert's changes arrived (first time each) in the order of the audit trail. */
function expectInOrderPerAlert(received: Received[]) {
  const last = new Map<unknown, number>();
  for (const { body } of deduplicated(received).filter((m) => m.topic.endsWith('/alerts'))) {
    const change = body.change as number;
    expect(change).toBeGreaterThan(last.get(body.alert) ?? -1);
    last.set(body.alert, change);
  }
}

describe('uplink to a head office MQTT broker (real mosquitto)', { timeout: 60_000 }, () => {
  it('sends pseudonymous alert changes and KPI summaries that match the contract', async () => {
    const m = await mosquittoForTest();
    const office = await headOffice(m.url);
    // 25 s into a minute: summaries still cover whole minutes of the clock.
    const g = await uplinkGateway(m.url, {}, { start: Date.UTC(2026, 10, 23, 10, 0, 25) });
    const band = await g.device('wb-1');
    await band.send('deviceEvent', { type: 'sos' });
    await eventually(async () => {
      await g.settled();
      expect(g.alerts.open()).toHaveLength(1);
    });
    const id = g.alerts.open()[0]!.id;
    await g.tick(7_000);
    g.alerts.acknowledge(id, 'alice');
    await g.tick(60_000);
    g.alerts.attend(id, 'alice');
    g.alerts.resolve(id, 'alice', 'assisted');
    await g.tick(60_000); // the minute ends: a KPI summary

    await eventually(async () => {
      await g.tick(100);
      expect(office.received.map((r) => r.body.action)).toEqual(
        expect.arrayContaining(['raised', 'dispatched', 'acknowledged', 'attended', 'resolved']),
      );
      expect(office.received.filter((r) => r.topic.endsWith('/kpis')).length).toBeGreaterThanOrEqual(2);
      expect(await g.metric('careedge_uplink_queue_messages')).toBe(0);
    });
    const alerts = office.received.filter((r) => r.topic === 'careedge/uplink/v1/testsite/alerts');
    for (const a of alerts) expect(Value.Errors(UplinkAlertChange, a.body).First()).toBeUndefined();
    const resolved = alerts.find((a) => a.body.action === 'resolved')!.body;
    expect(resolved).toMatchObject({
      site: 'testsite',
      alert: keys.key('alert', String(id)),
      kind: 'sos',
      priority: 'high',
      zone: 'north',
      state: 'resolved',
      resident: keys.key('resident', 'r1'),
      owner: keys.key('staff', 'alice'),
      acceptS: 7,
      arriveS: 67,
      outcome: 'assisted',
      ruleId: 'calls',
      rulesVersion: g.gateway.context.rules.current().version,
    });
    expect(new Set(alerts.map((a) => a.body.alert)).size).toBe(1);

    // Deduplicated as the head office does: a minute of fake time passes in one step, before the
    // real PUBACKs arrive, so a summary may be sent again after the PUBACK deadline.
    const kpis = deduplicated(office.received).filter((r) => r.topic === 'careedge/uplink/v1/testsite/kpis');
    for (const k of kpis) expect(Value.Errors(UplinkKpiSummary, k.body).First()).toBeUndefined();
    const sum = (f: (k: Record<string, unknown>) => number) => kpis.reduce((n, k) => n + f(k.body), 0);
    expect(sum((k) => (k.raised as { high: number }).high)).toBe(1);
    expect(sum((k) => k.acknowledged as number)).toBe(1);
    expect(sum((k) => k.resolved as number)).toBe(1);
    expect(kpis.find((k) => k.body.acknowledged === 1)!.body.acceptS).toEqual({ count: 1, sumS: 7, maxS: 7 });
    for (const k of kpis) {
      expect((k.body.from as number) % 60_000).toBe(0); // whole minutes, as every site has them
      expect(k.body.to).toBe((k.body.from as number) + 60_000);
    }

    // Never a name, a room or a raw id: the site register's words appear nowhere.
    const text = office.received.map((r) => r.text).join('\n');
    for (const word of ['Rose', 'Tyler', 'Alice', 'alice', '"r1"', 'wb-1', 'n1', 'Room', 'North wing'])
      expect(text).not.toContain(word);
    const unique = new Set(alerts.map((a) => a.body.id)).size; // a resend is PUBACKed once
    expect(await g.metric('careedge_uplink_sent_total', { stream: 'alerts' })).toBe(unique);
  });

  it('mosquitto stopped in the middle of a burst of alert changes: every change arrives, in order per alert', async () => {
    const m = await mosquittoForTest();
    const office = await headOffice(m.url);
    const g = await uplinkGateway(m.url);
    const expected = announced(g);
    const burst = async (cycles: number) => {
      for (let i = 0; i < cycles; i++) {
        sosCycle(g, ROSE);
        sosCycle(g, ADA);
        await g.tick(10);
      }
    };

    await burst(10);
    const stopping = m.stop(); // while the burst goes on, some of it in flight
    await burst(20);
    await stopping;
    await burst(5);
    await eventually(async () => {
      await g.tick(200);
      expect(await g.metric('careedge_uplink_connected')).toBe(0);
      const body = await healthz(g.gateway.httpPort);
      expect(body.status).toBe('ok'); // the alarm path does not depend on the head office
      expect(body.warnings?.find((w) => w.warning === 'uplink')?.reason).toMatch(
        /no link to the head office broker.*messages queued/,
      );
    });
    expect(await g.metric('careedge_uplink_queue_messages')).toBeGreaterThan(0);
    await burst(5);
    await m.start();
    await burst(5);

    await eventually(async () => {
      await g.tick(200);
      expect(deduplicated(office.received).filter((r) => r.topic.endsWith('/alerts'))).toHaveLength(
        expected.length,
      );
    });
    const kept = deduplicated(office.received);
    expect(kept.filter((r) => r.topic.endsWith('/alerts')).map((r) => r.body.id)).toEqual(expected);
    expectInOrderPerAlert(office.received);
    // No gap in the site's sequence: nothing was dropped on the way.
    const seqs = kept.map((r) => r.body.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(expected.length).toBeGreaterThan(200);
    await eventually(async () => {
      expect(await g.metric('careedge_uplink_queue_messages')).toBe(0);
      expect((await healthz(g.gateway.httpPort)).warnings).toBeUndefined();
    });
  });

  it('a gateway restarted with a queue backlog sends it once the broker is back', async () => {
    const m = await mosquittoForTest();
    const office = await headOffice(m.url);
    const g = await uplinkGateway(m.url);
    const before = announced(g);
    sosCycle(g, ROSE);
    await eventually(async () => {
      await g.tick(100);
      expect(office.received.length).toBeGreaterThanOrEqual(before.length);
    });
    await m.stop();
    for (let i = 0; i < 10; i++) sosCycle(g, ADA);
    await g.tick(10);
    await g.restart();
    const after = announced(g);
    expect(await g.metric('careedge_uplink_queue_messages')).toBeGreaterThanOrEqual(10 * 5); // five changes a cycle
    sosCycle(g, ROSE);
    await m.start();
    await eventually(async () => {
      await g.tick(200);
      expect(await g.metric('careedge_uplink_queue_messages')).toBe(0);
    });
    await eventually(async () => {
      const ids = deduplicated(office.received)
        .filter((r) => r.topic.endsWith('/alerts'))
        .map((r) => r.body.id);
      expect(ids).toHaveLength(new Set(ids).size);
      expect(ids.length).toBe(before.length + after.length);
      expect(ids.slice(-after.length)).toEqual(after);
    });
    expectInOrderPerAlert(office.received);
  });
});

describe('uplink over MQTT 5 (real mosquitto)', { timeout: 30_000 }, () => {
  it("keeps no more publishes unacknowledged than the broker's Receive Maximum", async () => {
    const m = await mosquittoForTest({ receiveMaximum: 5 });
    const office = await headOffice(m.url);
    const asked: number[] = [];
    const after = UplinkQueue.prototype.after;
    const spy = vi.spyOn(UplinkQueue.prototype, 'after').mockImplementation(function (
      this: UplinkQueue,
      seq,
      limit,
    ) {
      asked.push(limit);
      return after.call(this, seq, limit);
    });
    onTestFinished(() => spy.mockRestore());
    const g = await uplinkGateway(m.url, { kpis: false });
    for (let i = 0; i < 10; i++) sosCycle(g, ROSE); // fifty alert changes
    await eventually(async () => {
      await g.tick(100);
      expect(deduplicated(office.received)).toHaveLength(50);
    });
    expect(Math.max(...asked)).toBe(5);
  });
});

describe('uplink queue full while the broker is unreachable', () => {
  it('drops KPI summaries first, then the oldest alert changes: counted, logged and on /healthz', async () => {
    const nobody = `mqtt://127.0.0.1:${await freePort()}`;
    const g = await uplinkGateway(nobody, { maxQueued: 12 });
    await g.tick(60_000); // a KPI summary waits too
    for (let i = 0; i < 4; i++) sosCycle(g, ROSE); // twenty alert changes
    await g.tick(200);
    expect(await g.metric('careedge_uplink_queue_messages')).toBe(12);
    expect(await g.metric('careedge_uplink_dropped_total', { stream: 'kpis' })).toBe(1);
    expect(await g.metric('careedge_uplink_dropped_total', { stream: 'alerts' })).toBe(20 + 1 - 12 - 1);
    const body = await healthz(g.gateway.httpPort);
    expect(body.status).toBe('ok');
    expect(body.warnings?.find((w) => w.warning === 'uplink')?.reason).toMatch(
      /no link to the head office broker.*; 8 alert changes dropped since start \(queue full or not writable\)/,
    );
  });
});

describe('uplink over TLS (mqtts://, real mosquitto with a test CA)', { timeout: 60_000 }, () => {
  it("checks the broker's certificate against uplink.caFile", async () => {
    const m = await mosquittoForTest({ tls: true });
    const office = await headOffice(m.url, m.caFile);
    const g = await uplinkGateway(m.url, { caFile: m.caFile! });
    sosCycle(g, ROSE);
    await eventually(async () => {
      await g.tick(100);
      expect(office.received.map((r) => r.body.action)).toContain('resolved');
    });
  });

  it('without that CA the connection is refused, and /healthz says why', async () => {
    const m = await mosquittoForTest({ tls: true });
    const g = await uplinkGateway(m.url);
    sosCycle(g, ROSE);
    await eventually(async () => {
      await g.tick(200);
      const body = await healthz(g.gateway.httpPort);
      expect(body.warnings?.find((w) => w.warning === 'uplink')?.reason).toMatch(
        /no link to the head office broker \(.*certificate.*\); 5 messages queued/,
      );
    });
  });
});
