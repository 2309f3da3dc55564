import type { Dispatch, DispatchReason, Withdrawal } from '@careedge/edge';
import type { Alert } from '../alerts/model.js';
import type { SiteRegister } from '../register/register.js';

/** The dispatch a handset shows: who, where, what, and how urgent, in people's words. */
export function dispatchMessage(
  alert: Alert,
  reason: DispatchReason,
  register: SiteRegister,
  now: number,
): Dispatch {
  const resident = alert.residentId ? register.resident(alert.residentId) : undefined;
  // A wristband alert's room is where the resident lives, not where the band is: say which.
  const homeRoom = resident ? register.room(resident.roomId) : undefined;
  const room = !resident && alert.roomId ? register.room(alert.roomId) : undefined;
  return {
    ts: now,
    type: 'alert',
    alertId: alert.id,
    reason,
    kind: alert.kind,
    priority: alert.priority,
    level: alert.level,
    raisedAt: alert.raisedAt,
    count: alert.count,
    ...(resident ? { residentId: resident.id, residentName: resident.name } : {}),
    ...(room ? { room: room.name } : {}),
    ...(homeRoom ? { homeRoom: homeRoom.name } : {}),
    zone: register.zone(alert.zoneId)?.name ?? alert.zoneId,
    ...(alert.ownerId ? { ownerId: alert.ownerId } : {}),
  };
}

export function withdrawal(
  alert: Alert,
  reason: Withdrawal['reason'],
  now: number,
  byStaffId?: string,
): Withdrawal {
  return { ts: now, type: 'withdrawn', alertId: alert.id, reason, ...(byStaffId ? { byStaffId } : {}) };
}
