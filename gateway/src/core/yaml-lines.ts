import { isCollection, LineCounter, parseDocument } from 'yaml';

/** A YAML text read with its positions, so a problem at a JSON pointer can name its line. */
export type YamlRead =
  | { ok: true; value: unknown; lineOf: (pointer: string) => number | undefined }
  | { ok: false; problems: string[] };

/**
 * Parses YAML for an administrator's file (site file, rules file). Syntax errors come back as
 * `line L, column C: message` lines (nothing else can be read then); otherwise the value and
 * `lineOf`, which maps a JSON pointer (`/rules/3/params/aboveBpm`, as Ajv reports it) to the line
 * of that node, or of its nearest ancestor that exists (a missing key is reported at its parent).
 */
export function readYaml(text: string): YamlRead {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return at ? `line ${at.line}, column ${at.col}: ${message}` : message;
      }),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // The yaml library refuses documents whose aliases multiply ("billion laughs").
    return { ok: false, problems: [`cannot read the YAML: ${(err as Error).message}`] };
  }
  const lineOf = (pointer: string): number | undefined => {
    const keys = pointer
      .split('/')
      .slice(1)
      .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
    let node: unknown = doc.contents;
    let line: number | undefined = startLine(node);
    for (const key of keys) {
      if (!isCollection(node)) break;
      const pair = node.items.find(
        (item: unknown, i: number) =>
          (typeof item === 'object' && item !== null && 'key' in item
            ? String((item.key as { value?: unknown } | null)?.value)
            : String(i)) === key,
      ) as { key?: unknown; value?: unknown } | undefined;
      if (pair === undefined) break;
      // A mapping entry is a pair; a sequence item is the node itself.
      node = 'value' in pair && 'key' in pair ? pair.value : pair;
      line = startLine('key' in pair && pair.key ? pair.key : node) ?? line;
    }
    return line;
  };
  function startLine(node: unknown): number | undefined {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  }
  return { ok: true, value, lineOf };
}
