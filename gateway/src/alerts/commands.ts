import { ERROR_CATALOGUE, type ErrorCode, isProvisionalAlertId, type Outcome } from '@careedge/edge';
import type { Logger } from '../core/logger.js';
import { AlertError, provisionalAlertError } from './errors.js';
import type { Alert } from './model.js';
import type { AlertService } from './service.js';

/**
 * What staff do with an alert, however they say it: a handset reply over MQTT today; the HTTP
 * API, the staff console and kiosks later. Each transport decodes its input into one of these.
 */
export type AlertCommand = { alertId: number } & (
  | { action: 'received' }
  | { action: 'accept' }
  | { action: 'decline'; reason?: string }
  | { action: 'arrive' }
  | { action: 'resolve'; outcome: Outcome; note?: string }
  | { action: 'handover'; to: string; note?: string }
  | { action: 'reassign'; to: string; note?: string }
  | { action: 'note'; text: string }
);

/**
 * Who gives the command, and how: a handset reply names only the staff member; the console (a
 * logged-in session over HTTP) adds `via`, which the audit trail records with each row.
 */
export type CommandActor = { kind: 'staff'; id: string; via?: 'console' };

export interface CommandError {
  code: ErrorCode;
  message: string;
  /** The HTTP status of the code, from the catalogue. */
  status: number;
}

export type CommandResult = { ok: true; alert: Alert } | { ok: false; error: CommandError };

/** What must follow a command outside the alert lifecycle (the dispatcher moving a declined alert on). */
export interface CommandFollowUps {
  afterDecline(alertId: number): void;
}

const commandError = (code: ErrorCode, message: string): CommandError => ({
  code,
  message,
  status: ERROR_CATALOGUE[code].status,
});

/**
 * The one path for alert commands: checks what no transport should check twice (a provisional
 * alert number), runs the command against the alert service with its follow-ups, and turns every
 * refusal into a catalogue error. Never throws: every caller must be able to answer.
 */
export class AlertCommands {
  constructor(
    private readonly alerts: AlertService,
    private readonly followUps: CommandFollowUps,
    private readonly log: Logger,
  ) {}

  execute(actor: CommandActor, command: AlertCommand): CommandResult {
    const context = { actor: actor.id, action: command.action, alertId: command.alertId };
    try {
      return { ok: true, alert: this.alerts.via(actor.via, () => this.run(actor.id, command)) };
    } catch (err) {
      if (err instanceof AlertError) {
        this.log.info({ ...context, code: err.code }, err.message);
        return { ok: false, error: commandError(err.code, err.message) };
      }
      // Still answered, so whoever asked sees the failure and can try again.
      this.log.error({ ...context, err }, 'alert command failed');
      return {
        ok: false,
        error: commandError('internal-error', 'the gateway could not record this; please try again'),
      };
    }
  }

  private run(staffId: string, command: AlertCommand): Alert {
    const { alerts } = this;
    const id = command.alertId;
    if (isProvisionalAlertId(id)) {
      throw provisionalAlertError(id, 'it cannot be accepted');
    }
    switch (command.action) {
      case 'received':
        alerts.received(id, staffId);
        return alerts.get(id);
      case 'accept':
        return alerts.acknowledge(id, staffId);
      case 'decline': {
        const alert = alerts.decline(id, staffId, command.reason);
        try {
          this.followUps.afterDecline(id);
        } catch (err) {
          // The decline is recorded; the alert's own deadline still moves it on.
          this.log.error({ err, alertId: id }, 'could not move a declined alert on at once');
        }
        return alert;
      }
      case 'arrive':
        return alerts.attend(id, staffId);
      case 'resolve':
        return alerts.resolve(id, staffId, command.outcome, command.note);
      case 'handover':
        return alerts.handover(id, staffId, command.to, command.note);
      case 'reassign':
        return alerts.reassign(id, staffId, command.to, command.note);
      case 'note':
        alerts.note(id, staffId, command.text);
        return alerts.get(id);
    }
  }
}
