import { AlertCard } from '../components/alert-card.js';
import { ordered } from '../format.js';
import { SUPERVISING } from '../roles.js';
import { html } from '../vendor/htm-preact.mjs';

/** The open alerts, live, most urgent first. */
export function AlertsPage({ alerts, me, reg, now }) {
  const list = ordered([...alerts.values()], { supervisor: SUPERVISING.has(me.role), now });
  return html`<h2 class="count">${alerts.size} open alert${alerts.size === 1 ? '' : 's'}</h2>
    ${
      list.length === 0
        ? html`<p class="calm">No open alerts.</p>`
        : html`<ul class="alerts" aria-label="Open alerts">
            ${list.map((a) => html`<${AlertCard} key=${a.id} a=${a} reg=${reg} now=${now} />`)}
          </ul>`
    }`;
}
