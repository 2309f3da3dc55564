import type { AlertEvents } from './alerts/events.js';
import type { FeedbackEvents } from './feedback/events.js';
import type { IngestEvents } from './ingest/events.js';
import type { WebhookEvents } from './webhook/events.js';

/**
 * Everything that travels on the gateway's internal event bus: each producer owns its events,
 * and each module is typed with the slice it uses. Assembled here, at the composition root.
 */
export type GatewayEvents = IngestEvents & AlertEvents & FeedbackEvents & WebhookEvents;
