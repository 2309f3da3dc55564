import type { ErrorObject } from 'ajv';

/**
 * The one way CareEdge turns Ajv errors into `path: message` lines, for wire payloads, the gateway
 * configuration and the site file alike. Needs Ajv's `verbose: true` (errors then carry the
 * offending value and the schema), so a message can say what it got.
 */
export interface SchemaErrorStyle {
  /** Writes a JSON pointer (`/devices/3/kind`) the way the reader knows the document. */
  readonly path: (pointer: string) => string;
  /** Pointers whose value must never be quoted (secrets end up in logs); only its type is said. */
  readonly hide?: (pointer: string) => boolean;
  /** What an unknown property is called at its own path (`mqtt.colour: unknown setting`);
   *  without it the parent's path names it: `/: unknown property "colour"`. */
  readonly unknownProperty?: string;
}

/** Wire style: the JSON pointer itself, `/` for the whole payload. */
export const pointerPath = (pointer: string): string => pointer || '/';

/** Document style: `/devices/3/resident` → `devices[3].resident`; the whole document is `root`. */
export const dottedPath =
  (root: string) =>
  (pointer: string): string => {
    let out = '';
    for (const raw of pointer.split('/').slice(1)) {
      const p = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
    }
    return out || root;
  };

/** At most this many lines: a hostile payload must not decide how much the gateway logs. */
const MAX_LINES = 100;

/**
 * Text from a sender (a property name in a path, a parser's message quoting the payload) made fit
 * for a log line: control characters escaped (no forged log lines, no terminal escapes) and cut
 * short.
 */
export function printable(text: string, max = 120): string {
  const escaped = text.replace(/\p{Cc}/gu, (c) => JSON.stringify(c).slice(1, -1));
  return escaped.length > max ? `${escaped.slice(0, max - 3)}...` : escaped;
}

/** A value quoted in a message, cut short so a hostile payload cannot flood the log. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

/** What a hidden value is, never what it says: `a string`, `a list`, `null`. */
const kindOf = (value: unknown): string =>
  value === null || typeof value === 'object' ? describeValue(value) : `a ${typeof value}`;

const typeName = (t: string): string =>
  t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : t === 'integer' ? 'a whole number' : `a ${t}`;

const child = (pointer: string, name: string): string =>
  `${pointer}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;

/**
 * An enum written as a union of literals fails in every branch; Ajv then reports a `const` (and
 * maybe a `type`) error per allowed value plus the `anyOf`. Fold those into the `anyOf` error,
 * which names the choices. Returns the allowed values per folding error and the errors to drop.
 */
function literalUnions(errors: ErrorObject[]): {
  choices: Map<ErrorObject, unknown[]>;
  dropped: Set<ErrorObject>;
} {
  const choices = new Map<ErrorObject, unknown[]>();
  const dropped = new Set<ErrorObject>();
  for (const e of errors) {
    const members =
      e.keyword === 'anyOf' && Array.isArray(e.schema) ? (e.schema as { const?: unknown }[]) : [];
    if (members.length === 0 || !members.every((m) => 'const' in m)) continue;
    choices.set(
      e,
      members.map((m) => m.const),
    );
    for (const b of errors) if (b.schemaPath.startsWith(`${e.schemaPath}/`)) dropped.add(b);
  }
  return { choices, dropped };
}

/** One `path: message` line per problem, in Ajv's order, without repeats, at most MAX_LINES (+1 saying how many more). */
export function formatSchemaErrors(
  errors: readonly ErrorObject[] | null | undefined,
  style: SchemaErrorStyle,
): string[] {
  const list = [...(errors ?? [])];
  const { choices, dropped } = literalUnions(list);
  const got = (e: ErrorObject): string =>
    style.hide?.(e.instancePath) ? kindOf(e.data) : describeValue(e.data);
  const at = (pointer: string, message: string): string => `${printable(style.path(pointer))}: ${message}`;
  const lines = list.flatMap((e): string[] => {
    if (dropped.has(e)) return [];
    const allowed = choices.get(e);
    if (allowed) return [at(e.instancePath, `must be one of ${allowed.join(', ')} (got ${got(e)})`)];
    const params = e.params as Record<string, unknown>;
    const custom = (e.parentSchema as { 'x-message'?: string } | undefined)?.['x-message'];
    switch (e.keyword) {
      case 'required':
        return [at(child(e.instancePath, params.missingProperty as string), 'is required')];
      case 'additionalProperties': {
        const name = params.additionalProperty as string;
        return style.unknownProperty
          ? [at(child(e.instancePath, name), style.unknownProperty)]
          : [at(e.instancePath, `unknown property ${describeValue(name)}`)];
      }
      case 'enum':
        return [
          at(
            e.instancePath,
            `must be one of ${(params.allowedValues as unknown[]).join(', ')} (got ${got(e)})`,
          ),
        ];
      case 'const':
        return [at(e.instancePath, `must be ${JSON.stringify(params.allowedValue)}`)];
      case 'type':
        return [at(e.instancePath, `must be ${typeName(String(params.type))} (got ${got(e)})`)];
      case 'pattern':
        return [at(e.instancePath, `${custom ?? e.message} (got ${got(e)})`)];
      case 'minLength':
        return [at(e.instancePath, `must be at least ${params.limit} characters long`)];
      case 'minItems':
        return [
          at(
            e.instancePath,
            params.limit === 1 ? 'must not be empty' : `must list at least ${params.limit} items`,
          ),
        ];
      case 'uniqueItems':
        return [
          at(e.instancePath, `lists ${describeValue((e.data as unknown[])[params.i as number])} twice`),
        ];
      default:
        return [at(e.instancePath, e.message ?? e.keyword)];
    }
  });
  const unique = [...new Set(lines)];
  if (unique.length <= MAX_LINES) return unique;
  return [
    ...unique.slice(0, MAX_LINES),
    at('', `and ${unique.length - MAX_LINES} more problems (the first ${MAX_LINES} are listed)`),
  ];
}
