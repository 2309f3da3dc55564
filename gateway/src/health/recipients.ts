import type { SiteRegister } from '../register/register.js';

/**
 * Who hears about the gateway's own trouble: the supervisors on shift, or every registered staff
 * member when no supervisor is on shift (someone must know). From the in-memory register only,
 * because storage may be what failed.
 */
export function noticeRecipients(register: SiteRegister, at: number): string[] {
  const supervisors = register.supervisorsOnShift(at);
  return (supervisors.length > 0 ? supervisors : register.allStaff()).map((s) => s.id);
}
