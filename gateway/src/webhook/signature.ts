import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `x-careedge-signature`: `sha256=` and the hex HMAC-SHA256, keyed with the configured secret, of
 * `<x-careedge-timestamp>.<raw body>`. The timestamp is in the signed material so a captured
 * request cannot be replayed later with a fresh timestamp; a receiver also refuses one whose
 * timestamp is far from its own clock (README: "Webhook for paging systems").
 */
export function signature(secret: string, timestamp: number, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** What a receiver does, in a constant-time comparison: for the tests, and as the reference. */
export function verifySignature(
  secret: string,
  timestamp: string,
  body: Uint8Array,
  header: string,
): boolean {
  if (!/^\d+$/.test(timestamp)) return false;
  const expected = Buffer.from(signature(secret, Number(timestamp), body));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
