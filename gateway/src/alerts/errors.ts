/** The error catalogue of the alert lifecycle: a stable code for machines, a sentence for people. */
export type AlertErrorCode =
  | 'alert-not-found'
  | 'illegal-transition'
  | 'not-owner'
  | 'unknown-staff'
  | 'not-dispatched-to-you'
  | 'not-on-shift'
  | 'invalid-handover'
  /** A provisional number of an alarm the gateway could not store: nothing to accept or resolve. */
  | 'alert-unrecorded';

export class AlertError extends Error {
  constructor(
    readonly code: AlertErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AlertError';
  }
}
