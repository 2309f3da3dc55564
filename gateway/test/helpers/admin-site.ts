import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { TEST_SITE } from './gateway.js';

/** The admin of adminSite(): not on the roster, as a centre's administrator often is not. */
export const ADMIN_ID = 'ada';

/** The test site plus an administrator (site-file `admin: true`), written into `dir`. */
export function adminSite(dir: string): string {
  const site = parse(readFileSync(TEST_SITE, 'utf8')) as { staff: object[] };
  site.staff.push({
    id: ADMIN_ID,
    name: 'Ada Grey',
    firstName: 'Ada',
    role: 'carer',
    admin: true,
    secret: `${ADMIN_ID}-secret-0123456789`,
  });
  const file = join(dir, 'site-with-admin.yaml');
  writeFileSync(file, stringify(site));
  return file;
}
