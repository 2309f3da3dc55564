import type { Clock } from '../clock.js';
import { CareButton } from '../devices/care-button.js';
import { Handset } from '../devices/handset.js';
import type { HandsetBehaviour } from '../devices/handset-policy.js';
import { Wristband } from '../devices/wristband.js';
import type { SimSite } from '../site/sim-site.js';

/** Every device and handset of a site, simulated. */
export interface Fleet {
  devices: Map<string, Wristband | CareButton>;
  handsets: Map<string, Handset>;
}

export interface FleetOptions {
  site: SimSite;
  url: string;
  /** With an mqtts:// url: the certificate to trust (see SimClientOptions.caFile). */
  caFile?: string;
  clock: Clock;
  behaviourFor: (staffId: string) => HandsetBehaviour;
  heartbeatS?: number | false;
}

export function createFleet({
  site,
  url,
  caFile,
  clock,
  behaviourFor,
  heartbeatS = 60,
}: FleetOptions): Fleet {
  const common = { url, ...(caFile ? { caFile } : {}), siteId: site.id, clock };
  const devices = new Map<string, Wristband | CareButton>();
  for (const d of site.devices) {
    const opts = { ...common, id: d.id, secret: d.secret, heartbeatS };
    devices.set(d.id, d.kind === 'wristband' ? new Wristband(opts) : new CareButton(opts));
  }
  const handsets = new Map<string, Handset>();
  for (const s of site.staff) {
    handsets.set(s.id, new Handset({ ...common, id: s.id, secret: s.secret, behaviour: behaviourFor(s.id) }));
  }
  return { devices, handsets };
}

const all = (fleet: Fleet) => [...fleet.devices.values(), ...fleet.handsets.values()];

/** Connects everyone; if anyone cannot connect, closes the rest and reports who failed. */
export async function connectFleet(fleet: Fleet): Promise<void> {
  const results = await Promise.allSettled(all(fleet).map((c) => c.connect()));
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failed.length > 0) {
    await closeFleet(fleet);
    throw new Error(
      `could not connect ${failed.length} simulated client(s):\n  ${failed.slice(0, 5).join('\n  ')}`,
    );
  }
}

export async function closeFleet(fleet: Fleet): Promise<void> {
  await Promise.allSettled(all(fleet).map((c) => c.close()));
}
