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
