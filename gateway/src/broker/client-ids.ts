import type { Principal } from '../register/types.js';

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

  /** Claims `clientId` for a connection; false when another login holds it. */
  claim(clientId: string, principal: Principal, connection: object, clean: boolean): boolean {
    const login = principal.kind === 'gateway' ? 'gateway' : `${principal.kind}:${principal.id}`;
    const owner = this.#owners.get(clientId);
    if (owner && owner.login !== login && principal.kind !== 'gateway') return false;
    this.#owners.set(clientId, { login, connection, persistent: !clean });
    return true;
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
