/**
 * A console password hash as auth/passwords.ts writes it: `scrypt$N$r$p$<salt>$<key>`, salt and
 * key base64url without padding. Here so the site file's schema (register) can check one.
 */
export const PasswordHashPattern =
  '^scrypt\\$[0-9]+\\$[0-9]+\\$[0-9]+\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$';
