import type { Clock } from '../clock.js';
import { CareButton } from '../devices/care-button.js';
import { Handset } from '../devices/handset.js';
import type { HandsetBehaviour } from '../devices/handset-policy.js';
import { Kiosk } from '../devices/kiosk.js';
import { Wristband } from '../devices/wristband.js';
import { SerialBaseStation } from '../serial/serial-base-station.js';
import { SerialWristband, WiredKiosk } from '../serial/serial-devices.js';
import type { SimSite } from '../site/sim-site.js';

/** A simulated device: over MQTT, or behind a serial base station (`via` in the site file). */
export type FleetDevice = Wristband | CareButton | Kiosk | SerialWristband | WiredKiosk;

/** Every device and handset of a site, simulated. */
export interface Fleet {
  devices: Map<string, FleetDevice>;
  handsets: Map<string, Handset>;
  /** Serial base stations (only with `serialPath`). */
  stations: Map<string, SerialBaseStation>;
}

export interface FleetOptions {
  site: SimSite;
  url: string;
  /** With an mqtts:// url: the certificate to trust (see SimClientOptions.caFile). */
  caFile?: string;
  clock: Clock;
  behaviourFor: (staffId: string) => HandsetBehaviour;
  heartbeatS?: number | false;
  /**
   * The base station's end of a serial line (a PTY pair's `b`): the site's base station is
   * simulated on it, with the devices `via` it behind. Without it those devices are left out.
   */
  serialPath?: string;
}

export function createFleet({
  site,
  url,
  caFile,
  clock,
  behaviourFor,
  heartbeatS = 60,
  serialPath,
}: FleetOptions): Fleet {
  const common = { url, ...(caFile ? { caFile } : {}), siteId: site.id, clock };
  const stations = new Map<string, SerialBaseStation>();
  if (serialPath) {
    const used = new Set(site.devices.flatMap((d) => (d.via ? [d.via] : [])));
    if (used.size > 1)
      throw new Error(`one serial line is simulated, but devices talk through ${[...used].join(', ')}`);
    for (const d of site.devices.filter((x) => used.has(x.id)))
      stations.set(
        d.id,
        new SerialBaseStation({ path: serialPath, baseStationId: d.id, secret: d.secret, clock }),
      );
  }
  const devices = new Map<string, FleetDevice>();
  for (const d of site.devices) {
    if (d.kind === 'base-station') continue; // its own link, above
    if (d.via) {
      const station = stations.get(d.via);
      if (!station) continue;
      if (d.kind === 'wristband') devices.set(d.id, new SerialWristband(d.id, station, clock));
      else if (d.kind === 'kiosk') devices.set(d.id, new WiredKiosk(d.id, station, clock));
      else throw new Error(`${d.id}: a ${d.kind} behind a base station is not simulated`);
      continue;
    }
    const opts = { ...common, id: d.id, secret: d.secret, heartbeatS };
    if (d.kind === 'wristband') devices.set(d.id, new Wristband(opts));
    else if (d.kind === 'kiosk') devices.set(d.id, new Kiosk(opts));
    else devices.set(d.id, new CareButton(opts));
  }
  const handsets = new Map<string, Handset>();
  for (const s of site.staff) {
    handsets.set(s.id, new Handset({ ...common, id: s.id, secret: s.secret, behaviour: behaviourFor(s.id) }));
  }
  return { devices, handsets, stations };
}

/** The MQTT clients of the fleet. */
const clients = (fleet: Fleet) => [
  ...[...fleet.devices.values()].filter(
    (d): d is Wristband | CareButton | Kiosk => !(d instanceof SerialWristband || d instanceof WiredKiosk),
  ),
  ...fleet.handsets.values(),
];

/** Connects everyone; if anyone cannot connect, closes the rest and reports who failed. */
export async function connectFleet(fleet: Fleet): Promise<void> {
  const results = await Promise.allSettled([
    ...clients(fleet).map((c) => c.connect()),
    ...[...fleet.stations.values()].map((s) => s.start()),
  ]);
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failed.length > 0) {
    await closeFleet(fleet);
    throw new Error(
      `could not connect ${failed.length} simulated client(s):\n  ${failed.slice(0, 5).join('\n  ')}`,
    );
  }
}

export async function closeFleet(fleet: Fleet): Promise<void> {
  for (const s of fleet.stations.values()) s.close();
  await Promise.allSettled(clients(fleet).map((c) => c.close()));
}
