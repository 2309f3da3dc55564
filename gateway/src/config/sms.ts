import { Type } from '@sinclair/typebox';

/**
 * An international phone number in E.164 form (`+` and up to 15 digits, no leading zero), as the
 * modem's `AT+CMGS` takes it and as staff phones are written in the site file.
 */
export const E164Pattern = '^\\+[1-9][0-9]{1,14}$';

const Int = (minimum: number, maximum: number, def: number, description: string) =>
  Type.Integer({ minimum, maximum, default: def, description });

/** SMS through a serial GSM modem (gateway/src/sms/): the last-resort channel, internet or not. */
export const SmsSettings = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description:
        'Open the GSM modem on `sms.port` and keep it ready to send text messages (AT commands, text mode). Optional: a missing or dead modem is a warning on /healthz, never a stop of the alarm path.',
    }),
    port: Type.String({
      default: '',
      description:
        'Serial device path of the modem; a /dev/serial/by-id/… path survives replugging into another socket. Required when enabled.',
    }),
    baudRate: Int(1200, 4_000_000, 115_200, 'Baud rate of the modem’s serial line.'),
    commandTimeoutS: Int(
      1,
      600,
      5,
      'An AT command (or the `> ` prompt of AT+CMGS) not answered within this: the modem hung. A pending prompt is aborted (ESC), the port is opened again, the modem set up again (AT, ATE0, AT+CMGF=1, AT+CSCS="GSM") and the message retried.',
    ),
    sendTimeoutS: Int(
      1,
      600,
      60,
      'A message handed to the modem (text and Ctrl-Z) not confirmed with `+CMGS` within this: the modem hung (handled as above). The network may take tens of seconds to accept a message.',
    ),
    maxAttempts: Int(
      1,
      20,
      3,
      'Times one message is tried (ERROR, +CMS ERROR, no answer) before it is given up as failed.',
    ),
    retryDelayS: Int(
      1,
      3600,
      5,
      'Wait before a failed message is tried again; it doubles per attempt. Messages behind it wait too (one at a time, in order).',
    ),
    queueLimit: Int(
      1,
      10_000,
      50,
      'Messages waiting for the modem; beyond this a send is refused at once (counted) rather than held in memory without bound.',
    ),
    reconnectMinMs: Int(
      1,
      3_600_000,
      500,
      'First wait before opening the modem’s port again after it closed or hung; it doubles per failure, with jitter.',
    ),
    reconnectMaxMs: Int(1, 3_600_000, 10_000, 'Longest wait between attempts to open the modem’s port.'),
  },
  { additionalProperties: false, default: {}, description: 'SMS through a serial GSM modem.' },
);

/** Rules between SMS settings that the schema cannot state, as `path: message` lines. */
export function smsProblems(s: {
  enabled: boolean;
  port: string;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}): string[] {
  const problems: string[] = [];
  if (s.enabled && s.port === '') problems.push('sms.port: required when sms.enabled is true');
  if (s.reconnectMinMs > s.reconnectMaxMs)
    problems.push('sms.reconnectMinMs: must not be above sms.reconnectMaxMs');
  return problems;
}
