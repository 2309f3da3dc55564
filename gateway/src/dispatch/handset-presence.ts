import type { Reachability } from './plan.js';

/**
 * Which handsets said they are offline: their `status` topic (an MQTT last will when the handset
 * drops off the Wi-Fi, or a clean logout). Unknown handsets count as reachable: after a gateway
 * restart nobody has spoken yet, and skipping everyone would be worse than waiting.
 */
export class HandsetPresence implements Reachability {
  private readonly offline = new Set<string>();

  set(staffId: string, state: 'online' | 'offline'): void {
    if (state === 'offline') this.offline.add(staffId);
    else this.offline.delete(staffId);
  }

  isOffline(staffId: string): boolean {
    return this.offline.has(staffId);
  }
}
