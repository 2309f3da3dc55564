import { api } from '../api.js';
import { html, useEffect, useState } from '../vendor/htm-preact.mjs';
import { DevicesAdmin } from './admin-devices.js';
import { StaffAdmin } from './admin-staff.js';

/**
 * Admin only: the register's devices and staff, and the machine tokens. The API decides (the
 * tokens route answers 403 to anyone else); the page says what it answered.
 */
export function AdminView({ me, reg }) {
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
  return html`<${DevicesAdmin} reg=${reg} />
    <${StaffAdmin} />
    <section aria-labelledby="admin-title">
      <h2 id="admin-title">Machine tokens</h2>
      <ul class="tokens">
        ${state.tokens.map((t) => html`<li key=${t.id}>${t.name} · ${t.role}${t.revokedAt ? ' · revoked' : ''}</li>`)}
      </ul>
    </section>`;
}
