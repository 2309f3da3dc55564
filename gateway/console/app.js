import { ApiError, act, api, login, logout, whoAmI } from './api.js';
import { alarm, audioReady, unlockAudio } from './cue.js';
import { ACTION_LABEL, ago, clockTime, kindLabel, OUTCOMES, ordered, overdue, story } from './format.js';
import { connectLive } from './live.js';
import { html, render, useEffect, useMemo, useState } from './vendor/htm-preact.mjs';

const SUPERVISING = new Set(['supervisor', 'admin']);

function useHash() {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Login({ onIn }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    setBusy(true);
    setError('');
    try {
      onIn(await login(String(form.get('staffId')).trim(), String(form.get('password'))));
    } catch (err) {
      setError(err.status === 401 ? 'Wrong staff id or password.' : err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login">
    <h1>CareEdge</h1>
    <p>Log in with your staff id and console password.</p>
    <form onSubmit=${submit}>
      <label for="staffId">Staff id</label>
      <input id="staffId" name="staffId" autocomplete="username" autocapitalize="none" required />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button class="primary" type="submit" disabled=${busy}>Log in</button>
    </form>
  </main>`;
}

/** The register's names, read once after login. */
function useRegister() {
  const [reg, setReg] = useState({ residents: new Map(), rooms: new Map(), staff: new Map(), roster: [] });
  useEffect(() => {
    Promise.all(['residents', 'rooms', 'staff', 'roster'].map((r) => api(`/${r}`)))
      .then(([res, rooms, staff, roster]) =>
        setReg({
          residents: new Map(res.residents.map((x) => [x.id, x])),
          rooms: new Map(rooms.rooms.map((x) => [x.id, x])),
          staff: new Map(staff.staff.map((x) => [x.id, x])),
          roster: roster.roster,
        }),
      )
      .catch(() => {});
  }, []);
  return reg;
}

function AlertCard({ a, reg, now }) {
  const nameOf = (id) => reg.staff.get(id)?.name ?? id;
  const resident = a.residentId ? (reg.residents.get(a.residentId)?.name ?? a.residentId) : null;
  const room = a.roomId ? (reg.rooms.get(a.roomId)?.name ?? a.roomId) : a.zoneId;
  const late = overdue(a, now);
  return html`<li>
    <a class=${`card p-${a.priority}`} href=${`#/alert/${a.id}`}>
      <span class="badge">${a.priority}</span>
      <strong class="what">${kindLabel(a.kind)}${resident ? ` — ${resident}` : ''}</strong>
      <span class="where">${room}</span>
      <span class="story">${story(a, nameOf)}</span>
      <span class="meta">
        ${ago(now - a.raisedAt)} ago · ${a.ownerId ? `owner ${nameOf(a.ownerId)}` : 'no owner yet'}
        ${late ? html` · <em class="late">overdue</em>` : ''}
      </span>
    </a>
  </li>`;
}

function AlertList({ alerts, me, reg, now }) {
  const list = ordered([...alerts.values()], { supervisor: SUPERVISING.has(me.role), now });
  if (list.length === 0) return html`<p class="calm">No open alerts.</p>`;
  return html`<ul class="alerts" aria-label="Open alerts">
    ${list.map((a) => html`<${AlertCard} key=${a.id} a=${a} reg=${reg} now=${now} />`)}
  </ul>`;
}

function AlertDetail({ id, me, reg, live, now }) {
  const [detail, setDetail] = useState(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState('assisted');
  const [to, setTo] = useState('');
  const load = () =>
    api(`/alerts/${id}`)
      .then(setDetail)
      .catch((err) => setError(err.message));
  // Again whenever the live stream says this alert changed.
  useEffect(() => {
    void load();
  }, [id, live.get(id)?.updatedAt]);
  if (!detail) return html`<p>${error || 'Loading…'}</p>`;
  const a = detail.alert;
  const nameOf = (s) => reg.staff.get(s)?.name ?? s;
  const mine = a.ownerId === me.staffId;
  const run = async (command) => {
    setBusy(true);
    setError('');
    try {
      await act(id, command);
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const colleagues = [...reg.staff.values()].filter((s) => s.id !== me.staffId);
  return html`<section class="detail" aria-labelledby="detail-title">
    <p><a href="#/">← All open alerts</a></p>
    <h2 id="detail-title">${kindLabel(a.kind)} <span class=${`badge p-${a.priority}`}>${a.priority}</span></h2>
    <dl>
      <dt>Resident</dt><dd>${a.residentId ? (reg.residents.get(a.residentId)?.name ?? a.residentId) : '—'}</dd>
      <dt>Room</dt><dd>${a.roomId ? (reg.rooms.get(a.roomId)?.name ?? a.roomId) : a.zoneId}</dd>
      <dt>State</dt><dd class="state">${a.state}${a.outcome ? ` (${a.outcome})` : ''}</dd>
      <dt>Owner</dt><dd>${a.ownerId ? nameOf(a.ownerId) : 'nobody yet'}</dd>
      <dt>Raised</dt><dd>${clockTime(a.raisedAt)}, ${ago(now - a.raisedAt)} ago</dd>
    </dl>
    <h3>What happened</h3>
    <ol class="audit" aria-label="Audit trail">
      ${detail.audit.map(
        (e) => html`<li key=${e.id}>
          <time>${clockTime(e.at)}</time>${' '}${ACTION_LABEL[e.action] ?? e.action}${' · '}
          <span class="who">${e.actor.startsWith('staff:') ? nameOf(e.actor.slice(6)) : e.actor}</span>
          ${e.detail?.via === 'console' ? html`${' '}<span class="via">(console)</span>` : ''}
          ${e.detail?.outcome ? html`<span>${` — ${e.detail.outcome}`}</span>` : ''}
        </li>`,
      )}
    </ol>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="actions" role="group" aria-label="Actions">
      ${
        (a.state === 'dispatched' || a.state === 'raised') &&
        html`<button class="primary" disabled=${busy} onClick=${() => run({ action: 'accept' })}>Accept</button>`
      }
      ${
        a.state === 'acknowledged' &&
        mine &&
        html`<button class="primary" disabled=${busy} onClick=${() => run({ action: 'arrive' })}>I have arrived</button>`
      }
      ${
        a.state === 'attended' &&
        mine &&
        html`<label for="outcome">Outcome</label>
          <select id="outcome" value=${outcome} onChange=${(e) => setOutcome(e.target.value)}>
            ${OUTCOMES.map(([v, label]) => html`<option value=${v}>${label}</option>`)}
          </select>
          <button class="primary" disabled=${busy} onClick=${() => run({ action: 'resolve', outcome })}>Resolve</button>`
      }
      ${
        (a.state === 'acknowledged' || a.state === 'attended') &&
        mine &&
        html`<details class="handover">
          <summary>Hand over</summary>
          <label for="handover-to">To</label>
          <select id="handover-to" value=${to} onChange=${(e) => setTo(e.target.value)}>
            <option value="">Choose a colleague</option>
            ${colleagues.map((s) => html`<option value=${s.id}>${s.name}</option>`)}
          </select>
          <button disabled=${busy || !to} onClick=${() => run({ action: 'handover', to })}>Offer handover</button>
        </details>`
      }
      ${(a.state === 'resolved' || a.state === 'cancelled') && html`<p class="closed">Closed.</p>`}
    </div>
  </section>`;
}

/** Who is on the roster and how many open alerts each one owns: for balancing, not a ranking. */
function ShiftView({ alerts, reg }) {
  const load = new Map();
  for (const a of alerts.values()) if (a.ownerId) load.set(a.ownerId, (load.get(a.ownerId) ?? 0) + 1);
  const max = Math.max(3, ...load.values());
  return html`<section aria-labelledby="shift-title">
    <h2 id="shift-title">On the roster</h2>
    <p>Open alerts each person owns now: a picture for sharing the work.</p>
    <ul class="shift">
      ${reg.roster.map((r) => {
        const n = load.get(r.staffId) ?? 0;
        const name = reg.staff.get(r.staffId)?.name ?? r.staffId;
        return html`<li key=${r.staffId}>
          <span class="name" id=${`load-${r.staffId}`}>${name}${r.supervisor ? ' (supervisor)' : ''}</span>
          <meter min="0" max=${max} value=${n} aria-labelledby=${`load-${r.staffId}`}></meter>
          <span class="count">${n} open</span>
        </li>`;
      })}
    </ul>
  </section>`;
}

/** Admin only: the machine tokens. The API decides; the page says what it answered. */
function AdminView({ me }) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    api('/auth/tokens')
      .then((r) => setState({ tokens: r.tokens }))
      .catch((err) => setState({ error: err }));
  }, []);
  if (state.loading) return html`<p>Loading…</p>`;
  if (state.error?.status === 403)
    return html`<section class="denied" role="alert"><h2>Administrators only</h2>
      <p>This page needs the admin role; you are logged in as ${me.role}.</p></section>`;
  if (state.error) return html`<p class="error" role="alert">${state.error.message}</p>`;
  return html`<section aria-labelledby="admin-title">
    <h2 id="admin-title">Machine tokens</h2>
    <ul class="tokens">
      ${state.tokens.map((t) => html`<li key=${t.id}>${t.name} · ${t.role}${t.revokedAt ? ' · revoked' : ''}</li>`)}
    </ul>
  </section>`;
}

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
  else if (page[1] === 'admin') body = html`<${AdminView} me=${me} />`;
  else
    body = html`<h2 class="count">${alerts.size} open alert${alerts.size === 1 ? '' : 's'}</h2>
    <${AlertList} alerts=${alerts} me=${me} reg=${reg} now=${now} />`;
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
