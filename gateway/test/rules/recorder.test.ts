import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecordedLine } from '@careedge/edge';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { EventBus } from '../../src/core/bus.js';
import { createMetrics } from '../../src/core/metrics.js';
import type { IngestEvents } from '../../src/ingest/events.js';
import { loadSiteFile } from '../../src/register/site-file.js';
import type { DeviceContext } from '../../src/register/types.js';
import { openOfflineRules } from '../../src/rules/offline-engine.js';
import { IngestRecorder } from '../../src/rules/recorder.js';
import { RecordingFiles } from '../../src/rules/recording-files.js';
import { replayFile } from '../../src/rules/replay.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { TEST_SITE, type TestGateway, testGateway } from '../helpers/gateway.js';
import { onTopic } from '../helpers/mqtt-client.js';
import { makeTempDir } from '../helpers/tmp.js';

const MB = 1048576;
const band = (id: string): DeviceContext => ({
  device: { id, kind: 'wristband' } as DeviceContext['device'],
});

/** A recorder on a real bus and real files, with a fake clock and a log that keeps its lines. */
function recorder(record: Record<string, unknown>, freeBytes?: (dir: string) => Promise<number>) {
  const dir = makeTempDir('careedge-rec-');
  const time = fakeClock();
  const logged: { level: number; msg: string }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) });
  const bus = new EventBus<IngestEvents>(log);
  const metrics = createMetrics();
  const config = loadConfig({ overrides: { dataDir: dir, rules: { record: { enabled: true, ...record } } } });
  const rec = new IngestRecorder({
    bus,
    clock: time.clock,
    log,
    metrics,
    config,
    ...(freeBytes ? { freeBytes } : {}),
  });
  let seq = 0;
  /** `padding`: a long device id, to fill files quickly. */
  const telemetry = (deviceId = 'wb-1', padding = 0) =>
    bus.emit('device:telemetry', {
      source: band(deviceId + 'x'.repeat(padding)),
      message: {
        seq: seq++,
        ts: time.clock.now() - 400,
        activity: 10,
        worn: true,
        batteryPct: 80,
        rssiDbm: -60,
      } as IngestEvents['device:telemetry'][0]['message'],
      receivedAt: time.clock.now(),
    });
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
    const v = m?.values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
    return v?.value ?? 0;
  };
  const recordings = () => {
    const d = join(dir, 'recordings');
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .sort()
      .map((f) => readFileSync(join(d, f), 'utf8'));
  };
  /** Time passes (the flush timer) and the writes it started land. */
  const tick = async (ms: number) => {
    await time.tick(ms);
    await rec.idle();
  };
  return { dir, rec, bus, time, tick, telemetry, metric, recordings, logged };
}

