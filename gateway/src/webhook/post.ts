import type { Clock } from '../core/clock.js';
import { retryAfterMs } from '../core/retry.js';
import { signature } from './signature.js';

/**
 * What one attempt came to. `permanent`: the endpoint refused this delivery for good (a 4xx other
 * than 408 and 429: malformed, unauthorised, not found), so sending it again cannot help.
 * `retry`: anything else that is not a 2xx (5xx, 408, 429, 3xx, no answer in time, no connection).
 */
export type AttemptResult =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'permanent'; status: number; error: string }
  | { outcome: 'retry'; status?: number; error: string; retryAfterMs?: number };

export interface PostOptions {
  url: string;
  secret: string;
  clock: Clock;
  timeoutMs: number;
  delivery: { id: string; event: string; body: Buffer };
  attempt: number;
  /** Aborts the attempt (the sender stopping); it then counts as a retry. */
  signal: AbortSignal;
}

/** Error text kept from an answer: enough to say why, little enough for a log line. */
const ANSWER_TEXT_BYTES = 200;

/** A 4xx other than 408 (timeout) and 429 (too many): this delivery is refused for good. */
export const refusedForGood = (status: number) =>
  status >= 400 && status < 500 && status !== 408 && status !== 429;

/**
 * One signed POST of a delivery's exact bytes. The timeout is on the injected clock and covers
 * the whole attempt (connection, request, answer), so fake time drives it in the tests.
 */
export async function postDelivery(o: PostOptions): Promise<AttemptResult> {
  const { clock, delivery } = o;
  const controller = new AbortController();
  let timedOut = false;
  const timer = clock.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, o.timeoutMs);
  const stop = () => controller.abort();
  o.signal.addEventListener('abort', stop);
  const timestamp = Math.floor(clock.now() / 1000);
  try {
    const res = await fetch(o.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'CareEdge-gateway',
        'x-careedge-delivery': delivery.id,
        'x-careedge-event': delivery.event,
        'x-careedge-attempt': String(o.attempt),
        'x-careedge-timestamp': String(timestamp),
        'x-careedge-signature': signature(o.secret, timestamp, delivery.body),
      },
      body: delivery.body,
      // A paging endpoint that moved is a configuration to fix, not a place to send alarms unasked.
      redirect: 'manual',
      signal: controller.signal,
    });
    if (res.status >= 200 && res.status < 300) {
      // Taken: whatever follows the status line cannot make it less so.
      void res.body?.cancel().catch(() => undefined);
      return { outcome: 'delivered', status: res.status };
    }
    // An answer whose body never ends is judged by its status all the same.
    const text = await answerText(res).catch(() => '');
    const error = `answered ${res.status}${text ? `: ${text}` : ''}`;
    if (refusedForGood(res.status)) return { outcome: 'permanent', status: res.status, error };
    const after = retryAfterMs(res.headers.get('retry-after'), clock.now());
    return {
      outcome: 'retry',
      status: res.status,
      error,
      ...(after === undefined ? {} : { retryAfterMs: after }),
    };
  } catch (err) {
    if (timedOut) return { outcome: 'retry', error: `no answer within ${o.timeoutMs / 1000} s` };
    if (o.signal.aborted) return { outcome: 'retry', error: 'stopped during the attempt' };
    return { outcome: 'retry', error: `no connection: ${connectionError(err)}` };
  } finally {
    clock.clearTimeout(timer);
    o.signal.removeEventListener('abort', stop);
  }
}

/** The first bytes of the answer, on one line; the rest is not read (the body is cancelled). */
async function answerText(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < ANSWER_TEXT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, ANSWER_TEXT_BYTES).toString('utf8').replace(/\s+/g, ' ').trim();
}

/** fetch says "fetch failed"; its cause says what: ECONNREFUSED, ENOTFOUND, a TLS error. */
function connectionError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
