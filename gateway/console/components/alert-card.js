import { ago, clockTime, dayTime, kindLabel, overdue, story } from '../format.js';
import { html } from '../vendor/htm-preact.mjs';

/** One alert as a large tappable card that opens its detail. */
export function AlertCard({ a, reg, now }) {
  const nameOf = (id) => reg.staff.get(id)?.name ?? id;
  const resident = a.residentId ? (reg.residents.get(a.residentId)?.name ?? a.residentId) : null;
  const room = a.roomId ? (reg.rooms.get(a.roomId)?.name ?? a.roomId) : a.zoneId;
  const late = !a.closedAt && overdue(a, now);
  return html`<li>
    <a class=${`card p-${a.priority}`} href=${`#/alert/${a.id}`}>
      <span class="badge">${a.priority}</span>
      <strong class="what">${kindLabel(a.kind)}${resident ? ` — ${resident}` : ''}</strong>
      <span class="where">${room}</span>
      <span class="story">${story(a, nameOf)}</span>
      <span class="meta">
        ${
          a.closedAt
            ? `${dayTime(a.raisedAt)} · closed ${clockTime(a.closedAt)}`
            : html`${ago(now - a.raisedAt)} ago · ${a.ownerId ? `owner ${nameOf(a.ownerId)}` : 'no owner yet'}
              ${late ? html` · <em class="late">overdue</em>` : ''}`
        }
      </span>
    </a>
  </li>`;
}