describe('ingest recorder (rules.record)', () => {
  it('writes the four device channels as the history line format, ts = gateway receive time, buffered', async () => {
    const r = recorder({});
    r.rec.start();
    await r.time.tick(5_000);
    const at = r.time.clock.now();
    r.telemetry();
    r.bus.emit('device:event', {
      source: band('wb-1'),
      message: { seq: 1, ts: at - 1000, type: 'sos' },
      receivedAt: at,
    });
    r.bus.emit('device:heartbeat', {
      source: band('wb-2'),
      message: { seq: 7, ts: at, intervalS: 60 },
      receivedAt: at,
    });
    r.bus.emit('device:status', {
      source: band('wb-2'),
      message: { seq: 8, ts: at, state: 'offline' },
      receivedAt: at,
    });
    await r.rec.idle();
    expect(r.recordings(), 'nothing is written per message: lines wait for the flush').toEqual([]);

    await r.tick(1_000);
    const [file] = r.recordings();
    const lines = file!.trimEnd().split('\n');
    const read = lines.map((l, i) => parseRecordedLine(l, `recording:${i + 1}`));
    expect(read.map((m) => [m.ts, m.deviceId, m.channel])).toEqual([
      [at, 'wb-1', 'deviceTelemetry'],
      [at, 'wb-1', 'deviceEvent'],
      [at, 'wb-2', 'deviceHeartbeat'],
      [at, 'wb-2', 'deviceStatus'],
    ]);
    expect(read[1]!.payload).toEqual({ seq: 1, ts: at - 1000, type: 'sos' });
    expect(lines[0]).toMatch(/^\{"ts":\d+,"deviceId":"wb-1","channel":"deviceTelemetry","payload":\{/);
    expect(await r.metric('careedge_recorder_messages_total', { result: 'written' })).toBe(4);

    for (let i = 0; i < 5000; i++) r.telemetry(); // a write of 5,000 lines starts at once
    r.telemetry('wb-3'); // and this one waits for it
    await r.rec.stop();
    const last = r.recordings()[0]!.trimEnd().split('\n');
    expect(last).toHaveLength(5005);
    expect(last.at(-1), 'stopping writes what waited behind a write in flight').toContain('"wb-3"');
  });

  it('is off by default: no listener, no directory', async () => {
    const dir = makeTempDir();
    const bus = new EventBus<IngestEvents>(pino({ level: 'silent' }));
    const rec = new IngestRecorder({
      bus,
      clock: fakeClock().clock,
      log: pino({ level: 'silent' }),
      metrics: createMetrics(),
      config: loadConfig({ overrides: { dataDir: dir } }),
    });
    rec.start();
    expect(
      bus.emit('device:telemetry', { source: band('wb-1'), message: {} as never, receivedAt: 1 }),
    ).toEqual([]);
    await rec.stop();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rotates at maxFileMb and keeps keepFiles files, the newest; every line whole', async () => {
    const r = recorder({ maxFileMb: 1, keepFiles: 2 });
    r.rec.start();
    // ~1.1 KB a line, 400 lines a second: a new file every two seconds.
    for (let s = 0; s < 8; s++) {
      for (let i = 0; i < 400; i++) r.telemetry('wb-1', 1000);
      await r.tick(1_000);
    }
    const files = r.recordings();
    expect(files).toHaveLength(2);
    const seqs = files.flatMap((f) =>
      f
        .trimEnd()
        .split('\n')
        .map((l, i) => parseRecordedLine(l, `line ${i + 1}`).payload.seq),
    );
    expect(seqs.at(-1), 'the newest message is kept').toBe(3199);
    expect(seqs, 'the files hold a contiguous tail, in order').toEqual(
      seqs.map((_, i) => 3200 - seqs.length + i),
    );
    for (const f of files) expect(Buffer.byteLength(f)).toBeLessThanOrEqual(1 * MB);
  });

  it('a disk below the reserve deletes the oldest recordings first, then stops recording: one log line, a metric; resumes when there is room', async () => {
    let free = 10_000 * MB;
    const r = recorder({ maxFileMb: 1, keepFiles: 10, keepFreeMb: 100 }, async () => free);
    r.rec.start();
    for (let s = 0; s < 6; s++) {
      for (let i = 0; i < 400; i++) r.telemetry('wb-1', 1000);
      await r.tick(1_000);
    }
    expect(r.recordings().length).toBe(3);

    free = 50 * MB; // something else filled the card
    r.telemetry();
    await r.tick(1_000);
    expect(r.recordings(), 'older recordings went first; the current one stays').toHaveLength(1);
    expect(r.logged.filter((l) => l.level >= 50)).toHaveLength(1);
    expect(r.logged.find((l) => l.level >= 50)?.msg).toMatch(/recording stopped/);
    expect(await r.metric('careedge_recorder_recording')).toBe(0);

    for (let s = 0; s < 130; s++) {
      r.telemetry();
      await r.tick(1_000);
    }
    expect(r.recordings(), 'the reserve wins: the last recording went too, and no new file started').toEqual(
      [],
    );
    expect(
      r.logged.filter((l) => l.level >= 50),
      'the retries do not log again',
    ).toHaveLength(1);
    expect(await r.metric('careedge_recorder_messages_total', { result: 'dropped' })).toBeGreaterThanOrEqual(
      130,
    );

    free = 10_000 * MB;
    for (let s = 0; s < 62; s++) {
      r.telemetry('wb-9');
      await r.tick(1_000);
    }
    expect(await r.metric('careedge_recorder_recording')).toBe(1);
    expect(r.logged.some((l) => l.msg === 'ingest recording resumed')).toBe(true);
    expect(r.recordings().join('')).toContain('"deviceId":"wb-9"');
    await r.rec.stop();
  });
});

describe('recording files', () => {
  it('files started in the same millisecond get names of their own, in order', async () => {
    const dir = makeTempDir();
    const files = new RecordingFiles({ dir, maxFileBytes: 10, keepFiles: 2, keepFreeBytes: 0, now: () => 0 });
    for (const line of ['a', 'b', 'c']) await files.append(`${line.repeat(8)}\n`);
    await files.close();
    const names = await files.list();
    expect(names).toEqual(['ingest-1970-01-01T00-00-00.001Z.jsonl', 'ingest-1970-01-01T00-00-00.002Z.jsonl']);
    expect(names.map((n) => readFileSync(join(dir, n), 'utf8'))).toEqual(['bbbbbbbb\n', 'cccccccc\n']);
  });
});

describe('ingest recorder in the gateway', () => {
  let g: TestGateway;

  it('records what ingest accepted; an unwritable recordings directory costs no alarm', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'not-a-dir'), '');
    g = await testGateway({
      rules: { record: { enabled: true, dir: join(dir, 'not-a-dir', 'recordings') } },
    });
    try {
      const wb = await g.device('wb-1');
      const alice = await g.handset('alice');
      await wb.send('deviceTelemetry', { activity: 3, worn: true, batteryPct: 90, rssiDbm: -50 });
      await g.tick(1_000);
      await wb.send('deviceEvent', { type: 'sos' });
      await alice.next(onTopic('dispatch', { type: 'alert' }));
      await g.tick(1_000);
      // The failed write is real I/O: it lands when it lands.
      await expect.poll(() => g.metric('careedge_recorder_recording')).toBe(0);
      await expect
        .poll(() => g.metric('careedge_recorder_messages_total', { result: 'dropped' }))
        .toBeGreaterThan(0);
    } finally {
      await g.stop();
    }
  });

  it('writes the recording under dataDir by default', async () => {
    g = await testGateway({ rules: { record: { enabled: true } } });
    try {
      const wb = await g.device('wb-2');
      const sent = await wb.send('deviceTelemetry', {
        activity: 3,
        worn: true,
        batteryPct: 90,
        rssiDbm: -50,
      });
      await g.settled();
      await g.tick(1_000);
      await expect
        .poll(() => {
          const d = join(g.dir, 'recordings');
          return readdirSync(d)
            .map((f) => readFileSync(join(d, f), 'utf8'))
            .join('');
        })
        .toContain(`"deviceId":"wb-2","channel":"deviceTelemetry","payload":${JSON.stringify(sent)}`);
    } finally {
      await g.stop();
    }
  });

  it('a recording replays through the rules as a simulated history does: the SOS it recorded comes back', async () => {
    g = await testGateway({ rules: { record: { enabled: true } } });
    try {
      const wb = await g.device('wb-1');
      await wb.send('deviceHeartbeat', { intervalS: 60 });
      await wb.send('deviceEvent', { type: 'sos' });
      await expect.poll(() => g.alerts.open().length).toBe(1);
      await g.restart(); // stopping writes what waits
      const dir = join(g.dir, 'recordings');
      const [file] = readdirSync(dir);
      const rules = await openOfflineRules({
        site: loadSiteFile(TEST_SITE),
        rulesFile: undefined,
        startTs: 0,
      });
      const run = await replayFile(join(dir, file!), [rules]);
      rules.close();
      expect(run).toMatchObject({ messages: 2, skipped: { count: 0 } });
      expect(rules.alerts().map((a) => [a.alertKind, a.subject.id, a.at])).toEqual([
        ['sos', 'r1', g.alerts.open()[0]!.raisedAt],
      ]);
    } finally {
      await g.stop();
    }
  });
});
