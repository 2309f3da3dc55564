import { ApiError, act, api } from '../api.js';
import { ACTION_LABEL, ago, clockTime, kindLabel, OUTCOMES } from '../format.js';
import { html, useEffect, useState } from '../vendor/htm-preact.mjs';

/** One alert: what it is, its audit trail, and the actions its state allows. */
export function AlertDetail({ id, me, reg, live, now }) {
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
    <p>
      ${
        a.state === 'resolved' || a.state === 'cancelled'
          ? html`<a href="#/history">← Alert history</a>`
          : html`<a href="#/">← All open alerts</a>`
      }
    </p>
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
