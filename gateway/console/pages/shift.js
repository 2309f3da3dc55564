import { html } from '../vendor/htm-preact.mjs';

/** Who is on the roster and how many open alerts each one owns: for balancing, not a ranking. */
export function ShiftView({ alerts, reg }) {
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
