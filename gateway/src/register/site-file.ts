import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { dottedPath, formatSchemaErrors, type SchemaErrorStyle } from '@careedge/edge';
import { Ajv } from 'ajv';
import { readYaml } from '../core/yaml-lines.js';
import { crossCheck } from './site-file-checks.js';
import { type SiteFileDocument, SiteFileSchema, weekdays } from './site-file-schema.js';
import type { Device, Resident, Room, RosterEntry, Site, Staff, Zone } from './types.js';

/** Exactly one of the two: a plaintext secret (hashed on import) or an existing hash. */
export type Credential = { secret: string } | { secretHash: string };

/** A checked site file with defaults applied, in the register's own types. */
export interface SiteDefinition {
  site: Site;
  zones: Zone[];
  rooms: Room[];
  residents: Resident[];
  devices: Array<Device & { credential: Credential }>;
  /** consolePasswordHash: the console password's scrypt hash, applied by auth/ (Accounts.applySitePasswords). */
  staff: Array<Staff & { credential: Credential; consolePasswordHash?: string }>;
  /** In file order; `rank` defaults to the 1-based position. */
  roster: RosterEntry[];
}

/** The site file is not valid; `problems` lists every problem found, one `path: message` line each. */
export class SiteFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: the site file is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SiteFileError';
  }
}

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
const validate = ajv.compile<SiteFileDocument>(SiteFileSchema);

const siteFileStyle: SchemaErrorStyle = {
  path: dottedPath('(top level)'),
  // Never a secret's value, which would end up in logs; nor what is under secretHash, which is a
  // plaintext password when someone put it under the wrong key.
  hide: (pointer) => /\/secret(Hash)?$/.test(pointer),
};

const sections = ['(top level)', 'site', 'zones', 'rooms', 'residents', 'devices', 'staff', 'roster'];

/** Problems sorted by where they are in the file (section, then item), schema and cross-checks mixed. */
function inFileOrder(problems: string[]): string[] {
  const key = (p: string): [number, number] => {
    const m = /^([^.[:]+)(?:\[(\d+)\])?/.exec(p);
    const section = sections.indexOf(m?.[1] ?? '');
    return [section < 0 ? sections.length : section, Number(m?.[2] ?? -1)];
  };
  return problems
    .map((p, i) => ({ p, i, k: key(p) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.i - b.i)
    .map((x) => x.p);
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const credentialOf = (x: { secret?: string; secretHash?: string }): Credential =>
  x.secret !== undefined ? { secret: x.secret } : { secretHash: x.secretHash! };

function normalize(doc: SiteFileDocument): SiteDefinition {
  return {
    site: { ...doc.site },
    zones: doc.zones.map((z) => ({ id: z.id, name: z.name })),
    rooms: doc.rooms.map((r) => ({ id: r.id, name: r.name, zoneId: r.zone })),
    residents: (doc.residents ?? []).map((r) => ({
      id: r.id,
      name: r.name,
      roomId: r.room,
      ...(r.forwardVitals === false ? { forwardVitals: false } : {}),
      ...(r.nightWanderingRisk === true ? { nightWanderingRisk: true } : {}),
    })),
    devices: (doc.devices ?? []).map((d) => ({
      id: d.id,
      kind: d.kind,
      ...(d.kind === 'wristband' ? { residentId: d.resident! } : {}),
      ...(d.kind !== 'wristband' && d.room !== undefined ? { roomId: d.room } : {}),
      ...(d.via !== undefined ? { via: d.via } : {}),
      credential: credentialOf(d),
    })),
    staff: (doc.staff ?? []).map((s) => ({
      id: s.id,
      name: s.name,
      firstName: s.firstName ?? s.name.split(/\s+/)[0]!,
      role: s.role,
      ...(s.admin === true ? { admin: true as const } : {}),
      ...(s.phone !== undefined ? { phone: s.phone } : {}),
      ...(s.consolePasswordHash !== undefined ? { consolePasswordHash: s.consolePasswordHash } : {}),
      credential: credentialOf(s),
    })),
    roster: (doc.roster ?? []).map((r, i) => ({
      staffId: r.staff,
      zoneIds: r.supervisor ? [] : [...(r.zones ?? [])],
      supervisor: r.supervisor === true,
      rank: r.rank ?? i + 1,
      days: r.days ? r.days.map((d) => weekdays.indexOf(d) + 1).sort((a, b) => a - b) : [1, 2, 3, 4, 5, 6, 7],
      fromMin: minutes(r.from ?? '00:00'),
      toMin: minutes(r.to ?? '24:00'),
    })),
  };
}

/**
 * Parses and checks a site file's text. Throws one SiteFileError listing every problem: YAML
 * syntax first (nothing else can be read then), otherwise schema and cross-reference problems
 * together, so an administrator fixes the file in one pass.
 */
export function parseSiteFile(text: string, fileName = 'site file'): SiteDefinition {
  const read = readYaml(text);
  if (!read.ok) throw new SiteFileError(fileName, read.problems);
  const { value } = read;
  const problems = validate(value) ? [] : formatSchemaErrors(validate.errors, siteFileStyle);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    problems.push(...crossCheck(value as Record<string, unknown>));
  }
  if (problems.length > 0) throw new SiteFileError(fileName, inFileOrder(problems));
  return normalize(value as SiteFileDocument);
}

/**
 * Far above any real site (2,000 devices is well under 1 MB): parsing takes about 30 times the
 * file's size in memory, so a wrong file (a log, a database dump) would get the gateway killed.
 */
const MAX_SITE_FILE_MB = 10;

/** Reads and checks a site file; errors name the file by its base name. */
export function loadSiteFile(path: string): SiteDefinition {
  let text: string | undefined;
  let mb = 0;
  try {
    mb = Math.ceil(statSync(path).size / (1024 * 1024));
    if (mb <= MAX_SITE_FILE_MB) text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new SiteFileError(basename(path), [`${path}: cannot read the site file (${reason})`]);
  }
  if (text === undefined) {
    const problem = `${path}: is ${mb} MB; a site file is at most ${MAX_SITE_FILE_MB} MB (is this the right file?)`;
    throw new SiteFileError(basename(path), [problem]);
  }
  return parseSiteFile(text, basename(path));
}
