import type { Priority } from '@careedge/edge';

/**
 * The centre's service figures (shared/MISSION.md, "Service-quality figures"): how fast, for which
 * alerts, and the share of them that must make it. Each becomes an SLA tile on the care-operations
 * dashboard and a line on the scorecard.
 */
export interface ServiceTarget {
  id: string;
  title: string;
  /** Which response time: raise → accept, raise → arrive, raise → close. */
  field: 'accept_s' | 'arrive_s' | 'resolve_s';
  /** The alerts it is about; all priorities when absent. */
  priorities?: readonly Priority[];
  withinS: number;
  /** Share of those alerts that must make it, percent; absent where the brief sets none. */
  targetPct?: number;
  source: string;
}

export const SERVICE_TARGETS: readonly ServiceTarget[] = [
  {
    id: 'emergency-accept-60s',
    title: 'Emergency accepted ≤ 60 s',
    field: 'accept_s',
    priorities: ['high'],
    withinS: 60,
    targetPct: 97.5,
    source: 'UK telecare code of practice: answered within 60 s for ≥ 97.5%',
  },
  {
    id: 'emergency-accept-180s',
    title: 'Emergency accepted ≤ 180 s',
    field: 'accept_s',
    priorities: ['high'],
    withinS: 180,
    targetPct: 99,
    source: 'UK telecare code of practice: answered within 180 s for ≥ 99%',
  },
  {
    id: 'emergency-attend-45min',
    title: 'Emergency attended ≤ 45 min',
    field: 'arrive_s',
    priorities: ['high'],
    withinS: 45 * 60,
    targetPct: 90,
    source:
      'Published telecare provider target: on site within 45 min for ≥ 90% (in a building, expect minutes)',
  },
  {
    id: 'request-first-response-5min',
    title: 'Service request answered ≤ 5 min',
    field: 'accept_s',
    priorities: ['medium', 'low'],
    withinS: 5 * 60,
    source: 'Centre figure: first response to a service request ≤ 5 min',
  },
  {
    id: 'closed-24h',
    title: 'Closed within 24 h',
    field: 'resolve_s',
    withinS: 24 * 3600,
    targetPct: 90,
    source: 'Centre figure: complex requests solved within 24 h (≥ 90%)',
  },
];

/**
 * Compliance tile colours (MISSION.md): blue ≥ 85%, yellow 75–84%, red < 75%. Where a figure sets
 * its own, higher share (97.5% of emergencies accepted within 60 s), blue starts there: a tile
 * must never show blue for a service that misses its target.
 */
export const COMPLIANCE = { blueFromPct: 85, yellowFromPct: 75 } as const;

export const blueFrom = (t: ServiceTarget): number => Math.max(COMPLIANCE.blueFromPct, t.targetPct ?? 0);
