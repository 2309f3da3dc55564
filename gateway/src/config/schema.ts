import { type Static, Type } from '@sinclair/typebox';

// At most a day: a timer beyond 2^31 ms (~24.8 days) fires at once in Node.
const Seconds = (def: number, description: string) =>
  Type.Integer({ minimum: 1, maximum: 86_400, default: def, description });
const Port = (def: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 65_535, default: def, description });
const PriorityName = Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]);

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
        host: Type.String({ default: '0.0.0.0', description: 'Embedded broker listen address.' }),
        port: Port(1883, 'Embedded broker TCP port (0 = any free port).'),
        url: Type.String({
          default: '',
          description: 'External broker URL (mqtt://host:1883). Empty: run the embedded broker.',
        }),
        username: Type.String({
          default: 'gateway',
          description: "Gateway's username on an external broker.",
        }),
        password: Type.String({ default: '', description: "Gateway's password on an external broker." }),
      },
      { additionalProperties: false, default: {} },
    ),
    http: Type.Object(
      {
        host: Type.String({
          default: '127.0.0.1',
          description:
            'HTTP listen address. The API has no login yet, so by default only this machine can reach it.',
        }),
        port: Port(8080, 'HTTP API and metrics port (0 = any free port).'),
      },
      { additionalProperties: false, default: {} },
    ),
    rules: Type.Object(
      {
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
          'Send an acknowledged alert again when nobody arrived within this time.',
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
