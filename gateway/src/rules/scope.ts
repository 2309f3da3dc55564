import type { RuleScope } from './file.js';
import type { LocalTime, SubjectAttributes } from './kind.js';

/** Where a message comes from, as the engine sees it (from the site register). */
export interface SubjectInfo {
  deviceId: string;
  residentId: string | null;
  roomId: string | null;
  zoneId: string | null;
  /** What the site file says about the resident that rules read (night-wandering's flag). */
  attributes?: SubjectAttributes;
  /** A room's device (no resident): the residents of the room, for kinds taking its events (asked only then). */
  roomResidents?: () => readonly { residentId: string; attributes?: SubjectAttributes }[];
}

/** Whether a local minute of day is in a window; from > to runs past midnight (22:00-06:00). */
export function inWindow(minuteOfDay: number, w: { from: number; to: number }): boolean {
  return w.from < w.to
    ? minuteOfDay >= w.from && minuteOfDay < w.to
    : minuteOfDay >= w.from || minuteOfDay < w.to;
}

/** Whether a rule's scope takes an input from this subject at this time. */
export function inScope(scope: RuleScope | undefined, s: SubjectInfo, local: () => LocalTime): boolean {
  if (!scope) return true;
  if (scope.zones && (s.zoneId === null || !scope.zones.includes(s.zoneId))) return false;
  if (scope.residents && (s.residentId === null || !scope.residents.includes(s.residentId))) return false;
  if (scope.hours && !inWindow(local().minuteOfDay, scope.hours)) return false;
  return true;
}

/** A rule's params with one resident's overrides laid over them (nested mappings merged). */
export function withOverrides<P extends Record<string, unknown>>(params: P, over: Partial<P> | undefined): P {
  if (!over) return params;
  const out: Record<string, unknown> = { ...params };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? withOverrides(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out as P;
}
