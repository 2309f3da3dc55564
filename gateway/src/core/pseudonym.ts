import { createHmac } from 'node:crypto';

/**
 * Pseudonymous keys for residents, devices, staff and alerts: HMAC-SHA256 of the id with the site's
 * secret (`forwarding.residentKeySecret`), truncated to 16 hex digits (64 bits: no collision
 * among a site's few hundred ids). Without the secret a key cannot be traced back to a person by
 * trying ids; with it, the site can. The same id gives the same key for as long as the secret is
 * kept, so series continue across restarts. Memoised: the ids are the register's, a bounded set
 * (alert keys are not memoised: alerts keep coming). In core/ because every module that lets data
 * leave the site (forwarding, uplink) keys people the same way, with the one secret.
 */
export class Pseudonyms {
  private readonly cache = new Map<string, string>();

  constructor(private readonly secret: string) {}

  key(kind: 'resident' | 'device' | 'staff' | 'alert', id: string): string {
    const k = `${kind}:${id}`;
    if (kind === 'alert') return this.hmac(k);
    let v = this.cache.get(k);
    if (v === undefined) {
      v = this.hmac(k);
      this.cache.set(k, v);
    }
    return v;
  }

  private hmac(k: string): string {
    return createHmac('sha256', this.secret).update(k).digest('hex').slice(0, 16);
  }
}
