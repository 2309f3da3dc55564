export { type HistoryPlace, type SeedHistoryOptions, seedClosedAlerts } from './alerts/history-seed.js';
export type { Alert, AlertState, AuditEntry } from './alerts/model.js';
export { EXAMPLE_SITE, type RunningGateway, type StartOptions, startGateway, VERSION } from './app.js';
export { ConfigError, type DeepPartial, envName, loadConfig } from './config/load.js';
export type { GatewayConfig } from './config/schema.js';
export * from './core/clock.js';
export { createLogger, silentLogger } from './core/logger.js';
export { GATEWAY_NODE_FLAGS } from './core/node-flags.js';
export {
  type Credential,
  loadSiteFile,
  parseSiteFile,
  type SiteDefinition,
  SiteFileError,
} from './register/site-file.js';
export * from './register/types.js';
export type { OfflineRules, OfflineRulesOptions, OpenOfflineRules, ReplayAlert } from './rules/offline.js';
export { openOfflineRules } from './rules/offline-engine.js';
export { type ReplayProgress, type ReplayRun, replayFile, replayMessages } from './rules/replay.js';
