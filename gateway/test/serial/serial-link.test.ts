import { encodeFrame, type SerialFrame } from '@careedge/edge';
import { BaseStationLink } from '@careedge/firmware-sim';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { secretOf, type TestGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';
import { eventually, SerialStation, serialGateway } from '../helpers/serial-station.js';

describe('serial base stations through real pseudo-terminals', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const setUp = (opts: { baseStation?: string; pairs?: number } = {}) => serialGateway(cleanups, opts);

  const healthz = async (g: TestGateway) =>
    (await (await fetch(`http://127.0.0.1:${g.gateway.httpPort}/healthz`)).json()) as {
      status: string;
      warnings?: { warning: string; reason: string }[];
    };

  let seq = 0;
  const message = (body: Record<string, unknown>) => ({ seq: seq++, ts: Date.now(), ...body });

  it('dispatches a wristband SOS that came by serial like one by MQTT, and sends its reassurance back down', async () => {
    const { g, station, port } = await setUp();
    expect((await healthz(g)).warnings).toEqual([
      {
        warning: `serial:${port}`,
        reason: expect.stringContaining('no base station has logged in'),
        since: expect.any(Number),
      },
    ]);
    expect(await station.hello('bs-1')).toMatchObject({ type: 'ack', deviceId: 'bs-1' });
    expect((await healthz(g)).warnings).toBeUndefined();
    const alice = await g.handset('alice');

    const sos = station.frame('event', 'wb-s1', message({ type: 'sos' }));
    station.send(sos);
    expect(await station.answerTo(sos)).toMatchObject({ type: 'ack', deviceId: 'wb-s1' });
    // Acknowledged only once it was in the journal, as the broker does before its PUBACK.
    expect(await g.metric('careedge_alarm_journal_records_total', { result: 'ok' })).toBe(1);
    const dispatch = (await alice.next(onTopic('dispatch', { type: 'alert' }))).payload;
    expect(dispatch).toMatchObject({ reason: 'new', kind: 'sos', priority: 'high', residentId: 'r1' });

    const alertId = dispatch.alertId as number;
    await alice.send('staffReply', { action: 'received', alertId });
    await alice.send('staffReply', { action: 'ack', alertId });
    const reassurance = await station.next((f) => f.type === 'reassurance');
    expect(reassurance).toMatchObject({
      deviceId: 'wb-s1',
      payload: { alertId, kind: 'help-coming', staffFirstName: 'Alice' },
    });
    // The test station acknowledged it: no retransmission when the gateway's clock moves on.
    await eventually(
      g,
      async () => (await g.metric('careedge_serial_frames_total', { type: 'ack', result: 'matched' })) === 1,
      'the ACK of the reassurance',
    );
    await g.tick(10_000);
    expect(station.received.filter((f) => f.type === 'reassurance')).toHaveLength(1);
  });

  it('acknowledges a retransmitted frame again, and ingest raises one alert', async () => {
    const { g, station } = await setUp();
    await station.hello('bs-1');
    const sos = station.frame('event', 'wb-s1', message({ type: 'sos' }));
    const bytes = station.send(sos);
    expect(await station.answerTo(sos)).toMatchObject({ type: 'ack' });
    station.write(bytes); // its ACK was lost: same linkSeq, same bytes
    expect(await station.answerTo(sos)).toMatchObject({ type: 'ack' });
    expect(g.alerts.open()).toHaveLength(1);
    expect(
      await g.metric('careedge_ingest_messages_total', { channel: 'deviceEvent', result: 'duplicate' }),
    ).toBe(1);
  });

  it('rejects corrupted frames unanswered (the base station sends them again) while good ones pass', async () => {
    const { g, station, port } = await setUp();
    await station.hello('bs-1');
    const corrupted = station.frame('event', 'wb-s1', message({ type: 'sos' }));
    const bytes = encodeFrame(corrupted);
    bytes[4]! ^= 0x20; // 'w' → 'W' in the device id: the CRC no longer matches
    station.write(bytes);
    station.write(Buffer.from([0x00, 0xdb, 0x41, 0xc0])); // line noise: ESC then not an escape
    const good = station.frame('heartbeat', 'wb-s1', message({ intervalS: 60 }));
    station.send(good);
    expect(await station.answerTo(good)).toMatchObject({ type: 'ack' });
    expect(station.received.some((f) => f.linkSeq === corrupted.linkSeq)).toBe(false);
    expect(await g.metric('careedge_serial_rejections_total', { port, reason: 'bad-crc' })).toBe(1);
    expect(await g.metric('careedge_serial_rejections_total', { port, reason: 'malformed' })).toBe(1);
    expect(g.alerts.open()).toHaveLength(0);

    // Sent again intact, the alarm goes through.
    station.send(corrupted);
    expect(await station.answerTo(corrupted)).toMatchObject({ type: 'ack' });
    expect(g.alerts.open()).toHaveLength(1);
  });

  it('refuses (NACK) and counts a frame for a device that is not behind this base station', async () => {
    const { g, station, port } = await setUp();
    await station.hello('bs-1');
    const refusal = async (deviceId: string) => {
      const f = station.frame('event', deviceId, message({ type: 'sos' }));
      station.send(f);
      return station.answerTo(f);
    };
    expect(await refusal('wb-s2')).toMatchObject({
      type: 'nack',
      payload: { reason: 'not-via-this-base-station' },
    });
    expect(await refusal('wb-1')).toMatchObject({
      type: 'nack',
      payload: { reason: 'not-via-this-base-station' },
    });
    expect(await refusal('ghost')).toMatchObject({ type: 'nack', payload: { reason: 'unknown-device' } });
    expect(g.alerts.open()).toHaveLength(0);
    expect(
      await g.metric('careedge_serial_rejections_total', { port, reason: 'not-via-this-base-station' }),
    ).toBe(2);
    expect(await g.metric('careedge_serial_rejections_total', { port, reason: 'unknown-device' })).toBe(1);
    // The base station's own heartbeat is its supervision: taken.
    const own = station.frame('heartbeat', 'bs-1', message({ intervalS: 60 }));
    station.send(own);
    expect(await station.answerTo(own)).toMatchObject({ type: 'ack' });
    expect(
      await g.metric('careedge_ingest_messages_total', { channel: 'deviceHeartbeat', result: 'accepted' }),
    ).toBe(1);
  });

  it('NACKs every data frame until a base station has logged in with its own secret', async () => {
    const { g, station, port } = await setUp({ baseStation: 'bs-1' });
    const early = station.frame('event', 'wb-s1', message({ type: 'sos' }));
    station.send(early);
    expect(await station.answerTo(early)).toMatchObject({
      type: 'nack',
      payload: { reason: 'not-logged-in' },
    });

    expect(await station.hello('bs-1', 'wrong-secret-0123456789')).toMatchObject({
      type: 'nack',
      payload: { reason: 'bad-login' },
    });
    await g.tick(1000); // after a failed login the port's next hello is refused unchecked for a second
    // The right secret, but this port expects bs-1 (refused before the secret is checked; a
    // wristband's own secret on a port expecting nobody: regressions/serial-wrong-station-hello-flood).
    expect(await station.hello('bs-2')).toMatchObject({
      type: 'nack',
      payload: { reason: 'wrong-base-station' },
    });
    expect(await g.metric('careedge_serial_logged_in', { port })).toBe(0);

    expect(await station.hello('bs-1')).toMatchObject({ type: 'ack' });
    expect(await g.metric('careedge_serial_logged_in', { port })).toBe(1);
    station.send(early);
    expect(await station.answerTo(early)).toMatchObject({ type: 'ack' });
    expect(g.alerts.open()).toHaveLength(1);
    expect(await g.metric('careedge_serial_rejections_total', { port, reason: 'not-logged-in' })).toBe(1);
    expect(await g.metric('careedge_serial_rejections_total', { port, reason: 'bad-login' })).toBe(1);
  });

  it('reports a location relayed by a base station as device:location', async () => {
    const { g, station } = await setUp();
    const seen: unknown[] = [];
    g.gateway.context.bus.on('test', 'device:location', (e) => {
      seen.push({ device: e.source.device.id, roomId: e.message.roomId });
    });
    await station.hello('bs-1');
    const report = station.frame('location', 'wb-s1', message({ roomId: 'n2' }));
    station.send(report);
    expect(await station.answerTo(report)).toMatchObject({ type: 'ack' });
    expect(seen).toEqual([{ device: 'wb-s1', roomId: 'n2' }]);
  });

  it('survives an unplug: reopens with backoff, keeps the reassurance, and takes the alarm held meanwhile', async () => {
    const { g, ptys, station, port } = await setUp();
    const pty = ptys[0]!;
    await station.hello('bs-1');
    const alice = await g.handset('alice');
    const sos = station.frame('event', 'wb-s1', message({ type: 'sos' }));
    station.send(sos);
    await station.answerTo(sos);
    const alertId = (await alice.next(onTopic('dispatch', { type: 'alert' }))).payload.alertId as number;

    await station.close();
    await pty.unplug();
    // Noticed by the read failing, or by the device path being gone (looked at on the gateway's clock).
    await eventually(
      g,
      async () => (await g.metric('careedge_serial_link_up', { port })) === 0,
      'the port to close',
      1000,
    );
    const down = await healthz(g);
    expect(down.status).toBe('ok'); // a serial port is a warning, not a degraded gateway
    expect(down.warnings?.[0]).toMatchObject({
      warning: `serial:${port}`,
      reason: expect.stringContaining('down'),
    });

    // While the base station is away the carer accepts: the reassurance waits for it.
    const ack = await alice.send('staffReply', { action: 'ack', alertId });
    await alice.next(onTopic('result', { transaction: ack.seq }));
    // Attempts fail while nothing is plugged in (backoff on the gateway's clock)...
    await g.tick(5000);
    expect(await g.metric('careedge_serial_link_up', { port })).toBe(0);

    await pty.plug();
    // ...and the next one after the replug opens it.
    await eventually(
      g,
      async () => (await g.metric('careedge_serial_link_up', { port })) === 1,
      'the reopen',
      1000,
    );
    expect(await g.metric('careedge_serial_reconnects_total', { port })).toBe(1);
    const back = await SerialStation.open(pty.b);
    cleanups.push(() => back.close());
    expect(await back.hello('bs-1')).toMatchObject({ type: 'ack' });
    expect((await back.next((f) => f.type === 'reassurance')).payload).toMatchObject({
      alertId,
      kind: 'help-coming',
    });

    // The kiosk's call the base station held while unplugged arrives once.
    const call = back.frame('event', 'kiosk-s1', message({ type: 'call' }));
    back.send(call);
    expect(await back.answerTo(call)).toMatchObject({ type: 'ack' });
    expect(g.alerts.open().filter((a) => a.deviceId === 'kiosk-s1')).toHaveLength(1);
    expect((await healthz(g)).warnings).toBeUndefined();
  });

  it('takes the alarm the base station simulator queued while unplugged, once, after the gateway reopens the port', async () => {
    const { g, ptys, station, port } = await setUp();
    await station.close(); // this test speaks through the firmware simulator's link instead
    const pty = ptys[0]!;
    const openB = async () => {
      const p = new SerialPort({ path: pty.b, baudRate: 115_200, autoOpen: false });
      await new Promise<void>((resolve, reject) => p.open((err) => (err ? reject(err) : resolve())));
      return p;
    };
    // Retransmits on the gateway's clock: each tick below may resend, which ingest de-duplicates.
    const link = new BaseStationLink(
      { baseStationId: 'bs-1', secret: secretOf('bs-1'), clock: g.clock },
      await openB(),
    );
    cleanups.push(async () => link.close());
    await link.hello();
    const alice = await g.handset('alice');

    link.disconnect(); // the cable is pulled...
    await pty.unplug();
    const sos = link.send('event', 'wb-s1', { seq: seq++, ts: Date.now(), type: 'sos' });
    expect(link.pending).toEqual({ inFlight: 0, queued: 1 });
    await eventually(
      g,
      async () => (await g.metric('careedge_serial_link_up', { port })) === 0,
      'the port to close',
      1000,
    );

    await pty.plug(); // ...and plugged in again
    await eventually(
      g,
      async () => (await g.metric('careedge_serial_link_up', { port })) === 1,
      'the reopen',
      1000,
    );
    await link.reconnect(await openB());
    await sos; // ACKed
    const dispatch = (await alice.next(onTopic('dispatch', { type: 'alert' }))).payload;
    expect(dispatch).toMatchObject({ kind: 'sos', residentId: 'r1', reason: 'new' });
    await g.tick(5000); // retransmissions, if any, have had their chance
    expect(g.alerts.open()).toHaveLength(1);
    expect(alice.drain().filter((m) => m.topic.endsWith('/dispatch') && m.payload.reason === 'new')).toEqual(
      [],
    );
  });

  it('keeps the ports apart: each base station gets the downlinks of its own devices', async () => {
    const { g, ptys, station } = await setUp({ pairs: 2 });
    const second = await SerialStation.open(ptys[1]!.b);
    cleanups.push(() => second.close());
    await station.hello('bs-1');
    await second.hello('bs-2');
    const alice = await g.handset('alice');
    const dave = await g.handset('dave');
    const sos = second.frame('event', 'wb-s2', message({ type: 'sos' }));
    second.send(sos);
    expect(await second.answerTo(sos)).toMatchObject({ type: 'ack' });
    const alertId = (await dave.next(onTopic('dispatch', { type: 'alert' }))).payload.alertId as number;
    await dave.send('staffReply', { action: 'ack', alertId });
    expect((await second.next((f) => f.type === 'reassurance')).deviceId).toBe('wb-s2');
    expect(station.received.filter((f: SerialFrame) => f.type === 'reassurance')).toEqual([]);
    expect(alice.drain().filter((m) => m.topic.endsWith('/dispatch'))).toEqual([]);
  });
});
