import { Type } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { decodePayload, dottedPath, formatSchemaErrors } from '../../src/index.js';

const sos = { type: 'sos', seq: 1, ts: 1 };
const errorsOf = (payload: Record<string, unknown>): string[] => {
  const decoded = decodePayload('deviceEvent', JSON.stringify(payload));
  if (decoded.ok) throw new Error('the payload was accepted');
  return decoded.errors;
};

describe('found by probing: a device payload decides how much the gateway writes to its log', () => {
  /**
   * A rejected payload's errors go to the log (ingest: "message rejected", and the
   * alarm-accepted-with-errors warning). Property names were written raw and every problem got a
   * line, so one broken or hostile wristband message (within the broker's packet limit) made a
   * log line of hundreds of kilobytes, each time its rejection is logged; on a Pi's SD card that
   * is wear and lost log rotation, and the line that matters (the alarm) is buried. A name with a
   * newline and terminal escapes could also forge a log line for whoever reads the journal.
   */
  it('10,000 unknown properties make a bounded list of errors', () => {
    const payload: Record<string, unknown> = { ...sos };
    for (let i = 0; i < 10_000; i++) payload[`extra-property-${i}`] = i;
    const errors = errorsOf(payload);
    expect(errors.length).toBeLessThanOrEqual(101);
    expect(errors.at(-1)).toMatch(/9\d{3} more problems/);
    expect(errors.join('; ').length).toBeLessThan(20_000);
  });

  it('a 200,000-character property name is cut short', () => {
    const errors = errorsOf({ ...sos, ['k'.repeat(200_000)]: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.length).toBeLessThan(200);
  });

  it('a property name with a newline and terminal escapes is quoted, not written raw', () => {
    const errors = errorsOf({ ...sos, '\n\u001b[31m[ALARM] resolved': 1 });
    expect(errors).toEqual(['/: unknown property "\\n\\u001b[31m[ALARM] resolved"']);
  });

  it('a payload that is not JSON is described without its control characters', () => {
    const decoded = decodePayload('deviceEvent', '\u001b[31m\n[ALARM] resolved');
    expect(decoded.ok).toBe(false);
    const [line] = decoded.ok ? [] : decoded.errors;
    expect(line).toMatch(/^\/: payload is not JSON \(.*\\u001b\[31m\\n\[ALA/);
    expect(line).not.toMatch(/\p{Cc}/u);
  });

  it('a path made of such a name (an unknown setting) is escaped and cut short too', () => {
    const validate = new Ajv({ allErrors: true, verbose: true }).compile(
      Type.Object({ mqtt: Type.Object({}, { additionalProperties: false }) }),
    );
    validate({ mqtt: { [`x\n${'k'.repeat(50_000)}`]: 1 } });
    const [line] = formatSchemaErrors(validate.errors, {
      path: dottedPath('(root)'),
      unknownProperty: 'unknown setting',
    });
    expect(line).toMatch(/^mqtt\.x\\nkkk+\.\.\.: unknown setting$/);
    expect(line!.length).toBeLessThan(200);
  });
});
