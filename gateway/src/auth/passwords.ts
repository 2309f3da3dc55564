import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/*
 * Console passwords are chosen by people, unlike device secrets (register/credentials.ts, salted
 * SHA-256 on purpose): a slow, memory-hard hash is what stands between a stolen card image and
 * the passwords. scrypt from node:crypto rather than argon2id: the issue allows either, it needs
 * no native module on the Pi, and it runs on libuv's thread pool, so a login never blocks the
 * event loop that carries the alarms.
 */

const SCHEME = 'scrypt';
const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** N = 2^15, r = 8: 32 MiB and about 60–100 ms on a Raspberry Pi 4 (OWASP's scrypt minimum is 2^17 with r 8 and p 1 at 128 MiB; 32 MiB leaves the Pi's memory to the alarms). */
export const DEFAULT_COST = { N: 2 ** 15, r: 8, p: 1 } as const;

export type ScryptCost = { N: number; r: number; p: number };

export { PasswordHashPattern } from '../core/password-format.js';

const derive = (password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    // maxmem: scrypt needs 128 · N · r bytes; Node's default cap (32 MiB) is exactly N 2^15, r 8.
    const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });

/** Hashes a password with a fresh salt. */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost);
  return [SCHEME, cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

function parse(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== SCHEME) return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  // Bounds keep a tampered row from asking for gigabytes or for ever.
  if (!Number.isInteger(Math.log2(N)) || N < 2 ** 10 || N > 2 ** 20) return undefined;
  if (!Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 4) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  if (salt.length !== SALT_BYTES || key.length !== KEY_BYTES) return undefined;
  return { cost: { N, r, p }, salt, key };
}

/** A hash of nothing anybody knows, checked for unknown users so the answer takes as long. */
let dummy: Promise<string> | undefined;
export const dummyHash = (): Promise<string> => {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
};

/** True when `password` matches `stored`; false for any malformed stored value. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) {
    await verifyPassword(password, await dummyHash()); // the same time as a real check
    return false;
  }
  const key = await derive(password, parsed.salt, parsed.cost);
  return timingSafeEqual(key, parsed.key);
}

/** Whether a stored hash is cheaper than `cost` (a weaker past default): rehash at the next login. */
export function needsRehash(stored: string, cost: ScryptCost = DEFAULT_COST): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.cost.N < cost.N || parsed.cost.r < cost.r;
}

/** Why a new password is refused, or undefined. Length over rules (NIST SP 800-63B). */
export function passwordProblem(password: string, staffId: string): string | undefined {
  if (password.length < 10) return 'must be at least 10 characters';
  if (password.length > 256) return 'must be at most 256 characters';
  if (staffId && password.toLowerCase().includes(staffId.toLowerCase()))
    return 'must not contain the staff id';
  if (new Set(password).size < 4) return 'must not repeat the same few characters';
  return undefined;
}
