import { parse, stringify } from 'yaml';
import { benchSite } from '../bench/bench-site.js';
import { seededRandom } from '../random.js';
import type { SimSite } from '../site/sim-site.js';
import { INCIDENT_DEADLINES_S, planIncidents } from './incidents.js';
import { localDays } from './local-days.js';
import { mergeByTime } from './merge.js';
import { makeProfile, type ResidentProfile } from './profiles.js';
import { ResidentHistory } from './resident-history.js';
import type { Gap, HistoryMessage, Incident, IncidentKind } from './types.js';

export interface HistoryOptions {
  residents: number;
  days: number;
  seed: number;
  /** First local day, YYYY-MM-DD in `timezone`. */
  startDate: string;
  /** IANA time zone of the site: the residents' day is lived in local time. */
  timezone: string;
  /** Seconds between telemetry messages (default 60; the live bands send every second). */
  telemetryS?: number;
  /** The bands' heartbeat interval, seconds (default 60, as the simulated devices). */
  heartbeatS?: number;
  /** Chance that a resident-day without an incident has an hour with no messages (default 0.05). */
  missingHourChance?: number;
  /** Incidents of each kind (default one per 60 resident-days, at least one). */
  incidentsPerKind?: number;
}

/** Everything a rule evaluation needs besides the messages: who, what happened, and where. */
export interface GroundTruth {
  format: 'careedge-ground-truth/1';
  seed: number;
  startDate: string;
  timezone: string;
  startTs: number;
  endTs: number;
  telemetryS: number;
  heartbeatS: number;
  residents: ResidentProfile[];
  /** Residents the care team flags as at risk of night wandering (`nightWanderingRisk` in the site file too). */
  nightWanderingRisk: string[];
  deadlinesS: Record<IncidentKind, number>;
  incidents: Incident[];
  gaps: Gap[];
}

export interface History {
  truth: GroundTruth;
  /** The site file for these residents and bands (YAML), and its simulator view. */
  site: { yaml: string; site: SimSite };
  /** The messages in time order, made as they are read; each call starts again from the start. */
  messages(): Generator<HistoryMessage>;
}

/** A seed per purpose, so adding a resident does not change the incidents of the others. */
const derive = (seed: number, stream: number) =>
  (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(stream + 1, 0x85ebca6b)) >>> 0;

/**
 * A deterministic synthetic history: the same options give the same site, incidents and
 * messages, byte for byte. Nothing of the message stream is held: `messages()` replays the
 * residents' plans (a few objects per resident-day).
 */
export function generateHistory(options: HistoryOptions): History {
  const { residents, days, seed, startDate, timezone } = options;
  if (!Number.isInteger(residents) || residents < 1)
    throw new Error(`residents must be ≥ 1 (got ${residents})`);
  if (!Number.isInteger(days) || days < 1) throw new Error(`days must be ≥ 1 (got ${days})`);
  const telemetryS = options.telemetryS ?? 60;
  const heartbeatS = options.heartbeatS ?? 60;
  const missingHourChance = options.missingHourChance ?? 0.05;
  const perKind = options.incidentsPerKind ?? Math.max(1, Math.round((residents * days) / 60));
  const local = localDays(startDate, days, timezone);
  const { midnights } = local;

  const siteRandom = seededRandom(derive(seed, 0));
  const secret = () => Array.from({ length: 24 }, () => Math.floor(siteRandom() * 36).toString(36)).join('');
  const site = benchSite({
    devices: residents,
    zones: Math.ceil(residents / 10),
    id: 'history',
    name: 'CareEdge simulated history',
    timezone,
    secret,
  });
  // About one in five residents is flagged, and at least one, so night wandering can happen.
  const flagged = new Set<number>([Math.floor(siteRandom() * residents)]);
  for (let i = 0; i < residents; i++) if (siteRandom() < 0.2) flagged.add(i);
  // The flag is the site file's, as a care team would set it.
  const siteDoc = parse(site.yaml) as { residents: Array<{ nightWanderingRisk?: boolean }> };
  for (const i of flagged) siteDoc.residents[i]!.nightWanderingRisk = true;
  const profiles = site.site.devices.map((device, i) =>
    makeProfile(
      { residentId: device.residentId!, deviceId: device.id },
      seededRandom(derive(seed, 1000 + i)),
      flagged.has(i),
    ),
  );
  const incidents = planIncidents({ profiles, days: local, random: seededRandom(derive(seed, 1)), perKind });
  const bandHistories = () =>
    profiles.map(
      (profile, i) =>
        new ResidentHistory({
          profile,
          days: local,
          incidents: incidents.filter((x) => x.residentId === profile.residentId),
          random: seededRandom(derive(seed, 100_000 + i)),
          telemetryS,
          heartbeatS,
          missingHourChance,
        }),
    );
  const gaps = bandHistories()
    .flatMap((h) => h.gaps)
    .sort((a, b) => a.fromTs - b.fromTs);
  return {
    truth: {
      format: 'careedge-ground-truth/1',
      seed,
      startDate,
      timezone,
      startTs: midnights[0]!,
      endTs: midnights[days]!,
      telemetryS,
      heartbeatS,
      residents: profiles,
      nightWanderingRisk: profiles.filter((p) => p.nightWanderingRisk).map((p) => p.residentId),
      deadlinesS: INCIDENT_DEADLINES_S,
      incidents,
      gaps,
    },
    site: { yaml: stringify(siteDoc), site: site.site },
    messages: () => mergeByTime(bandHistories().map((h) => h.messages())),
  };
}
