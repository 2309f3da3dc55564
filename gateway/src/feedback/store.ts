import { FACE_SCORE, FACES, type Face } from '@careedge/edge';
import { type Db, migrate } from '../core/db.js';

const HOUR_MS = 3_600_000;

const migrations = [
  {
    name: 'feedback-1',
    sql: `
      -- One row per counted kiosk tap. Anonymous: the kiosk and where it stands, never who tapped.
      CREATE TABLE feedback_taps (
        id INTEGER PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        zone_id TEXT NOT NULL,
        room_id TEXT,
        face TEXT NOT NULL CHECK (face IN ('very-happy', 'happy', 'unhappy', 'very-unhappy')),
        score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 4),
        reason TEXT,
        at INTEGER NOT NULL
      );
      CREATE INDEX feedback_taps_kiosk_at ON feedback_taps (kiosk_id, at);
      CREATE INDEX feedback_taps_at ON feedback_taps (at);
      -- Taps filtered as button mashing: not feedback, but not lost either (counted per hour).
      CREATE TABLE feedback_filtered (
        kiosk_id TEXT NOT NULL,
        zone_id TEXT NOT NULL,
        hour INTEGER NOT NULL,
        taps INTEGER NOT NULL,
        PRIMARY KEY (kiosk_id, hour)
      );
      -- The last tap each kiosk's latest unhappy burst took in: later bursts count only newer taps.
      CREATE TABLE feedback_bursts (
        kiosk_id TEXT PRIMARY KEY,
        last_tap_id INTEGER NOT NULL,
        at INTEGER NOT NULL
      );
    `,
  },
];

export interface StoredTap {
  kioskId: string;
  zoneId: string;
  roomId: string | null;
  face: Face;
  reason: string | null;
  at: number;
}

export type FaceCounts = Record<Face, number>;

export interface HappyIndexRow {
  /** The kiosk or zone id. */
  key: string;
  hour: number;
  taps: number;
  /** Mean face score, 4 very happy … 1 very unhappy; null for an hour with only filtered taps. */
  happyIndex: number | null;
  faces: FaceCounts;
  filtered: number;
}

const noFaces = (): FaceCounts => ({ 'very-happy': 0, happy: 0, unhappy: 0, 'very-unhappy': 0 });

/** The feedback tables in the gateway's SQLite file: taps, filtered counts, burst marks. */
export class FeedbackStore {
  private readonly q;

  constructor(db: Db) {
    migrate(db, migrations);
    this.q = {
      insert: db.prepare(
        `INSERT INTO feedback_taps (kiosk_id, zone_id, room_id, face, score, reason, at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      lastAt: db.prepare('SELECT max(at) AS at FROM feedback_taps WHERE kiosk_id = ?'),
      filtered: db.prepare(
        `INSERT INTO feedback_filtered (kiosk_id, zone_id, hour, taps) VALUES (?, ?, ?, 1)
         ON CONFLICT (kiosk_id, hour) DO UPDATE SET taps = taps + 1`,
      ),
      window: db.prepare(
        `SELECT max(id) AS lastId, count(*) AS taps,
           coalesce(sum(face IN ('unhappy', 'very-unhappy')), 0) AS unhappy
         FROM feedback_taps WHERE kiosk_id = ? AND at > ? AND id > ?`,
      ),
      burst: db.prepare('SELECT last_tap_id AS lastTapId FROM feedback_bursts WHERE kiosk_id = ?'),
      markBurst: db.prepare(
        `INSERT INTO feedback_bursts (kiosk_id, last_tap_id, at) VALUES (?, ?, ?)
         ON CONFLICT (kiosk_id) DO UPDATE SET last_tap_id = excluded.last_tap_id, at = excluded.at`,
      ),
    };
  }

  /** Stores a counted tap; its id. */
  addTap(t: StoredTap): number {
    const r = this.q.insert.run(t.kioskId, t.zoneId, t.roomId, t.face, FACE_SCORE[t.face], t.reason, t.at);
    return Number(r.lastInsertRowid);
  }

  /** When the kiosk's last counted tap was stored (the mashing filter after a restart). */
  lastTapAt(kioskId: string): number | undefined {
    return (this.q.lastAt.get(kioskId) as { at: number | null }).at ?? undefined;
  }

  addFiltered(kioskId: string, zoneId: string, at: number): void {
    this.q.filtered.run(kioskId, zoneId, Math.floor(at / HOUR_MS) * HOUR_MS);
  }

  /** The kiosk's counted taps after `since` that no earlier burst took in. */
  window(kioskId: string, since: number): { lastId: number | null; taps: number; unhappy: number } {
    const burst = this.q.burst.get(kioskId) as { lastTapId: number } | undefined;
    return this.q.window.get(kioskId, since, burst?.lastTapId ?? 0) as {
      lastId: number | null;
      taps: number;
      unhappy: number;
    };
  }

  markBurst(kioskId: string, lastTapId: number, at: number): void {
    this.q.markBurst.run(kioskId, lastTapId, at);
  }

  /**
   * Taps and filtered taps per kiosk or zone and hour, for every hour [from, to) touches, each
   * whole: filtered taps are only counted per hour, and a bucket labelled with an hour must hold
   * all of it, taps and filtered alike.
   */
  happyIndex(by: 'kiosk' | 'zone', fromMs: number, toMs: number): HappyIndexRow[] {
    const col = by === 'kiosk' ? 'kiosk_id' : 'zone_id';
    const from = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
    const to = Math.ceil(toMs / HOUR_MS) * HOUR_MS;
    const db = this.q.insert.database;
    const faces = FACES.map((f) => `sum(face = '${f}') AS "${f}"`).join(', ');
    const taps = db
      .prepare(
        `SELECT ${col} AS key, (at / ${HOUR_MS}) * ${HOUR_MS} AS hour, count(*) AS taps,
           avg(score) AS happyIndex, ${faces}
         FROM feedback_taps WHERE at >= ? AND at < ? GROUP BY key, hour`,
      )
      .all(from, to) as ({ key: string; hour: number; taps: number; happyIndex: number } & FaceCounts)[];
    const filtered = db
      .prepare(
        `SELECT ${col} AS key, hour, sum(taps) AS filtered FROM feedback_filtered
         WHERE hour >= ? AND hour < ? GROUP BY key, hour`,
      )
      .all(from, to) as { key: string; hour: number; filtered: number }[];
    const rows = new Map<string, HappyIndexRow>();
    const row = (key: string, hour: number) => {
      const id = `${key}\u0000${hour}`;
      let r = rows.get(id);
      if (!r) {
        r = { key, hour, taps: 0, happyIndex: null, faces: noFaces(), filtered: 0 };
        rows.set(id, r);
      }
      return r;
    };
    for (const t of taps) {
      const r = row(t.key, t.hour);
      r.taps = t.taps;
      r.happyIndex = Math.round(t.happyIndex * 100) / 100;
      for (const f of FACES) r.faces[f] = t[f];
    }
    for (const f of filtered) row(f.key, f.hour).filtered = f.filtered;
    return [...rows.values()].sort((a, b) => a.hour - b.hour || a.key.localeCompare(b.key));
  }
}
