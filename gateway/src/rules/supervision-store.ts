import { type Db, migrate } from '../core/db.js';

const migrations = [
  {
    name: 'supervision-1',
    sql: `
      -- One row per device that has declared a heartbeat interval. Written when the interval
      -- changes and when the device goes offline or comes back, never per heartbeat: an SD card
      -- must not take 2,000 writes a second for messages that change nothing.
      CREATE TABLE device_supervision (
        device_id TEXT PRIMARY KEY,
        interval_s INTEGER NOT NULL,
        offline_at INTEGER,
        offline_alert_id INTEGER
      );
    `,
  },
];

export interface SupervisedDevice {
  deviceId: string;
  intervalS: number;
  /** Gateway clock when the device was found offline; null while it is heard from. */
  offlineAt: number | null;
  /** The device-offline alert raised for that silence (null if raising it failed). */
  offlineAlertId: number | null;
}

/** SQLite persistence of heartbeat supervision, so a restart keeps supervising every device. */
export class SupervisionStore {
  private readonly q;

  constructor(private readonly db: Db) {
    migrate(db, migrations);
    this.q = {
      all: db.prepare(
        `SELECT device_id AS deviceId, interval_s AS intervalS, offline_at AS offlineAt,
           offline_alert_id AS offlineAlertId FROM device_supervision ORDER BY device_id`,
      ),
      setInterval: db.prepare(
        `INSERT INTO device_supervision (device_id, interval_s) VALUES (?, ?)
         ON CONFLICT (device_id) DO UPDATE SET interval_s = excluded.interval_s`,
      ),
      setOffline: db.prepare(
        `UPDATE device_supervision SET offline_at = ?, offline_alert_id = ? WHERE device_id = ?`,
      ),
      forget: db.prepare(`DELETE FROM device_supervision WHERE device_id = ?`),
    };
  }

  all(): SupervisedDevice[] {
    return this.q.all.all() as SupervisedDevice[];
  }

  /**
   * Recorded with the other changes of this event-loop turn in one commit: when a whole site
   * reconnects (a gateway restart, an access point back) thousands of first heartbeats arrive at
   * once, and a commit (an fsync) each would hold the event loop, alarms included, for seconds.
   */
  setInterval(deviceId: string, intervalS: number): void {
    this.pending.set(deviceId, intervalS);
    if (this.pending.size === 1) setImmediate(() => this.tryFlush());
  }

  /** A failed write (a full disk) keeps the intervals for the next try; supervision goes on in memory. */
  private tryFlush(): void {
    const rows = [...this.pending];
    try {
      this.flush();
    } catch {
      for (const [deviceId, intervalS] of rows)
        if (!this.pending.has(deviceId)) this.pending.set(deviceId, intervalS);
    }
  }

  private readonly pending = new Map<string, number>();

  /** Writes the intervals noted since the last flush, in one transaction. */
  flush(): void {
    if (this.pending.size === 0) return;
    const rows = [...this.pending];
    this.pending.clear();
    this.db.transaction(() => {
      for (const [deviceId, intervalS] of rows) this.q.setInterval.run(deviceId, intervalS);
    })();
  }

  /** `at` null: the device is heard from again. */
  setOffline(deviceId: string, at: number | null, alertId: number | null): void {
    this.q.setOffline.run(at, alertId, deviceId);
  }

  forget(deviceId: string): void {
    this.q.forget.run(deviceId);
  }
}
