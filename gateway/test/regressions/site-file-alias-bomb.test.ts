import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSiteFile, SiteFileError } from '../../src/register/site-file.js';

const site = readFileSync(new URL('../fixtures/site.yaml', import.meta.url), 'utf8');

describe('found by probing: a site file with too many YAML aliases stops the gateway with a stack trace', () => {
  /**
   * The yaml library refuses to expand a document whose aliases multiply (a "billion laughs"
   * file, or a generated site file that reuses one anchor for every room) by throwing a plain
   * ReferenceError from toJS(). That escaped the site file's own error, so instead of "CareEdge
   * refuses to start because the site file is not valid" the night administrator got a stack
   * trace that names no file and no line, and the care home stays without its gateway longer.
   */
  it('is refused as a site file problem that says what is wrong', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [name, prev] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
    ] as const) {
      bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    let caught: unknown;
    try {
      parseSiteFile(`${site}${bomb.join('\n')}\n`, 'site.yaml');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SiteFileError);
    expect((caught as SiteFileError).problems).toEqual([
      expect.stringMatching(/^cannot read the YAML: .*alias/i),
    ]);
  });
});
