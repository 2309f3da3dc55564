// Words and order for alerts, shared by the pages.
export const PRIORITY_RANK = { high: 0, medium: 1, low: 2 };

const KIND = {
  sos: 'SOS',
  fall: 'Fall',
  call: 'Call',
  'emergency-call': 'Emergency call',
  'device-offline': 'Device silent',
  'vital-sign': 'Vital sign',
  inactivity: 'No movement',
  'not-up': 'Not up yet',
  'night-wandering': 'Night wandering',
  'battery-low': 'Battery low',
  'not-worn': 'Band not worn',
  unclassified: 'Unclassified',
  'alert-summary': 'Alert summary',
};
export const kindLabel = (kind) => KIND[kind] ?? kind;

export const OUTCOMES = [
  ['assisted', 'Assisted'],
  ['resident-ok', 'Resident OK'],
  ['false-alarm', 'False alarm'],
  ['medical-attention', 'Medical attention'],
  ['emergency-services', 'Emergency services'],
  ['other', 'Other'],
];

export function ago(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const clockTime = (at) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
/** "Mon 23 Nov, 10:02": for the history, where the day matters. */
export const dayTime = (at) =>
  new Date(at).toLocaleString([], {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });

/** Past its deadline (escalation, or a reminder to arrive or to resolve). */
export const overdue = (a, now) => a.deadlineAt !== null && a.deadlineAt < now;

/**
 * Priority, then the oldest first; a supervisor sees the unowned and the overdue ahead of the rest.
 */
export function ordered(alerts, { supervisor, now }) {
  const key = (a) => [
    supervisor ? (a.ownerId === null ? 0 : 1) : 0,
    supervisor ? (overdue(a, now) ? 0 : 1) : 0,
    PRIORITY_RANK[a.priority] ?? 3,
    a.raisedAt,
  ];
  return [...alerts].sort((x, y) => {
    const a = key(x);
    const b = key(y);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
  });
}

/** What happened so far, in a line. */
export function story(a, nameOf) {
  const owner = a.ownerId ? nameOf(a.ownerId) : null;
  const pressed = a.count > 1 ? ` · raised ${a.count} times` : '';
  switch (a.state) {
    case 'raised':
      return `Raised, being sent${pressed}`;
    case 'dispatched':
      return `Sent${a.level > 0 ? ` (escalated ${a.level}×)` : ''}, waiting for someone to accept${pressed}`;
    case 'acknowledged':
      return `${owner} accepted, on the way${a.handoverTo ? ` · handover offered to ${nameOf(a.handoverTo)}` : ''}${pressed}`;
    case 'attended':
      return `${owner} is with the resident${pressed}`;
    case 'resolved':
      return `Resolved${owner ? ` by ${owner}` : ''}${a.outcome ? ` (${a.outcome})` : ''}${pressed}`;
    case 'cancelled':
      return `Cancelled${pressed}`;
    default:
      return a.state;
  }
}

export const ACTION_LABEL = {
  raised: 'Raised',
  repeated: 'Raised again',
  dispatched: 'Sent',
  escalated: 'Escalated',
  received: 'Received on handset',
  declined: 'Declined',
  acknowledged: 'Accepted',
  reminded: 'Reminder sent',
  attended: 'Arrived',
  resolved: 'Resolved',
  cancelled: 'Cancelled',
  'cancel-requested': 'Cancel requested',
  'handover-offered': 'Handover offered',
  'handover-declined': 'Handover declined',
  'handed-over': 'Handed over',
  returned: 'Returned to dispatch',
  retransmitted: 'Sent again',
  reassigned: 'Reassigned',
  noted: 'Note',
  reprioritised: 'Priority changed',
  'condition-cleared': 'Condition cleared',
};
