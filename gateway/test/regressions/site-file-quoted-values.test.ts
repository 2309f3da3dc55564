import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSiteFile, SiteFileError } from '../../src/register/site-file.js';

const site = readFileSync(new URL('../fixtures/site.yaml', import.meta.url), 'utf8');

describe('found by probing: site file cross-checks quote values whole and raw', () => {
  /**
   * Schema problems quote values cut short and escaped, but the cross-checks (unknown zone,
   * duplicate id, unknown time zone) quoted the value whole: a roster exported from another
   * system with a 10,000-character cell or a stray escape sequence made a start-up error that
   * fills the terminal, or redraws it, so the administrator cannot see what stops the gateway.
   */
  it('an unknown zone and time zone are quoted escaped and cut short', () => {
    const long = 'x'.repeat(10_000);
    const text = site
      .replace('timezone: UTC', 'timezone: "\\e[2J\\nUTC"')
      .replace('{ staff: alice, zones: [north], rank: 1 }', `{ staff: alice, zones: [${long}], rank: 1 }`);
    let problems: string[] = [];
    try {
      parseSiteFile(text);
    } catch (err) {
      if (!(err instanceof SiteFileError)) throw err;
      problems = err.problems;
    }
    expect(problems).toContain(
      'site.timezone: unknown time zone "\\u001b[2J\\nUTC" (use an IANA name such as Europe/London)',
    );
    const zoneLine = problems.find((p) => p.startsWith('roster[0].zones[0]: unknown zone'));
    expect(zoneLine).toMatch(/^roster\[0\]\.zones\[0\]: unknown zone "x+\.\.\.$/);
    expect(zoneLine!.length).toBeLessThan(200);
  });
});
