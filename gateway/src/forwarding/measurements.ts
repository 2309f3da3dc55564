/**
 * The time-series schema CareEdge writes to InfluxDB: the one definition that the line encoder
 * (points.ts) checks against and docs/time-series.md is generated from.
 *
 * Tags are bounded and never free text: the site, the zone, the device kind, an alert's kind,
 * priority and action (enumerations), the rule id and rules version (from the rules file, which
 * the site writes and changes rarely), and pseudonymous keys (a keyed HMAC, see pseudonym.ts) for
 * residents, devices and staff — never a name or a room.
 *
 * Class: `routine` points (telemetry, sampled status and health) may be dropped, oldest first,
 * when the outbox reaches its size limit; `precious` points (alerts, workload, feedback) never are.
 */

export type PointClass = 'routine' | 'precious';
export type FieldType = 'float' | 'integer' | 'boolean';

export interface MeasurementSpec {
  readonly description: string;
  readonly class: PointClass;
  /** Tag keys with what they hold; every point carries each tag it can know. */
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, { type: FieldType; description: string }>>;
  /** How a point's timestamp is made unique and stable, so a resent batch overwrites itself. */
  readonly timestamp: string;
}

const SITE = 'Site id from the site file.';
const ZONE = 'Zone id from the site file (bounded by the building).';
const RESIDENT =
  'Pseudonymous resident key: HMAC-SHA256 of the resident id with the site secret, 16 hex digits.';
const DEVICE = 'Pseudonymous device key: HMAC-SHA256 of the device id with the site secret, 16 hex digits.';
const KIND = 'Device kind: `wristband` or `care-button`.';
const FROM_DEVICE =
  "The device's own `ts` (ms) with its `seq` (mod 10⁶) in the nanoseconds: a message re-sent by the device or the outbox lands on the same point.";

