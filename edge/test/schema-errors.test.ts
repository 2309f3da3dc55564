import { type TSchema, Type } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { dottedPath, formatSchemaErrors, pointerPath, type SchemaErrorStyle } from '../src/index.js';

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const problems = (schema: TSchema, value: unknown, style: SchemaErrorStyle = { path: pointerPath }) => {
  const validate = ajv.compile(schema);
  expect(validate(value)).toBe(false);
  return formatSchemaErrors(validate.errors, style);
};
const doc: SchemaErrorStyle = { path: dottedPath('(top level)') };

describe('formatSchemaErrors: one `path: message` line per problem', () => {
  it('required: names the missing property at its own path', () => {
    const schema = Type.Object({ site: Type.Object({ timezone: Type.String() }) });
    expect(problems(schema, { site: {} })).toEqual(['/site/timezone: is required']);
    expect(problems(schema, { site: {} }, doc)).toEqual(['site.timezone: is required']);
  });

  it('additionalProperties: at the parent by default, at the property with a style label', () => {
    const schema = Type.Object({
      mqtt: Type.Object({ port: Type.Number() }, { additionalProperties: false }),
    });
    const value = { mqtt: { port: 1, colour: 'red' } };
    expect(problems(schema, value)).toEqual(['/mqtt: unknown property "colour"']);
    expect(problems(schema, value, { ...doc, unknownProperty: 'unknown setting' })).toEqual([
      'mqtt.colour: unknown setting',
    ]);
  });

  it('enum: lists the choices and what it got', () => {
    const schema = Type.Object({ kind: Type.Unsafe<string>({ enum: ['wristband', 'care-button'] }) });
    expect(problems(schema, { kind: 'button' })).toEqual([
      '/kind: must be one of wristband, care-button (got "button")',
    ]);
  });

  it('a union of literals reads like an enum, once', () => {
    const schema = Type.Object({ level: Type.Union([Type.Literal('info'), Type.Literal('debug')]) });
    expect(problems(schema, { level: 7 })).toEqual(['/level: must be one of info, debug (got 7)']);
  });

  it('const: says the one allowed value', () => {
    expect(problems(Type.Object({ v: Type.Literal(1) }), { v: 2 })).toEqual(['/v: must be 1']);
  });

  it('type: says the expected kind in words and what it got', () => {
    const schema = Type.Object({ n: Type.Integer(), rooms: Type.Array(Type.String()), s: Type.Object({}) });
    expect(problems(schema, { n: 'eighty', rooms: {}, s: [] })).toEqual([
      '/n: must be a whole number (got "eighty")',
      '/rooms: must be a list (got a mapping)',
      '/s: must be a mapping (got a list)',
    ]);
    expect(problems(Type.Object({}), null, doc)).toEqual(['(top level): must be a mapping (got null)']);
  });

  it('pattern: uses the schema x-message when there is one, and quotes the value', () => {
    const schema = Type.Object({
      id: Type.String({ pattern: '^[a-z]+$', 'x-message': 'must be lower-case letters' }),
      raw: Type.String({ pattern: '^[a-z]+$' }),
    });
    expect(problems(schema, { id: 'A1', raw: 'B' })).toEqual([
      '/id: must be lower-case letters (got "A1")',
      '/raw: must match pattern "^[a-z]+$" (got "B")',
    ]);
  });

  it('minLength, minItems and uniqueItems say it in words', () => {
    const schema = Type.Object({
      secret: Type.String({ minLength: 16 }),
      zones: Type.Array(Type.String(), { minItems: 1 }),
      pair: Type.Array(Type.String(), { minItems: 2 }),
      days: Type.Array(Type.String(), { uniqueItems: true }),
    });
    expect(
      problems(schema, { secret: 'short', zones: [], pair: ['a'], days: ['mon', 'tue', 'mon'] }, doc),
    ).toEqual([
      'secret: must be at least 16 characters long',
      'zones: must not be empty',
      'pair: must list at least 2 items',
      'days: lists "mon" twice',
    ]);
  });

  it('other keywords keep Ajv wording', () => {
    expect(problems(Type.Object({ n: Type.Number({ maximum: 10 }) }), { n: 11 })).toEqual([
      '/n: must be <= 10',
    ]);
  });

  it('never quotes a hidden value, only its type', () => {
    const schema = Type.Object({ devices: Type.Array(Type.Object({ secret: Type.Integer() })) });
    const style = { ...doc, hide: (p: string) => p.endsWith('/secret') };
    expect(problems(schema, { devices: [{ secret: 'hunter2-hunter2' }] }, style)).toEqual([
      'devices[0].secret: must be a whole number (got a string)',
    ]);
  });

  it('cuts a long quoted value short and writes each problem once', () => {
    const schema = Type.Object({ s: Type.Unsafe<string>({ enum: ['a'] }) });
    expect(problems(schema, { s: 'z'.repeat(100) })).toEqual([
      `/s: must be one of a (got "${'z'.repeat(60)}...)`,
    ]);
  });
});

describe('path styles', () => {
  it('pointerPath keeps the JSON pointer; the whole value is /', () => {
    expect(pointerPath('')).toBe('/');
    expect(pointerPath('/error/message')).toBe('/error/message');
  });

  it('dottedPath writes indexes in brackets and unescapes ~1 and ~0', () => {
    const path = dottedPath('(root)');
    expect(path('')).toBe('(root)');
    expect(path('/devices/3/resident')).toBe('devices[3].resident');
    expect(path('/a~1b/c~0d')).toBe('a/b.c~d');
    expect(path('/0/x')).toBe('[0].x');
  });
});
