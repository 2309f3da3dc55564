import type { Principal } from '../register/types.js';

/**
 * The login a client id is bound to: the longest login L for which the id is `L` or `L-<suffix>`.
 * Binding ids to logins means no login can hold another's ids (a wristband connecting first as
 * `anna-phone` would otherwise lock Anna's handset out), and taking the longest match keeps
 * `anna-phone-1` for a login named `anna-phone` if the site has one, not for `anna`.
 */
export function clientIdLogin(clientId: string, isLogin: (id: string) => boolean): string | undefined {
  if (isLogin(clientId)) return clientId;
  for (let i = clientId.lastIndexOf('-'); i > 0; i = clientId.lastIndexOf('-', i - 1)) {
    const prefix = clientId.slice(0, i);
    if (isLogin(prefix)) return prefix;
  }
  return undefined;
}

/**
 * Which login owns each MQTT client id. A CONNECT with a client id already in use takes over that
 * session: the broker closes the old connection [MQTT-3.1.4-2] and, for a persistent session,
 * hands over its subscriptions and queued messages. Without this check any device could kick a
 * handset off the broker, or connect as `careedge-gateway-<site>` while the gateway reconnects and
 * consume (and so lose) the alarms queued for it. So a client id belongs to the login that uses it
 * first, while it is connected or has a persistent session; the same login may take it over
 * again, and the gateway may take over any id (it is trusted, and must never be locked out).
 */
export class ClientIdOwners {
  readonly #owners = new Map<string, { login: string; connection: object; persistent: boolean }>();

  constructor(private readonly isLogin: (id: string) => boolean) {}

  /**
   * Claims `clientId` for a connection. Refused (with the reason) when the id is not bound to
   * this login (see clientIdLogin) or another login holds it; the gateway may use any id.
   */
  claim(clientId: string, principal: Principal, connection: object, clean: boolean): string | undefined {
    if (principal.kind !== 'gateway' && clientIdLogin(clientId, this.isLogin) !== principal.id) {
      return `client id "${clientId}" is not "${principal.id}" or "${principal.id}-<suffix>"`;
    }
    const login = principal.kind === 'gateway' ? 'gateway' : `${principal.kind}:${principal.id}`;
    const owner = this.#owners.get(clientId);
    if (owner && owner.login !== login && principal.kind !== 'gateway') {
      return `client id "${clientId}" is in use by another login`;
    }
    this.#owners.set(clientId, { login, connection, persistent: !clean });
    return undefined;
  }

  /** A connection ended: its client id is free again unless a persistent session stays behind. */
  release(clientId: string, connection: object): void {
    const owner = this.#owners.get(clientId);
    // A takeover by the same login replaced the connection; the newer one still holds the id.
    if (owner && owner.connection === connection && !owner.persistent) this.#owners.delete(clientId);
  }

  get size(): number {
    return this.#owners.size;
  }
}
