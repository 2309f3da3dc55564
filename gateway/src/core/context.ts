import type { AlertService } from '../alerts/service.js';
import type { AlertStore } from '../alerts/store.js';
import type { GatewayConfig } from '../config/schema.js';
import type { DispatchPlanner } from '../dispatch/plan.js';
import type { MqttLink } from '../mqtt/link.js';
import type { SiteRegister } from '../register/register.js';
import type { EventBus } from './bus.js';
import type { Clock } from './clock.js';
import type { Db } from './db.js';
import type { GatewayEvents } from './events.js';
import type { Health } from './health.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/** What the composition root gives every feature module: one typed object, not many arguments. */
export interface GatewayContext {
  config: GatewayConfig;
  siteId: string;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  bus: EventBus<GatewayEvents>;
  db: Db;
  register: SiteRegister;
  mqtt: MqttLink;
  alertStore: AlertStore;
  alerts: AlertService;
  planner: DispatchPlanner;
  /** Named problems that make the gateway degraded (storage, clock); reported by health/. */
  health: Health;
}

/**
 * A feature module. Start order is the order the composition root lists them; stop is reversed.
 * `optional`: not on the alarm path; when it fails to start, the gateway runs without it and
 * tries again (see startModules). Every other module is critical.
 */
export interface GatewayModule {
  readonly name: string;
  readonly optional?: boolean;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}
