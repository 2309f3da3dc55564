import type { Staff } from '../register/types.js';

/**
 * What a console user or token may do (issue 10): `staff` act on alerts, `supervisor` also
 * reassign, see everything and follow-ups, `admin` also the register, the rules, devices and
 * their credentials. Each role includes the ones before it.
 */
export const CONSOLE_ROLES = ['staff', 'supervisor', 'admin'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** Whether `role` is at least `needed`. */
export const hasRole = (role: ConsoleRole, needed: ConsoleRole): boolean =>
  CONSOLE_ROLES.indexOf(role) >= CONSOLE_ROLES.indexOf(needed);

/** A staff member's console role: carers and nurses are staff; `admin: true` in the site file makes an admin. */
export const roleOf = (staff: Pick<Staff, 'role' | 'admin'>): ConsoleRole =>
  staff.admin ? 'admin' : staff.role === 'supervisor' ? 'supervisor' : 'staff';
