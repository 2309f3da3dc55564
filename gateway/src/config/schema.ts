import { Priority } from '@careedge/edge';
import { type Static, Type } from '@sinclair/typebox';
import { AuthSettings } from './auth.js';
import { FeedbackSettings } from './feedback.js';
import { GpioSettings } from './gpio.js';
import { SerialSettings } from './serial.js';
import { SmsSettings } from './sms.js';
import { SupervisionSettings } from './supervision.js';
import { HttpTlsSettings, MqttTlsSettings, TlsSettings } from './tls.js';
import { WebhookSettings } from './webhook.js';

// At most a day: a timer beyond 2^31 ms (~24.8 days) fires at once in Node.
const Seconds = (def: number, description: string) =>
  Type.Integer({ minimum: 1, maximum: 86_400, default: def, description });
const Port = (def: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 65_535, default: def, description });
// The protocol's priority (edge), so an alert's priority is one type from device to handset.
const PriorityName = Priority;

/**
 * The gateway configuration: the one place defaults live. Every key can be set in the YAML config
 * file or overridden from the environment (see `envName`), e.g. CAREEDGE_MQTT__PORT=1884.
 */
export const ConfigSchema = Type.Object(
  {
    siteFile: Type.String({
      default: '',
      description:
        'Site register YAML (residents, rooms, zones, devices, staff, roster). Empty: the example site.',
    }),
    dataDir: Type.String({
      default: 'var',
      description: 'Directory for the SQLite database (careedge.sqlite).',
    }),
    mqtt: Type.Object(
      {
        host: Type.String({
          default: '127.0.0.1',
          description:
            'Plain (unencrypted) MQTT listen address of the embedded broker; by default this machine only. Devices that cannot do TLS: set 0.0.0.0 explicitly; the others use mqtt.tls.',
        }),
        port: Port(1883, 'Plain MQTT port of the embedded broker (0 = any free port).'),
        tls: MqttTlsSettings,
        url: Type.String({
          default: '',
          description: 'External broker URL (mqtt://host:1883). Empty: run the embedded broker.',
        }),
        username: Type.String({
          default: 'gateway',
          description: "Gateway's username on an external broker.",
        }),
        password: Type.String({ default: '', description: "Gateway's password on an external broker." }),
        maxPacketBytes: Type.Integer({
          minimum: 1024,
          maximum: 16 * 1024 * 1024,
          default: 32 * 1024,
          description:
            'Largest MQTT packet the embedded broker accepts; a bigger one closes the connection before it is read into memory. Every protocol message is far smaller.',
        }),
        publishesPerSecond: Type.Integer({
          minimum: 1,
          maximum: 100_000,
          default: 20,
          description:
            'Messages a second one connection may publish on average; a client above it is disconnected. Alarms are never refused by it.',
        }),
        publishBurst: Type.Integer({
          minimum: 1,
          maximum: 100_000,
          default: 100,
          description: 'Messages one connection may publish at once above that average.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    http: Type.Object(
      {
        host: Type.String({
          default: '127.0.0.1',
          description:
            'Plain HTTP listen address: a loopback address only (127.0.0.1, ::1, localhost), for monitoring and local tools; the configuration check refuses any other. The site network reaches the API over HTTPS (http.tls).',
        }),
        port: Port(8080, 'Plain HTTP API and metrics port (0 = any free port).'),
        tls: HttpTlsSettings,
      },
      { additionalProperties: false, default: {} },
    ),
    rules: Type.Object(
      {
        file: Type.String({
          default: '',
          description:
            'Rules YAML (the anomaly rules and the call rules; reference in docs/rules.md). Empty: the example rules file, gateway/rules.example.yaml. Reloaded when it changes or on POST /api/v1/rules; a file that is not valid keeps the last good rules (at start: refuses the start). The settings below are the defaults of its `instant` and `heartbeat-missed` rules.',
        }),
        priority: Type.Object(
          {
            sos: { ...PriorityName, default: 'high' },
            fall: { ...PriorityName, default: 'high' },
            call: { ...PriorityName, default: 'medium' },
            emergencyCall: { ...PriorityName, default: 'high' },
          },
          {
            additionalProperties: false,
            default: {},
            description: 'Priority of the alert each rule raises.',
          },
        ),
        presenceLifetimeS: Seconds(
          3600,
          'Staff presence set in a room counts for this long unless cleared; a forgotten key must not turn later calls into emergency calls or let a reset close them.',
        ),
        supervision: SupervisionSettings,
        record: Type.Object(
          {
            enabled: Type.Boolean({
              default: false,
              description:
                'Record the accepted device stream (telemetry, events, heartbeats, status) as JSON lines, to replay a rule change on real data (`careedge replay`). Holds residents’ vitals: it stays on the gateway.',
            }),
            dir: Type.String({
              default: '',
              description: 'Directory of the recordings. Empty: <dataDir>/recordings.',
            }),
            maxFileMb: Type.Number({
              minimum: 1,
              maximum: 10_000,
              default: 64,
              description:
                'A recording file is closed and a new one started at this size (about 300,000 messages).',
            }),
            keepFiles: Type.Integer({
              minimum: 1,
              maximum: 10_000,
              default: 48,
              description: 'Recording files kept; the oldest is deleted when a new one starts.',
            }),
            keepFreeMb: Type.Number({
              minimum: 0,
              maximum: 10_000_000,
              default: 512,
              description:
                'Free space recording leaves on its disk, for the alarm database: below it the oldest recordings are deleted, and with none left recording pauses (logged once, in metrics) until there is room. 0: no reserve.',
            }),
          },
          { additionalProperties: false, default: {} },
        ),
        storm: Type.Object(
          {
            alerts: Type.Integer({
              minimum: 2,
              default: 50,
              description:
                'An alert storm begins when this many new alerts (from every rule, calls included) were raised within `windowS`. While it lasts, high-priority alerts and calls (SOS, fall, care-button and emergency calls, at any priority) are still dispatched one by one; other medium and low ones are held back from handsets and summarised to the shift supervisor in one alert-summary alert. Once the storm is over, those still open are dispatched, the most urgent first, at most alerts/2 − 1 per window.',
            }),
            windowS: Type.Integer({
              minimum: 1,
              maximum: 600,
              default: 10,
              description:
                'The sliding window the storm counts raises in. The storm is over once fewer than half of `alerts` were raised within the last window.',
            }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    dispatch: Type.Object(
      {
        ackTimeoutS: Type.Object(
          {
            high: Seconds(30, 'Escalate a high-priority alert not acknowledged within this time.'),
            medium: Seconds(120, 'Same for medium priority.'),
            low: Seconds(600, 'Same for low priority.'),
          },
          { additionalProperties: false, default: {} },
        ),
        attendTimeoutS: Seconds(
          180,
          'Remind the owner (and the supervisors on shift) when nobody arrived within this time of acknowledging.',
        ),
        remindersBeforeReturn: Type.Integer({
          minimum: 0,
          maximum: 10,
          default: 1,
          description:
            'Reminders without arrival after which the alert is taken back from its owner and escalates (her handset may be dead).',
        }),
        resolveTimeoutS: Seconds(
          1800,
          'Remind the owner (and the supervisors on shift) to close an alert with an outcome this long after arrival, and again each time.',
        ),
        sweepIntervalS: Seconds(
          15,
          'How often a safety net checks every open alert for a deadline that passed without its timer firing.',
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    reassurance: Type.Object(
      {
        useFirstName: Type.Boolean({
          default: true,
          description: 'Say who is coming ("Anna is on her way") rather than only "help is coming".',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    logins: Type.Object(
      {
        windowS: Seconds(600, 'Failed logins are counted over this window.'),
        freeFailures: Type.Integer({
          minimum: 0,
          maximum: 100,
          default: 3,
          description: 'Failed logins from one address before its answers are held back.',
        }),
        firstDelayMs: Type.Integer({
          minimum: 0,
          maximum: 60_000,
          default: 250,
          description: 'The first hold-back; it doubles with each further failure.',
        }),
        maxDelayMs: Type.Integer({
          minimum: 0,
          maximum: 60_000,
          default: 8000,
          description: 'Longest hold-back.',
        }),
        sourceLockAfter: Type.Integer({
          minimum: 1,
          maximum: 10_000,
          default: 10,
          description:
            'Failed logins for one username from one address in the window that lock that username out there (not the other devices behind the same address).',
        }),
        loginLockAfter: Type.Integer({
          minimum: 1,
          maximum: 10_000,
          default: 20,
          description:
            'Failed logins for one username (from any address) in the window that lock it, for the addresses that failed only: its own device or handset still gets in.',
        }),
        lockS: Seconds(60, 'The first lockout; it doubles for an address locked out again.'),
        maxLockS: Seconds(900, 'Longest lockout.'),
      },
      {
        additionalProperties: false,
        default: {},
        description:
          'Password guessing: slowed down, then locked out (MQTT logins). Console logins are locked out by the same counts, kept apart; their answers are not held back (the password hash and the per-address rate limit slow them).',
      },
    ),
    alerts: Type.Object(
      {
        archiveAfterDays: Type.Integer({
          minimum: 1,
          maximum: 36_500,
          default: 90,
          description:
            'Move resolved and cancelled alerts older than this out of the live table into the archive (checked at start-up and daily). The audit trail is kept in full; archived alerts stay readable through the API.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    forwarding: Type.Object(
      {
        influx: Type.Object(
          {
            url: Type.String({
              default: '',
              description:
                'InfluxDB base URL (http://host:8086), without a user or password in it. Empty: nothing is forwarded and the forwarding module does not start.',
            }),
            version: Type.Union([Type.Literal(1), Type.Literal(2)], {
              default: 2,
              description:
                '1: InfluxDB 1.x (v1 /write: database, retentionPolicy, username, password). 2: InfluxDB 2.x/3.x (v2 write API: org, bucket, token).',
            }),
            database: Type.String({ default: 'careedge', description: 'InfluxDB 1.x database.' }),
            retentionPolicy: Type.String({
              default: '',
              description: "InfluxDB 1.x retention policy; empty: the database's default.",
            }),
            username: Type.String({
              default: '',
              description: 'InfluxDB 1.x user; empty: no authentication.',
            }),
            password: Type.String({ default: '', description: 'InfluxDB 1.x password.' }),
            org: Type.String({ default: '', description: 'InfluxDB 2.x/3.x organisation.' }),
            bucket: Type.String({ default: '', description: 'InfluxDB 2.x/3.x bucket.' }),
            token: Type.String({ default: '', description: 'InfluxDB 2.x/3.x API token with write access.' }),
            timeoutMs: Type.Integer({
              minimum: 100,
              maximum: 300_000,
              default: 10_000,
              description: 'A write not answered within this time counts as failed (and is sent again).',
            }),
          },
          { additionalProperties: false, default: {} },
        ),
        residentKeySecret: Type.String({
          default: '',
          description:
            'Per-site secret of the pseudonymous resident, device and staff keys (HMAC-SHA256); at least 16 characters, required when forwarding. Keep it: a new secret starts new series.',
        }),
        outbox: Type.Object(
          {
            maxMb: Type.Number({
              minimum: 0.01,
              maximum: 1_000_000,
              default: 1024,
              description:
                'Points the outbox may hold (payload MB, about 10 million points per GB) before the oldest routine telemetry is dropped. Alert and workload points are never dropped.',
            }),
            keepFreeMb: Type.Number({
              minimum: 0,
              maximum: 10_000_000,
              default: 256,
              description:
                'Free space the outbox leaves on the disk of dataDir, for the alarm database beside it: below it, the oldest routine telemetry is dropped as at maxMb. 0: no reserve.',
            }),
            batchPoints: Type.Integer({
              minimum: 1,
              maximum: 100_000,
              default: 5000,
              description: 'Points per InfluxDB write request.',
            }),
            handOverMs: Type.Integer({
              minimum: 1,
              maximum: 10_000,
              default: 50,
              description:
                'The gateway hands collected points to the outbox thread this often (or at 2,000 points; and as soon as the last hand-over is stored while devices wait for their PUBACK): the most a crash can lose of points no device waits on (alert changes, health).',
            }),
            retryMinMs: Type.Integer({
              minimum: 1,
              maximum: 3_600_000,
              default: 1000,
              description: 'First wait after a failed write; it doubles per failure (with jitter).',
            }),
            retryMaxMs: Type.Integer({
              minimum: 1,
              maximum: 3_600_000,
              default: 10_000,
              description:
                'Longest wait between writes while InfluxDB fails. While the breaker is open only a one-point probe is sent per wait, so a short wait costs nothing and finds InfluxDB back within seconds.',
            }),
            breakerFailures: Type.Integer({
              minimum: 1,
              maximum: 1000,
              default: 3,
              description:
                'Failed writes in a row that open the circuit breaker: then only one small probe is sent per wait until InfluxDB answers.',
            }),
          },
          { additionalProperties: false, default: {} },
        ),
        deviceStatusEveryS: Seconds(
          60,
          'Battery, signal and skin contact are forwarded from telemetry at most this often per device.',
        ),
        healthIntervalS: Seconds(10, 'Gateway health is sampled and forwarded this often.'),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'Time series to InfluxDB through a durable outbox (docs/time-series.md).',
      },
    ),
    uplink: Type.Object(
      {
        url: Type.String({
          default: '',
          description:
            "Head office's MQTT broker (mqtt://host:1883 or mqtts://host:8883). Empty: nothing goes up and the uplink module does not start.",
        }),
        clientId: Type.String({
          default: '',
          description: 'MQTT client id on that broker; empty: careedge-<site id>.',
        }),
        username: Type.String({ default: '', description: 'Username on that broker; empty: none.' }),
        password: Type.String({ default: '', description: 'Password on that broker.' }),
        caFile: Type.String({
          default: '',
          description:
            "PEM file of the certificate authority the broker's TLS certificate is checked against (mqtts:// only); empty: the system's.",
        }),
        topicPrefix: Type.String({
          default: 'careedge/uplink/v1',
          pattern: '^[^#+]+$',
          description:
            'Topics are <topicPrefix>/<site id>/alerts and <topicPrefix>/<site id>/kpis (QoS 1). No MQTT wildcards.',
        }),
        alerts: Type.Boolean({ default: true, description: 'Send every alert lifecycle change up.' }),
        kpis: Type.Boolean({ default: true, description: 'Send a KPI summary up every kpiIntervalS.' }),
        kpiIntervalS: Seconds(60, 'Length of the period each KPI summary covers.'),
        maxQueued: Type.Integer({
          minimum: 10,
          maximum: 10_000_000,
          default: 100_000,
          description:
            'Messages the uplink queue (<dataDir>/uplink.sqlite, about 1 KB each) may hold while the broker is unreachable. Full: the oldest KPI summary goes first; only when none is left the oldest alert change, counted, logged and shown on /healthz.',
        }),
        keepFreeMb: Type.Number({
          minimum: 0,
          maximum: 10_000_000,
          default: 256,
          description:
            'Free space the uplink queue leaves on the disk of dataDir, for the alarm database beside it: below it the queue counts as full (see maxQueued) and does not grow. 0: no reserve.',
        }),
        retryMinMs: Type.Integer({
          minimum: 1,
          maximum: 3_600_000,
          default: 1000,
          description: 'First wait before connecting again; it doubles per failure (with jitter).',
        }),
        retryMaxMs: Type.Integer({
          minimum: 1,
          maximum: 3_600_000,
          default: 60_000,
          description: 'Longest wait between connection attempts.',
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description:
          'Alert changes and KPI summaries, pseudonymous (keys from forwarding.residentKeySecret), to a head office MQTT broker through a durable queue (docs/uplink.md).',
      },
    ),
    auth: AuthSettings,
    tls: TlsSettings,
    serial: SerialSettings,
    gpio: GpioSettings,
    feedback: FeedbackSettings,
    sms: SmsSettings,
    webhook: WebhookSettings,
    log: Type.Object(
      {
        level: Type.Union(
          [
            Type.Literal('fatal'),
            Type.Literal('error'),
            Type.Literal('warn'),
            Type.Literal('info'),
            Type.Literal('debug'),
            Type.Literal('trace'),
            Type.Literal('silent'),
          ],
          { default: 'info', description: 'Log level; logs are JSON lines (pretty when run in a terminal).' },
        ),
        rejectLogIntervalS: Seconds(
          60,
          'Log a given kind of rejected message at most once per device per interval.',
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type GatewayConfig = Static<typeof ConfigSchema>;
