import { logout, whoAmI } from './api.js';
import { alarm, audioReady, unlockAudio } from './cue.js';
import { kindLabel } from './format.js';
import { useHash, useRegister } from './hooks.js';
import { connectLive } from './live.js';
import { AdminView } from './pages/admin.js';
import { AlertsPage } from './pages/alerts.js';
import { AlertDetail } from './pages/detail.js';
import { HistoryPage } from './pages/history.js';
import { Login } from './pages/login.js';
import { ShiftView } from './pages/shift.js';
import { html, render, useEffect, useMemo, useState } from './vendor/htm-preact.mjs';

/** The logged-in console: header, banners, the page of the route, and the page menu. */
function Console({ me, onOut }) {
  const hash = useHash();
  const reg = useRegister();
  const [alerts, setAlerts] = useState(new Map());
  const [connection, setConnection] = useState('connecting');
  const [newest, setNewest] = useState(null);
  const [, setTick] = useState(0);
  const [sound, setSound] = useState(audioReady());
  // The gateway's time (its clock may differ from the phone's): ages are counted on it.
  const [skew, setSkew] = useState(0);
  useEffect(
    () =>
      connectLive({
        onAlerts: setAlerts,
        onConnection: (state, serverNow) => {
          setConnection(state);
          if (serverNow) setSkew(serverNow - Date.now());
        },
        onEnded: onOut,
        onChange: (change, known) => {
          if (!known && change.action === 'raised' && change.alert.priority === 'high') {
            setNewest(change.alert);
            alarm();
          }
        },
      }),
    [],
  );
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 15_000);
    // The first tap anywhere allows sound: the offer to turn it on goes away then.
    const tapped = () => setSound(audioReady());
    addEventListener('pointerup', tapped);
    return () => {
      clearInterval(t);
      removeEventListener('pointerup', tapped);
    };
  }, []);
  const now = Date.now() + skew;
  const enableSound = () => {
    unlockAudio();
    setSound(true);
  };
  const out = async () => {
    await logout().catch(() => {});
    onOut();
  };
  const page = useMemo(() => hash.split('/'), [hash]);
  let body;
  if (page[1] === 'alert')
    body = html`<${AlertDetail} id=${Number(page[2])} me=${me} reg=${reg} live=${alerts} now=${now} />`;
  else if (page[1] === 'shift') body = html`<${ShiftView} alerts=${alerts} reg=${reg} />`;
  else if (page[1] === 'history') body = html`<${HistoryPage} reg=${reg} now=${now} />`;
  else if (page[1] === 'admin') body = html`<${AdminView} me=${me} reg=${reg} />`;
  else body = html`<${AlertsPage} alerts=${alerts} me=${me} reg=${reg} now=${now} />`;
  const resident = newest?.residentId ? reg.residents.get(newest.residentId)?.name : null;
  return html`<header>
      <span class="me">${me.name} · ${me.role}</span>
      ${!sound && html`<button class="sound" onClick=${enableSound}>Turn on sound</button>`}
      <button class="logout" onClick=${out}>Log out</button>
    </header>
    ${
      connection === 'lost' &&
      html`<div class="banner lost" role="alert">Connection lost — reconnecting. Alerts may be out of date.</div>`
    }
    ${
      newest &&
      alerts.get(newest.id)?.ownerId === null &&
      html`<div class="banner urgent" role="alert">
        <a class="urgent-link" href=${`#/alert/${newest.id}`} onClick=${() => setNewest(null)}>
          New ${kindLabel(newest.kind)}${resident ? ` — ${resident}` : ''}: open it</a>
      </div>`
    }
    <main>${body}</main>
    <nav aria-label="Pages">
      <a href="#/" aria-current=${page[1] === '' ? 'page' : undefined}>Alerts</a>
      <a href="#/history" aria-current=${page[1] === 'history' ? 'page' : undefined}>History</a>
      <a href="#/shift" aria-current=${page[1] === 'shift' ? 'page' : undefined}>Shift</a>
      ${me.role === 'admin' && html`<a href="#/admin" aria-current=${page[1] === 'admin' ? 'page' : undefined}>Admin</a>`}
    </nav>`;
}

function App() {
  const [me, setMe] = useState(undefined);
  useEffect(() => {
    whoAmI()
      .then(setMe)
      .catch(() => setMe(null));
  }, []);
  if (me === undefined) return html`<p class="loading">Loading…</p>`;
  if (me === null) return html`<${Login} onIn=${setMe} />`;
  return html`<${Console} me=${me} onOut=${() => setMe(null)} />`;
}

// A first tap anywhere allows sound (browser rule).
addEventListener('pointerdown', unlockAudio, { once: true });
render(html`<${App} />`, document.getElementById('app'));
