import { existsSync } from 'node:fs';
import { Type } from '@sinclair/typebox';

/** Shortest secret accepted: an HMAC key a receiver's staff cannot guess. */
export const WEBHOOK_SECRET_MIN = 16;

/** The webhook channel to a paging system (gateway/src/webhook/, README "Webhook"). */
export const WebhookSettings = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description:
        'Send signed deliveries to a paging system over HTTP(S). Off: the webhook module does not start and refuses deliveries.',
    }),
    url: Type.String({
      default: '',
      description:
        "The paging system's endpoint (http:// or https://); every delivery is a POST of JSON to it. Required when enabled. No user or password in it: they would show in the log.",
    }),
    secretFile: Type.String({
      default: '',
      description: `File holding the HMAC-SHA256 key the deliveries are signed with (at least ${WEBHOOK_SECRET_MIN} characters; surrounding white space ignored). Preferred over \`secret\`: a file can be readable by the gateway alone and stays out of the environment. Read at start.`,
    }),
    secret: Type.String({
      default: '',
      description: `The HMAC-SHA256 key itself (at least ${WEBHOOK_SECRET_MIN} characters), when no secretFile is set. Never logged.`,
    }),
    timeoutS: Type.Integer({
      minimum: 1,
      maximum: 120,
      default: 10,
      description:
        'One attempt that has not been answered within this many seconds (connection, request and answer) is given up and retried.',
    }),
    maxAttempts: Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 8,
      description:
        'Attempts per delivery before it is dead-lettered (kept with its last error, counted, logged). The wait before attempt n+1 is a random time up to 2^(n-1) s, at most 5 min (full jitter), or what the endpoint asked for in Retry-After (at most 5 min): 8 attempts span about 1 min on average and at most about 2 min plus timeouts; 12 span at most about 19 min.',
    }),
    maxQueued: Type.Integer({
      minimum: 10,
      maximum: 100_000,
      default: 10_000,
      description:
        'Deliveries kept in the webhook table (in the gateway database). Full: the oldest delivered or dead one makes room; when every one is still waiting, a new delivery is refused (counted, logged), never one dropped.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Webhook deliveries to a paging system.' },
);

/** Rules between webhook settings that the schema cannot state, as `path: message` lines. */
export function webhookProblems(w: {
  enabled: boolean;
  url: string;
  secret: string;
  secretFile: string;
}): string[] {
  if (!w.enabled) return [];
  const problems: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(w.url);
  } catch {
    /* reported below */
  }
  if (!w.url) problems.push('webhook.url: is required when webhook.enabled is true');
  else if (url?.protocol !== 'http:' && url?.protocol !== 'https:')
    problems.push('webhook.url: must be an http:// or https:// URL');
  else if (url.username || url.password)
    problems.push('webhook.url: must not hold a user or password (they would show in the log)');
  if (w.secret && w.secretFile)
    problems.push('webhook.secret: set either webhook.secretFile or webhook.secret, not both');
  else if (w.secretFile && !existsSync(w.secretFile))
    problems.push(`webhook.secretFile: no such file ${w.secretFile}`);
  else if (!w.secretFile && !w.secret)
    problems.push(
      'webhook.secretFile: is required when webhook.enabled is true (or webhook.secret): deliveries are signed',
    );
  else if (w.secret && w.secret.length < WEBHOOK_SECRET_MIN)
    problems.push(`webhook.secret: must be at least ${WEBHOOK_SECRET_MIN} characters`);
  return problems;
}
