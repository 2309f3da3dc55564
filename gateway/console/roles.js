/** Roles that see the supervisor's ordering of alerts. */
export const SUPERVISING = new Set(['supervisor', 'admin']);
