import type { SiteRegister } from '../register/register.js';

/**
 * Who is asked, level by level, from the roster at this moment: each responder of the zone in
 * rank order, then the shift supervisor(s), then everyone on shift. Empty levels, and levels
 * that would ask exactly the same people again, are skipped.
 */
export function escalationLevels(register: SiteRegister, zoneId: string, at: number): string[][] {
  const levels: string[][] = [
    ...register.respondersFor(zoneId, at).map((s) => [s.id]),
    register.supervisorsOnShift(at).map((s) => s.id),
    register.staffOnShift(at).map((s) => s.id),
  ];
  const out: string[][] = [];
  for (const level of levels) {
    const key = [...level].sort().join(',');
    if (level.length > 0 && !out.some((l) => [...l].sort().join(',') === key)) out.push(level);
  }
  return out;
}
