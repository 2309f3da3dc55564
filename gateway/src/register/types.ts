/** The site register: who and what is in the building. Loaded from the site YAML into SQLite. */

export type { DeviceKind } from '@careedge/edge';

import type { DeviceKind } from '@careedge/edge';
export type StaffRole = 'carer' | 'nurse' | 'supervisor';

/** The care centre this gateway serves. Local times (rosters) are read in `timezone`. */
export interface Site {
  id: string;
  name: string;
  /** IANA time zone, e.g. `Europe/London`. */
  timezone: string;
}

export interface Zone {
  id: string;
  name: string;
}

export interface Room {
  id: string;
  name: string;
  zoneId: string;
}

export interface Resident {
  id: string;
  name: string;
  roomId: string;
  /** false: the resident did not consent to vitals leaving the gateway (absent: consent). */
  forwardVitals?: false;
  /** Flagged at risk of wandering at night (the night-wandering rule); absent: not flagged. */
  nightWanderingRisk?: true;
}

export interface Device {
  id: string;
  kind: DeviceKind;
  /** A wristband belongs to a resident; a care button or kiosk to a room; a base station may name one. */
  residentId?: string;
  roomId?: string;
  /** The base station this device talks through on serial (absent: MQTT, or any way). */
  via?: string;
}

export interface Staff {
  id: string;
  name: string;
  firstName: string;
  role: StaffRole;
  /** Administers the centre in the console (register, rules, devices); absent: not an admin. */
  admin?: true;
  /** Mobile number (E.164) for SMS; absent: none given. */
  phone?: string;
}

/** One line of the on-call roster: who covers which zones, when, at which rank. */
export interface RosterEntry {
  staffId: string;
  /** Zones this person responds to first; empty for a supervisor entry. */
  zoneIds: string[];
  /** A supervisor entry is the shift supervisor: the escalation level after the responders. */
  supervisor: boolean;
  /** Lower rank is asked first among the responders of a zone. */
  rank: number;
  /** ISO weekday numbers 1 (Mon) … 7 (Sun) on which the shift starts. */
  days: number[];
  /** Shift start and end, minutes after local midnight; end ≤ start means it runs past midnight. */
  fromMin: number;
  toMin: number;
}

/** Where a device's message comes from: the device, and its resident, room and zone when known. */
export interface DeviceContext {
  device: Device;
  resident?: Resident;
  room?: Room;
  zone?: Zone;
}

/** Who an MQTT connection authenticated as. */
export type Principal = { kind: 'device'; id: string } | { kind: 'staff'; id: string } | { kind: 'gateway' };
