import type { ErrorCode } from '@careedge/edge';

export type { ErrorCode } from '@careedge/edge';

/**
 * A refused command, with its code from the one error catalogue (edge/src/protocol/errors.ts),
 * which also gives its HTTP status: a stable code for machines, a sentence for people.
 */
export class AlertError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AlertError';
  }
}

/**
 * A number handed out from memory while storage failed: the alarm is real, but there is no record
 * to act on or show. `what` says what cannot be done with it.
 */
export const provisionalAlertError = (id: number, what: string) =>
  new AlertError(
    'alert-unrecorded',
    `alert ${id} is provisional: the gateway could not store it, so ${what}; go to the resident and tell the others by voice`,
  );
