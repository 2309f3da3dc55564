import type { AlertService } from '../alerts/service.js';
import type { AlertStore } from '../alerts/store.js';
import type { Health } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';

/** What the HTTP API is given by the composition root. */
export interface HttpApiDeps {
  siteId: string;
  log: Logger;
  health: Health;
  metrics: Pick<Metrics, 'registry'>;
  alerts: AlertService;
  alertStore: AlertStore;
}
