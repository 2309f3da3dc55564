import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AsyncAPIDocumentInterface,
  type Diagnostic,
  DiagnosticSeverity,
  Parser,
} from '@asyncapi/parser';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  addressTemplate,
  buildAsyncApiDocument,
  channelKeys,
  channelMessageSchemas,
  channels,
} from '../src/index.js';
import { contractFiles, formatJson, SCHEMAS_DIR } from '../src/protocol/contract-files.js';
import { messageExamples } from '../src/protocol/examples.js';
import { uplinkExamples, uplinkSchemas } from '../src/protocol/uplink-messages.js';

const edgeDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const committed = (path: string) => readFileSync(join(edgeDir, path), 'utf8');
const asyncapiText = committed('asyncapi.yaml');
const examples = { ...messageExamples, ...uplinkExamples } as Record<string, unknown>;
const show = (d: Diagnostic) => `${d.code} at ${d.path.join('.')}: ${d.message}`;
const parser = new Parser();

describe('generated contract files', () => {
  it.each(contractFiles().map((f) => [f.path, f.text]))('edge/%s is up to date', (path, text) => {
    expect(committed(path), `edge/${path} is stale: run \`npm run asyncapi\``).toBe(text);
  });

  it('edge/schemas holds no file the generator does not write', () => {
    const generated = contractFiles().map((f) => f.path);
    const present = readdirSync(join(edgeDir, SCHEMAS_DIR)).map((name) => `${SCHEMAS_DIR}/${name}`);
    expect(
      present.filter((p) => !generated.includes(p)),
      'stale files in edge/schemas: run `npm run asyncapi`',
    ).toEqual([]);
  });

  it('lays JSON out like biome format: objects expanded, short scalar arrays on one line', () => {
    expect(formatJson({ a: ['x', 'y'], b: {}, c: [], d: [{ e: 1 }] })).toBe(
      '{\n  "a": ["x", "y"],\n  "b": {},\n  "c": [],\n  "d": [\n    {\n      "e": 1\n    }\n  ]\n}',
    );
    const long = Array.from({ length: 12 }, (_, i) => `property${i}`);
    expect(formatJson({ required: long })).toBe(
      `{\n  "required": [\n${long.map((p) => `    "${p}"`).join(',\n')}\n  ]\n}`,
    );
  });
});

describe('edge/asyncapi.yaml', () => {
  let diagnostics: Diagnostic[];
  let document: AsyncAPIDocumentInterface | undefined;
  beforeAll(async () => {
    [diagnostics, { document }] = await Promise.all([
      parser.validate(asyncapiText),
      parser.parse(asyncapiText),
    ]);
  });

  it('is a valid AsyncAPI 3.0 document: no errors and no warnings', () => {
    const bad = diagnostics.filter(
      (d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning,
    );
    expect(bad.map(show)).toEqual([]);
    expect(parse(asyncapiText).asyncapi).toBe('3.0.0');
  });

  it('the validator does report a broken document', async () => {
    const broken = asyncapiText.replace('action: receive', 'action: subscribe');
    const errors = (await parser.validate(broken)).filter((d) => d.severity === DiagnosticSeverity.Error);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('has every channel of the catalogue with its address, operation, messages and QoS', () => {
    expect(document).toBeDefined();
    const docChannels = document!.channels();
    expect(docChannels.all().map((c) => c.id())).toEqual(channelKeys);
    for (const key of channelKeys) {
      const spec = channels[key];
      const channel = docChannels.get(key)!;
      expect(channel.address()).toBe(addressTemplate(key));
      expect(
        channel
          .messages()
          .all()
          .map((m) => m.id()),
      ).toEqual(channelMessageSchemas(key).map((s) => s.$id));
      const [operation, ...others] = channel.operations().all();
      expect(others).toEqual([]);
      expect(operation!.action()).toBe(spec.direction === 'up' ? 'receive' : 'send');
      expect(operation!.bindings().get('mqtt')!.value()).toMatchObject({
        qos: spec.qos,
        retain: spec.retained,
      });
    }
  });

  it('answers each handset reply on the result channel', () => {
    const reply = document!.operations().get('receiveStaffReply')!.reply();
    expect(reply?.channel()?.address()).toBe(addressTemplate('staffResult'));
  });

  it('embeds schemas that accept the examples it shows and refuse a mutated one', () => {
    const doc = parse(asyncapiText) as {
      components: {
        schemas: Record<string, object>;
        messages: Record<string, { examples: { payload: object }[] }>;
      };
    };
    const ajv = new Ajv({ strict: true });
    for (const [id, message] of Object.entries(doc.components.messages)) {
      const validate = ajv.compile(doc.components.schemas[id]!);
      expect(message.examples.map((e) => e.payload)).toEqual([examples[id]]);
      expect(validate(examples[id]), `${id}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      expect(validate({ ...(examples[id] as object), unexpected: true })).toBe(false);
    }
  });

  it('is what buildAsyncApiDocument() builds, with no TypeBox symbol keys left', () => {
    const built = buildAsyncApiDocument();
    expect(parse(asyncapiText)).toEqual(built);
    const symbols: string[] = [];
    JSON.stringify(built, (key, value) => {
      if (value && typeof value === 'object' && Object.getOwnPropertySymbols(value).length > 0)
        symbols.push(key);
      return value;
    });
    expect(symbols).toEqual([]);
  });
});

describe('edge/schemas/*.schema.json', () => {
  const files = readdirSync(join(edgeDir, SCHEMAS_DIR)).filter((f) => f.endsWith('.schema.json'));

  it('holds one file per message and per channel union', () => {
    const expected = new Set([
      ...channelKeys.flatMap((k) => [channels[k].schema, ...channelMessageSchemas(k)]),
      ...uplinkSchemas,
    ]);
    expect(files.sort()).toEqual([...new Set([...expected].map((s) => `${s.$id}.schema.json`))].sort());
  });

  it.each(files)('%s is strict draft-07 and accepts its examples', (file) => {
    const schema = JSON.parse(committed(`${SCHEMAS_DIR}/${file}`));
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const validate = new Ajv({ strict: true }).compile(schema);
    const union = (schema.anyOf ?? [schema]) as { $id: string }[];
    for (const member of union) {
      expect(validate(examples[member.$id]), `${member.$id}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate({})).toBe(false);
  });
});
