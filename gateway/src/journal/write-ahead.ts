import { alarmDeviceOf } from '@careedge/edge';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';
import type { AlarmContext, AlarmJournal } from './alarm-journal.js';

/**
 * Records a message in the journal when it is an alarm and resolves once it is committed; returns
 * undefined at once for everything else. It never rejects: see alarmWriteAhead.
 */
export interface WriteAhead {
  (topic: string, payload: Buffer): Promise<void> | undefined;
  /**
   * Called once a written-ahead message was handed on, before it is acknowledged: makes sure the
   * journal entry is on the disk (see AlarmJournal.durable). Never throws.
   */
  durable(): void;
}

/**
 * The broker's write-ahead for alarms: journals each device alarm before it is acknowledged.
 *
 * When the journal cannot be written (disk full, card gone read-only) the alarm is let through
 * unjournaled, logged and counted: refusing or holding it would keep it from the carer now for
 * the sake of a crash that may never come, and the in-memory path still takes it to a person.
 */
export function alarmWriteAhead(
  journal: AlarmJournal,
  log: Logger,
  registry: Registry,
  /** Whom and where the device's alarm is for now, kept with the entry for a replay. */
  contextOf: (deviceId: string) => AlarmContext | undefined = () => undefined,
): WriteAhead {
  const recorded = new Counter({
    registers: [registry],
    name: 'careedge_alarm_journal_records_total',
    help: 'Device alarms written to the journal before their PUBACK, by result (ok, failed).',
    labelNames: ['result'] as const,
  });
  const record = (topic: string, payload: Buffer) => {
    const deviceId = alarmDeviceOf(topic, payload);
    if (deviceId === undefined) return undefined;
    return journal.record(deviceId, topic, payload, contextOf(deviceId)).then(
      () => {
        recorded.inc({ result: 'ok' });
      },
      (err: unknown) => {
        recorded.inc({ result: 'failed' });
        log.error(
          { err, device: deviceId, topic },
          'could not write an alarm to the journal; it is passed on, but a crash now would lose it',
        );
      },
    );
  };
  const durable = () => {
    try {
      journal.durable();
    } catch (err) {
      recorded.inc({ result: 'failed' });
      log.error(
        { err },
        'could not sync the alarm journal; the alarm is acknowledged, but a power cut now would lose it',
      );
    }
  };
  return Object.assign(record, { durable });
}
