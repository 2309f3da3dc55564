import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/alerts/model.js';
import { type TestGateway, testGateway } from '../helpers/gateway.js';
import type { AuthedApi } from '../helpers/http.js';
import { onTopic, type TestClient } from '../helpers/mqtt-client.js';

// Staff act on alerts from the console: the HTTP route runs the one command path, the resident's
// band hears "help is coming" over MQTT, and the audit trail says it came from the console.
describe('alert actions over HTTP, end to end (real broker, MQTT clients, SQLite)', () => {
  let g: TestGateway;
  let band: TestClient;
  let alice: AuthedApi;
  let bob: AuthedApi;
  let sam: AuthedApi;
  let first: number;
  let second: number;
  const act = (as: AuthedApi, id: number, payload: object) =>
    as.inject({ method: 'POST', url: `/api/v1/alerts/${id}/actions`, payload });
  const auditOf = async (id: number): Promise<AuditEntry[]> =>
    (await alice.inject({ method: 'GET', url: `/api/v1/alerts/${id}` })).json().audit;

  beforeAll(async () => {
    g = await testGateway();
    band = await g.device('wb-1');
    const handset = await g.handset('alice');
    await g.handset('bob'); // online, so a reassignment may go to him
    await band.send('deviceEvent', { type: 'sos' });
    first = (await handset.next(onTopic('dispatch', { type: 'alert', reason: 'new' }))).payload
      .alertId as number;
    alice = await g.console('alice');
    bob = await g.console('bob');
    sam = await g.console('sam');
  });
  afterAll(async () => {
    for (const s of [alice, bob, sam]) await s.close();
    await g.stop();
  });

  it('accept: the alert is hers, and the band is told help is coming with her name', async () => {
    const res = await act(alice, first, { action: 'accept' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: first, state: 'acknowledged', ownerId: 'alice' });
    const reassure = (await band.next(onTopic('reassure'))).payload;
    expect(reassure).toMatchObject({ alertId: first, kind: 'help-coming', staffFirstName: 'Alice' });
  });

  it("a colleague's refusal comes from the command path with its catalogue code and status", async () => {
    const res = await act(bob, first, { action: 'resolve', outcome: 'assisted' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      error: { code: 'not-owner', message: `only alice, who owns alert ${first}, can resolve it` },
    });
    const early = await act(alice, first, { action: 'resolve', outcome: 'assisted' });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('illegal-transition');
  });

  it('arrive, then resolve with an outcome; the audit trail shows each step from the console', async () => {
    expect((await act(alice, first, { action: 'arrive' })).json()).toMatchObject({ state: 'attended' });
    const resolved = await act(alice, first, { action: 'resolve', outcome: 'assisted', note: 'helped up' });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toMatchObject({ state: 'resolved', outcome: 'assisted', note: 'helped up' });
    const audit = await auditOf(first);
    expect(audit.map((a) => [a.action, a.actor, a.detail.via])).toEqual([
      ['raised', 'device:wb-1', undefined],
      ['dispatched', 'system', undefined],
      ['acknowledged', 'staff:alice', 'console'],
      ['attended', 'staff:alice', 'console'],
      ['resolved', 'staff:alice', 'console'],
    ]);
    expect(audit.at(-1)!.detail).toEqual({ outcome: 'assisted', note: 'helped up', via: 'console' });
  });

  it('reassign needs the supervisor role; a supervisor reassigns, recorded as from the console; the handset path records no way', async () => {
    const handset = await g.client('alice');
    await handset.listen('staffDispatch', 'staffResult');
    const band2 = await g.device('wb-2');
    await band2.send('deviceEvent', { type: 'sos' });
    second = (await handset.next(onTopic('dispatch', { type: 'alert', reason: 'new' }))).payload
      .alertId as number;
    const ack = await handset.send('staffReply', { action: 'ack', alertId: second });
    expect((await handset.next(onTopic('result', { transaction: ack.seq }))).payload.status).toBe('ok');

    const refused = await act(alice, second, { action: 'reassign', to: 'bob' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toEqual({
      code: 'forbidden',
      message: 'reassigning needs the supervisor role; you are staff',
    });
    const res = await act(sam, second, { action: 'reassign', to: 'bob', note: 'alice is with Rose' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ownerId: 'bob' });
    const audit = await auditOf(second);
    expect(audit.find((a) => a.action === 'acknowledged')).toMatchObject({
      actor: 'staff:alice',
      detail: {},
    });
    expect(audit.find((a) => a.action === 'reassigned')).toMatchObject({
      actor: 'staff:sam',
      detail: { from: 'alice', to: 'bob', note: 'alice is with Rose', via: 'console' },
    });
  });

  it('a machine token may read alerts but not act on them (an alert is owned by a person)', async () => {
    const token = g.api('supervisor');
    try {
      expect((await token.inject({ method: 'GET', url: `/api/v1/alerts/${second}` })).statusCode).toBe(200);
      const res = await act(token, second, { action: 'note', text: 'paged' });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    } finally {
      await token.close();
    }
  });

  it('lists alerts by state, priority, kind, zone, owner and time', async () => {
    const ids = async (query: string) =>
      (
        (await alice.inject({ method: 'GET', url: `/api/v1/alerts?${query}` })).json().alerts as {
          id: number;
        }[]
      ).map((a) => a.id);
    const { raisedAt } = g.alerts.get(first);
    expect(await ids('state=open')).toEqual([second]);
    expect(await ids('state=recent')).toEqual([second, first]);
    expect(await ids('state=resolved')).toEqual([first]);
    expect(await ids('state=acknowledged&owner=bob')).toEqual([second]);
    expect(await ids('state=recent&owner=alice')).toEqual([first]);
    expect(await ids('state=recent&zone=north&priority=high&kind=sos')).toEqual([second, first]);
    expect(await ids('state=recent&zone=south')).toEqual([]);
    expect(await ids('state=recent&kind=fall')).toEqual([]);
    expect(await ids(`state=recent&until=${raisedAt}`)).toEqual([]);
    expect(await ids(`state=recent&since=${raisedAt}&until=${raisedAt + 1}`)).toContain(first);
    expect(await ids('state=recent&limit=1')).toEqual([second]);
  });
});
