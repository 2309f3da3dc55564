// The live alert list over Server-Sent Events (GET /api/v1/events). EventSource reconnects by
// itself and sends Last-Event-ID, so the gateway replays what was missed; a `resync` is followed
// by a fresh snapshot. `onChange` gets the open alerts (by id), the connection state and each change;
// `onEnded` is called when the session is over.
import { whoAmI } from './api.js';

export function connectLive({ onAlerts, onConnection, onChange, onEnded }) {
  const open = new Map();
  let source;
  let retry;

  const publish = () => onAlerts(new Map(open));
  const closed = (a) => a.state === 'resolved' || a.state === 'cancelled';

  function start() {
    source = new EventSource('/api/v1/events');
    source.addEventListener('open', () => onConnection('open'));
    source.addEventListener('snapshot', (e) => {
      const { alerts, now } = JSON.parse(e.data);
      open.clear();
      for (const a of alerts) open.set(a.id, a);
      onConnection('open', now);
      publish();
    });
    source.addEventListener('resync', () => onConnection('resync'));
    source.addEventListener('alert', (e) => {
      const change = JSON.parse(e.data);
      const known = open.has(change.alert.id);
      if (closed(change.alert)) open.delete(change.alert.id);
      else open.set(change.alert.id, change.alert);
      onChange(change, known);
      publish();
    });
    source.addEventListener('error', () => {
      onConnection('lost');
      // The browser retries by itself unless the gateway refused the stream (a 401 after the
      // session ended, a 503 when full): an ended session goes back to the login page (a phone
      // left open past the session's end must not show stale alerts); otherwise try again later.
      if (source.readyState === EventSource.CLOSED) {
        clearTimeout(retry);
        const later = () => {
          retry = setTimeout(start, 3000);
        };
        whoAmI()
          .then((me) => (me === null ? onEnded() : later()))
          .catch(later);
      }
    });
  }
  start();
  return () => {
    clearTimeout(retry);
    source.close();
  };
}
