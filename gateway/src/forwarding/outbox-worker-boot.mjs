// Worker threads do not inherit the tsx loader of the thread that starts them: register it here,
// then load the TypeScript worker. The built gateway runs dist/gateway/outbox-worker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./outbox-worker.ts');
