/**
 * What became of one attempt of a delivery, committed to the webhook table before it is told:
 * `sent` (the endpoint answered 2xx), `failed` (it will be tried again at `nextAttemptAt`),
 * `dead` (given up: a permanent refusal, or maxAttempts reached; kept as a dead letter).
 * The delivery ledger of the dispatch channels consumes these.
 */
export interface WebhookOutcome {
  deliveryId: string;
  alertId: number | null;
  event: string;
  outcome: 'sent' | 'failed' | 'dead';
  /** The attempt this outcome is of (1 for the first). */
  attempt: number;
  /** Gateway clock when it was recorded. */
  at: number;
  /** The endpoint's HTTP status, when it answered. */
  status?: number;
  /** Why it failed (failed, dead). */
  error?: string;
  /** failed: when it is tried again. */
  nextAttemptAt?: number;
}

/** What webhook/ publishes on the bus. */
export interface WebhookEvents {
  'webhook:delivery': [WebhookOutcome];
}
