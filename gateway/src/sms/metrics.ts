import { Counter, Gauge, type Registry } from 'prom-client';

/** What the SMS modem counts, on the gateway's registry. */
export function smsMetrics(registry: Registry) {
  const reg = { registers: [registry] };
  return {
    ready: new Gauge({
      ...reg,
      name: 'careedge_sms_modem_ready',
      help: 'Whether the GSM modem is open and set up to send (1) or not (0: port down, not answering, being set up).',
    }),
    messages: new Counter({
      ...reg,
      name: 'careedge_sms_messages_total',
      help: 'Messages by result: sent (the modem answered +CMGS), failed (every attempt failed), refused (not a valid E.164 number, queue full, stopped before it was sent).',
      labelNames: ['result'] as const,
    }),
    attempts: new Counter({
      ...reg,
      name: 'careedge_sms_attempts_total',
      help: 'Attempts to send a message by result: sent, error (ERROR), cms-error (+CMS ERROR, +CME ERROR), timeout (the modem hung), port-lost.',
      labelNames: ['result'] as const,
    }),
    queued: new Gauge({
      ...reg,
      name: 'careedge_sms_queued',
      help: 'Messages waiting for the modem, the one being sent included.',
    }),
    hangs: new Counter({
      ...reg,
      name: 'careedge_sms_modem_hangs_total',
      help: 'Times the modem did not answer in time and its port was opened again.',
    }),
    unsolicited: new Counter({
      ...reg,
      name: 'careedge_sms_unsolicited_lines_total',
      help: 'Lines from the modem that answered nothing asked (RING, +CMTI, ^BOOT, line noise); ignored.',
    }),
  };
}

export type SmsMetrics = ReturnType<typeof smsMetrics>;
