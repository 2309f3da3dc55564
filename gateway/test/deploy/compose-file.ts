import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const ROOT = join(import.meta.dirname, '../../..');

export interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, unknown>;
  ports?: string[];
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export const readCompose = (): ComposeFile => parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));

/** Compose's `${NAME:-default}` interpolation with nothing set: the defaults `docker compose up` uses. */
export const withDefaults = (v: string) =>
  v.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_m, name: string, def?: string) => {
    if (def === undefined) throw new Error(`${name} has no default: docker compose up would need it set`);
    return def;
  });

/** A service's `host:container[:ro]` bind mounts by container path. */
export function mounts(s: ComposeService): Map<string, string> {
  const m = new Map<string, string>();
  for (const v of s.volumes ?? []) {
    const [from, to] = v.split(':');
    if (from!.startsWith('./')) m.set(to!, join(ROOT, from!));
  }
  return m;
}
