import { api } from '../api.js';
import { Problems, SecretOnce } from '../components/secret-once.js';
import { html, useEffect, useState } from '../vendor/htm-preact.mjs';

const ROLES = [
  ['carer', 'Carer'],
  ['nurse', 'Nurse'],
  ['supervisor', 'Supervisor'],
];

/**
 * Staff (admin): add a person (their handset secret shown once), give a handset a new secret.
 * Routes: docs/design/console.md, "Register writes as built".
 */
export function StaffAdmin() {
  const [staff, setStaff] = useState(null);
  const [error, setError] = useState(null);
  const [shown, setShown] = useState(null);
  const [busy, setBusy] = useState(false);
  const load = () =>
    api('/staff')
      .then((r) => setStaff(r.staff))
      .catch(setError);
  useEffect(() => {
    void load();
  }, []);
  const run = async (fn) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const add = (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const name = String(f.get('name')).trim();
    const body = {
      id: String(f.get('id')).trim(),
      name,
      firstName: String(f.get('firstName')).trim() || name.split(/\s+/)[0],
      role: String(f.get('role')),
      ...(f.get('admin') ? { admin: true } : {}),
    };
    return run(async () => {
      const r = await api('/staff', { method: 'POST', body });
      setShown({ label: `Handset secret of ${r.staff.name}`, secret: r.secret });
      e.target.reset();
    });
  };
  const rotate = (s) =>
    run(async () => {
      const r = await api(`/staff/${encodeURIComponent(s.id)}/rotate-secret`, { method: 'POST' });
      setShown({ label: `New handset secret of ${s.name} (the old one no longer works)`, secret: r.secret });
    });
  return html`<section aria-labelledby="staff-title">
    <h2 id="staff-title">Staff</h2>
    ${shown && html`<${SecretOnce} ...${shown} onDone=${() => setShown(null)} />`}
    <${Problems} error=${error} />
    <form class="admin-form" onSubmit=${add} aria-labelledby="staff-new-title">
      <h3 id="staff-new-title">Add a person</h3>
      <label for="staff-id">Staff id</label>
      <input id="staff-id" name="id" required autocapitalize="none" pattern="[A-Za-z0-9_.:\\-]{1,64}" />
      <label for="staff-name">Full name</label>
      <input id="staff-name" name="name" required />
      <label for="staff-first">First name, told to residents</label>
      <input id="staff-first" name="firstName" />
      <label for="staff-role">Role</label>
      <select id="staff-role" name="role">
        ${ROLES.map(([v, label]) => html`<option value=${v}>${label}</option>`)}
      </select>
      <label class="check"><input type="checkbox" name="admin" /> Administers the console</label>
      <button class="primary" type="submit" disabled=${busy}>Add</button>
    </form>
    ${staff === null ? html`<p>Loading…</p>` : ''}
    <ul class="admin-list" aria-label="Staff">
      ${(staff ?? []).map(
        (s) => html`<li key=${s.id}>
          <span class="name">${s.name}</span>
          <span>${s.id} · ${s.role}${s.admin ? ' · admin' : ''}</span>
          <div class="row">
            <button type="button" disabled=${busy} onClick=${() => rotate(s)}>New handset secret</button>
          </div>
        </li>`,
      )}
    </ul>
  </section>`;
}
