/** The site's embedded MQTT broker and its access rules. */
export { type AclDecision, mayPublish, maySubscribe } from './acl.js';
export {
  type DeniedEvent,
  type EmbeddedBroker,
  type EmbeddedBrokerOptions,
  type LocalBus,
  startEmbeddedBroker,
} from './embedded-broker.js';
export type { BulkHandled } from './publish-routing.js';
