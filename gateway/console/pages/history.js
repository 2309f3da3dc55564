import { api } from '../api.js';
import { AlertCard } from '../components/alert-card.js';
import { html, useEffect, useState } from '../vendor/htm-preact.mjs';

/** `yyyy-mm-dd` of `at` in the phone's time zone (the date input's own format). */
const dayOf = (at) => {
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** The query for the closed alerts of one local day (or every day), zone and resident. */
function historyQuery({ day, zone, resident }) {
  const q = new URLSearchParams({ state: 'closed', limit: '100' });
  if (day) {
    const [y, m, d] = day.split('-').map(Number);
    q.set('since', String(new Date(y, m - 1, d).getTime()));
    q.set('until', String(new Date(y, m - 1, d + 1).getTime()));
  }
  if (zone) q.set('zone', zone);
  if (resident) q.set('resident', resident);
  return `/alerts?${q}`;
}

/** Closed alerts (resolved or cancelled), newest first; each opens its detail and audit trail. */
export function HistoryPage({ reg, now }) {
  const [filter, setFilter] = useState({ day: dayOf(now), zone: '', resident: '' });
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    setState({ loading: true });
    api(historyQuery(filter))
      .then((r) => setState({ alerts: r.alerts }))
      .catch((err) => setState({ error: err }));
  }, [filter.day, filter.zone, filter.resident]);
  const set = (key) => (e) => setFilter({ ...filter, [key]: e.target.value });
  let list;
  if (state.loading) list = html`<p class="calm">Loading…</p>`;
  else if (state.error) list = html`<p class="error" role="alert">${state.error.message}</p>`;
  else if (state.alerts.length === 0) list = html`<p class="calm">No closed alerts for this choice.</p>`;
  else
    list = html`<ul class="alerts" aria-label="Closed alerts">
      ${state.alerts.map((a) => html`<${AlertCard} key=${a.id} a=${a} reg=${reg} now=${now} />`)}
    </ul>`;
  return html`<section aria-labelledby="history-title">
    <h2 id="history-title">Alert history</h2>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label for="history-day">Day</label>
      <input id="history-day" type="date" value=${filter.day} onChange=${set('day')} />
      <label for="history-zone">Zone</label>
      <select id="history-zone" value=${filter.zone} onChange=${set('zone')}>
        <option value="">All zones</option>
        ${[...reg.zones.values()].map((z) => html`<option value=${z.id}>${z.name}</option>`)}
      </select>
      <label for="history-resident">Resident</label>
      <select id="history-resident" value=${filter.resident} onChange=${set('resident')}>
        <option value="">All residents</option>
        ${[...reg.residents.values()].map((r) => html`<option value=${r.id}>${r.name}</option>`)}
      </select>
    </form>
    ${list}
  </section>`;
}
