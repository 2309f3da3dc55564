import type { Db } from '../core/db.js';
import { loadSiteFile } from './site-file.js';
import { SiteRegister } from './site-register.js';
import { importSite } from './store.js';

/**
 * The site register: who and what is in the building, loaded from the site YAML into SQLite and
 * served from memory. Start here: `openRegister(db, 'gateway/sites/example.yaml')`.
 */
export { generateSecret, hashSecret, verifySecret } from './credentials.js';
export { isOnShift, type LocalTime, localClock } from './shifts.js';
export {
  type Credential,
  loadSiteFile,
  parseSiteFile,
  type SiteDefinition,
  SiteFileError,
} from './site-file.js';
export { GATEWAY_USERNAME } from './site-file-checks.js';
export { SiteFileSchema } from './site-file-schema.js';
export { SiteRegister } from './site-register.js';
export { importSite, migrateRegister } from './store.js';

/**
 * Loads and checks the site file, replaces the register in SQLite with it, and returns the
 * in-memory register. Throws SiteFileError (every problem listed) and leaves SQLite untouched
 * when the file is not valid.
 */
export function openRegister(db: Db, siteFilePath: string): SiteRegister {
  importSite(db, loadSiteFile(siteFilePath));
  return new SiteRegister(db);
}
