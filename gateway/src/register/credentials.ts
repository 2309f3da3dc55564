import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Device and handset secrets are stored as salted SHA-256, not scrypt/argon2, on purpose.
 *
 * These secrets are not passwords people choose: they are random, high-entropy tokens (like API
 * tokens; `generateSecret()` gives 256 bits and the site file refuses secrets shorter than 16
 * characters), so a slow hash buys nothing against guessing — there is nothing to guess. What a
 * slow hash would cost is real: after a Wi-Fi outage ~2,000 wristbands, buttons and handsets
 * reconnect within seconds, and at ~50 ms of CPU per scrypt check a Raspberry Pi would spend over
 * a minute re-admitting them while SOS messages queue. One SHA-256 is microseconds. The salt keeps
 * equal secrets from having equal hashes and defeats precomputed tables.
 */

const SCHEME = 'sha256';
const SALT_BYTES = 16;

/** `sha256$<salt>$<digest>`, both base64url without padding: what the site file's `secretHash` holds. */
export const SecretHashPattern = '^sha256\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$';

function digest(salt: Buffer, secret: string): Buffer {
  return createHash('sha256').update(salt).update(secret, 'utf8').digest();
}

/** Hashes a secret with a fresh random 16-byte salt. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(SALT_BYTES);
  return `${SCHEME}$${salt.toString('base64url')}$${digest(salt, secret).toString('base64url')}`;
}

/** True when `secret` matches a `hashSecret` result; false for any malformed stored value. */
export function verifySecret(secret: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 3 || parts[0] !== SCHEME) return false;
  const salt = Buffer.from(parts[1]!, 'base64url');
  const expected = Buffer.from(parts[2]!, 'base64url');
  if (salt.length !== SALT_BYTES || expected.length !== 32) return false;
  // Constant-time comparison: the time taken must not reveal how many leading bytes matched.
  return timingSafeEqual(digest(salt, secret), expected);
}

/** A new random secret for a device or handset: 32 bytes, base64url (43 characters). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
