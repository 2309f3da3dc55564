import { existsSync, readFileSync } from 'node:fs';
import { dottedPath, formatSchemaErrors, type SchemaErrorStyle } from '@careedge/edge';
import type { TSchema } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { gpioProblems } from './gpio.js';
import { ConfigSchema, type GatewayConfig } from './schema.js';
import { serialProblems } from './serial.js';
import { smsProblems } from './sms.js';
import { tlsProblems } from './tls.js';
import { webhookProblems } from './webhook.js';

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Invalid configuration: the gateway refuses to start (or, on reload, keeps the last good one). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`the configuration is not valid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const ENV_PREFIX = 'CAREEDGE_';
const upperSnake = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** The environment variable for a config path: ['dispatch','ackTimeoutS','high'] → CAREEDGE_DISPATCH__ACK_TIMEOUT_S__HIGH. */
export const envName = (path: string[]) => ENV_PREFIX + path.map(upperSnake).join('__');

/** Every leaf of the schema with its path, derived from the schema so env names never drift. */
export function configLeaves(
  schema: TSchema = ConfigSchema,
  path: string[] = [],
): { path: string[]; schema: TSchema }[] {
  if (schema.type === 'object' && schema.properties) {
    return Object.entries(schema.properties as Record<string, TSchema>).flatMap(([k, s]) =>
      configLeaves(s, [...path, k]),
    );
  }
  return [{ path, schema }];
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object'
        ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: false, verbose: true });
/** Variables with the prefix that are not settings: the config file path, the bootstrap's package list. */
const NOT_SETTINGS = new Set(['CAREEDGE_CONFIG', 'CAREEDGE_DEBIAN_NEEDS']);
const validate = ajv.compile(ConfigSchema);
const configStyle: SchemaErrorStyle = {
  path: dottedPath('(root)'),
  // Passwords and tokens come from the environment and must not reach the log.
  hide: (pointer) => /(password|token|secret)$/i.test(pointer),
  unknownProperty: 'unknown setting',
};

export interface LoadConfigOptions {
  /** YAML config file; its keys are those of ConfigSchema. */
  file?: string;
  env?: Record<string, string | undefined>;
  /** Applied last (tests, the demo, command-line flags). */
  overrides?: DeepPartial<GatewayConfig>;
}

/** Reads file → environment → overrides, fills defaults from the schema, and validates all of it. */
export function loadConfig(opts: LoadConfigOptions = {}): GatewayConfig {
  const problems: string[] = [];
  let fromFile: Record<string, unknown> = {};
  if (opts.file) {
    try {
      const parsed = parseYaml(readFileSync(opts.file, 'utf8')) ?? {};
      if (typeof parsed !== 'object' || Array.isArray(parsed))
        problems.push(`${opts.file}: must be a YAML mapping`);
      else fromFile = parsed as Record<string, unknown>;
    } catch (err) {
      problems.push(`${opts.file}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  const env = opts.env ?? {};
  for (const leaf of configLeaves()) {
    const value = env[envName(leaf.path)];
    if (value !== undefined) setPath(fromEnv, leaf.path, value);
  }
  const known = new Set(configLeaves().map((l) => envName(l.path)));
  for (const name of Object.keys(env)) {
    if (name.startsWith(ENV_PREFIX) && !known.has(name) && !NOT_SETTINGS.has(name)) {
      problems.push(`${name}: unknown setting (the configuration reference in README.md lists them)`);
    }
  }
  const merged = deepMerge(deepMerge(fromFile, fromEnv), (opts.overrides ?? {}) as Record<string, unknown>);
  if (!validate(merged)) {
    problems.push(...formatSchemaErrors(validate.errors, configStyle));
  } else {
    const c = merged as GatewayConfig;
    problems.push(
      ...crossFieldProblems(c),
      ...uplinkProblems(c),
      ...gpioProblems(c.gpio),
      ...serialProblems(c.serial),
      ...smsProblems(c.sms),
      ...tlsProblems(c),
      ...webhookProblems(c.webhook),
    );
  }
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return merged as GatewayConfig;
}

/** Rules between settings that the schema cannot state, as `path: message` lines. */
function crossFieldProblems(c: GatewayConfig): string[] {
  const problems: string[] = [];
  const { influx, residentKeySecret, outbox } = c.forwarding;
  if (outbox.retryMinMs > outbox.retryMaxMs)
    problems.push('forwarding.outbox.retryMinMs: must not be above forwarding.outbox.retryMaxMs');
  if (!influx.url) return problems;
  let url: URL | undefined;
  try {
    url = new URL(influx.url);
  } catch {
    /* reported below */
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:')
    problems.push('forwarding.influx.url: must be an http:// or https:// URL');
  // fetch refuses such a URL, and it is logged: the password would be in the log and on /healthz.
  if (url?.username || url?.password)
    problems.push(
      'forwarding.influx.url: must not hold a user or password (they would show in the log): set forwarding.influx.username and password, or token',
    );
  if (residentKeySecret.length < 16)
    problems.push(
      'forwarding.residentKeySecret: must be at least 16 characters when forwarding is on (it keys the pseudonyms)',
    );
  const required = influx.version === 1 ? (['database'] as const) : (['org', 'bucket', 'token'] as const);
  for (const key of required) {
    if (!influx[key])
      problems.push(
        `forwarding.influx.${key}: is required for InfluxDB ${influx.version === 1 ? '1.x' : '2.x/3.x'}`,
      );
  }
  return problems;
}

/** The uplink's rules between settings (it keys people with forwarding's secret). */
function uplinkProblems(c: GatewayConfig): string[] {
  const { url, caFile, retryMinMs, retryMaxMs } = c.uplink;
  if (!url) return [];
  const problems: string[] = [];
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {
    /* reported below */
  }
  if (protocol !== 'mqtt:' && protocol !== 'mqtts:')
    problems.push('uplink.url: must be an mqtt:// or mqtts:// URL');
  if (c.forwarding.residentKeySecret.length < 16)
    problems.push(
      'forwarding.residentKeySecret: must be at least 16 characters when the uplink is on (it keys the pseudonyms)',
    );
  if (caFile && protocol !== 'mqtts:') problems.push('uplink.caFile: only used with an mqtts:// url');
  if (caFile && !existsSync(caFile)) problems.push(`uplink.caFile: no such file ${caFile}`);
  if (retryMinMs > retryMaxMs) problems.push('uplink.retryMinMs: must not be above uplink.retryMaxMs');
  return problems;
}
