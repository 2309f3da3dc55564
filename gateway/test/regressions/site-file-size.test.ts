import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSiteFile, SiteFileError } from '../../src/register/site-file.js';

describe('found by probing: a huge file given as the site file eats the memory of the Pi', () => {
  /**
   * The site file was read and parsed whatever its size; the YAML parser needs about 30 times
   * the file's size in memory (12 MB took 370 MB and 2 s). A wrong path given as the site file
   * (a log, a database dump) of 50 MB or more gets the gateway killed for lack of memory on a Pi,
   * and systemd restarts it into the same death, with no line saying why: no alarms meanwhile.
   * A real site (2,000 devices) is well under 1 MB.
   */
  it('refuses a file over the limit without reading it, saying its size', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'careedge-site-')), 'site.yaml');
    writeFileSync(file, 'site: { id: x }\n');
    truncateSync(file, 60 * 1024 * 1024); // 60 MB (sparse, so the test writes nothing)
    let caught: unknown;
    try {
      loadSiteFile(file);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SiteFileError);
    expect((caught as SiteFileError).problems).toEqual([
      `${file}: is 60 MB; a site file is at most 10 MB (is this the right file?)`,
    ]);
  });
});