export const MEASUREMENTS = {
  wristband_vitals: {
    description:
      'Wristband readings of the resident (one per telemetry message). Not written for a resident whose site-file entry says `forwardVitals: false`.',
    class: 'routine',
    tags: { site: SITE, zone: ZONE, device_kind: KIND, resident: RESIDENT },
    fields: {
      heart_rate_bpm: { type: 'integer', description: 'Heart rate; absent while the band is not worn.' },
      activity: { type: 'float', description: 'Movement intensity over the reporting interval, 0–100.' },
      steps: { type: 'integer', description: 'Steps in the reporting interval, when the band counts them.' },
    },
    timestamp: FROM_DEVICE,
  },
  device_status: {
    description:
      'Device condition: battery, signal and skin contact (sampled from telemetry at most once per `forwarding.deviceStatusEveryS` per device), and online/offline from the retained status message.',
    class: 'routine',
    tags: { site: SITE, zone: ZONE, device_kind: KIND, device: DEVICE, resident: RESIDENT },
    fields: {
      battery_pct: { type: 'integer', description: 'Battery charge, percent.' },
      rssi_dbm: { type: 'integer', description: 'Radio signal strength at the device, dBm.' },
      worn: { type: 'boolean', description: 'Skin contact (wristbands).' },
      online: { type: 'boolean', description: 'true after connect, false from the MQTT last will.' },
    },
    timestamp: FROM_DEVICE,
  },
  alert_event: {
    description:
      'One point per alert lifecycle change (raise, dispatch, escalation, accept, arrive, resolve, cancel …), with the response times known at that step. Count raises with `count(alert_id)` where `action = raised`.',
    class: 'precious',
    tags: {
      site: SITE,
      zone: ZONE,
      kind: 'Alert kind (sos, fall, call, emergency-call, device-offline …).',
      priority: 'high, medium or low.',
      action: 'What happened: raised, dispatched, escalated, acknowledged, attended, resolved, cancelled …',
      resident: `${RESIDENT} Absent for alerts of a room.`,
      rule: 'The rule that raised it: its id in the rules file (a few dozen at most, chosen by the site). Absent for an alert no rule raised (an alert-storm summary).',
      rules_version:
        'Content hash of the rules file in force when it was raised (12 hex digits). A new value only when the rules file changes, a few times a year, so rule × version stays small; compare KPIs before and after a change by it.',
    },
    fields: {
      alert_id: {
        type: 'integer',
        description: 'The alert id on the gateway (for joining the events of one alert).',
      },
      level: {
        type: 'integer',
        description: 'Dispatch step reached: 0 first dispatch, one more per escalation.',
      },
      count: { type: 'integer', description: 'How many times the resident raised it so far.' },
      accept_s: { type: 'float', description: 'Seconds from raise to acceptance (from `acknowledged` on).' },
      arrive_s: {
        type: 'float',
        description: 'Seconds from raise to arrival in the room (from `attended` on).',
      },
      resolve_s: {
        type: 'float',
        description: 'Seconds from raise to close (on `resolved` and `cancelled`).',
      },
    },
    timestamp:
      "When the change was committed (ms), with its audit entry's id (mod 10⁶) in the nanoseconds: two changes never share a point.",
  },
  staff_workload: {
    description:
      'One point per call a staff member accepted; sum `calls` per staff key over a shift for the workload picture.',
    class: 'precious',
    tags: {
      site: SITE,
      zone: ZONE,
      staff: 'Pseudonymous staff key: HMAC-SHA256 of the staff id with the site secret, 16 hex digits.',
      priority: 'Priority of the accepted alert.',
    },
    fields: { calls: { type: 'integer', description: 'Always 1: one accepted call.' } },
    timestamp: 'As `alert_event` (the acceptance is one of its changes).',
  },
  feedback: {
    description:
      'One point per kiosk tap counted as feedback (taps filtered as button mashing are not points). Anonymous: nothing says who tapped. The Happy Index is `mean(score)`.',
    class: 'precious',
    tags: {
      site: SITE,
      zone: ZONE,
      kiosk:
        'Kiosk id from the site file: a fixture in a shared room, not a person, so not pseudonymous (bounded by the building).',
      face: 'very-happy, happy, unhappy or very-unhappy.',
      reason:
        'The reason tapped, an id of `feedback.reasons` (bounded by the configuration); absent without one.',
    },
    fields: {
      score: {
        type: 'integer',
        description: 'Face score: very happy 4, happy 3, unhappy 2, very unhappy 1.',
      },
    },
    timestamp:
      "When the gateway counted the tap (ms), with the kiosk's `seq` (mod 10⁶) in the nanoseconds: two taps never share a point, and a resent batch lands on the same points.",
  },
  gateway_health: {
    description: 'The gateway itself, sampled every `forwarding.healthIntervalS`.',
    class: 'routine',
    tags: { site: SITE },
    fields: {
      ingest_per_s: {
        type: 'float',
        description: 'Device messages accepted per second since the last sample.',
      },
      rejects: { type: 'integer', description: 'Device messages rejected since the last sample.' },
      outbox_backlog: { type: 'integer', description: 'Points waiting in the outbox for InfluxDB.' },
      event_loop_delay_ms: { type: 'float', description: 'p99 event-loop delay since the last sample, ms.' },
      broker_clients: {
        type: 'integer',
        description: 'MQTT clients (devices and handsets) connected to the embedded broker.',
      },
    },
    timestamp: 'The sample time (ms).',
  },
} as const satisfies Record<string, MeasurementSpec>;

export type MeasurementName = keyof typeof MEASUREMENTS;
export type TagOf<M extends MeasurementName> = keyof (typeof MEASUREMENTS)[M]['tags'] & string;
export type FieldOf<M extends MeasurementName> = keyof (typeof MEASUREMENTS)[M]['fields'] & string;

export const classOf = (m: MeasurementName): PointClass => MEASUREMENTS[m].class;
