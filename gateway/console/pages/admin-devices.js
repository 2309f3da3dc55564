import { api } from '../api.js';
import { Problems, SecretOnce } from '../components/secret-once.js';
import { html, useEffect, useState } from '../vendor/htm-preact.mjs';

// The device kinds of the wire protocol (edge/src/protocol/common.ts, DEVICE_KINDS).
const KINDS = [
  ['wristband', 'Wristband (a resident)'],
  ['care-button', 'Care button (a room)'],
  ['kiosk', 'Feedback kiosk (a room)'],
  ['base-station', 'Base station (serial)'],
];

/**
 * Devices (admin): register one (its secret shown once), give one a new secret, decommission one
 * (after a second, explicit confirmation; kept for the audit trail, refused at login).
 * Routes: docs/design/console.md, "Register writes as built".
 */
export function DevicesAdmin({ reg }) {
  const [devices, setDevices] = useState(null);
  const [error, setError] = useState(null);
  const [shown, setShown] = useState(null);
  const [confirming, setConfirming] = useState(null);
  const [busy, setBusy] = useState(false);
  const [kind, setKind] = useState('wristband');
  const load = () =>
    api('/devices')
      .then((r) => setDevices(r.devices))
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
  const register = (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const body = { id: String(f.get('id')).trim(), kind };
    for (const key of ['residentId', 'roomId', 'via']) if (f.get(key)) body[key] = String(f.get(key));
    return run(async () => {
      const r = await api('/devices', { method: 'POST', body });
      setShown({ label: `Secret of ${r.device.id}`, secret: r.secret });
      e.target.reset();
    });
  };
  const rotate = (id) =>
    run(async () => {
      const r = await api(`/devices/${encodeURIComponent(id)}/rotate-secret`, { method: 'POST' });
      setShown({ label: `New secret of ${id} (the old one no longer works)`, secret: r.secret });
    });
  const decommission = (id, reason) =>
    run(async () => {
      await api(`/devices/${encodeURIComponent(id)}/decommission`, {
        method: 'POST',
        body: reason ? { reason } : {},
      });
      setConfirming(null);
    });
  const stations = (devices ?? []).filter((d) => d.kind === 'base-station' && !d.decommissionedAt);
  return html`<section aria-labelledby="devices-title">
    <h2 id="devices-title">Devices</h2>
    ${shown && html`<${SecretOnce} ...${shown} onDone=${() => setShown(null)} />`}
    <${Problems} error=${error} />
    <form class="admin-form" onSubmit=${register} aria-labelledby="device-new-title">
      <h3 id="device-new-title">Register a device</h3>
      <label for="device-id">Device id</label>
      <input id="device-id" name="id" required autocapitalize="none" pattern="[A-Za-z0-9_.:\\-]{1,64}" />
      <label for="device-kind">Kind</label>
      <select id="device-kind" value=${kind} onChange=${(e) => setKind(e.target.value)}>
        ${KINDS.map(([v, label]) => html`<option value=${v}>${label}</option>`)}
      </select>
      ${
        kind === 'wristband'
          ? html`<label for="device-resident">Resident</label>
              <select id="device-resident" name="residentId" required>
                <option value="">Choose a resident</option>
                ${[...reg.residents.values()].map((r) => html`<option value=${r.id}>${r.name}</option>`)}
              </select>`
          : html`<label for="device-room">Room</label>
              <select id="device-room" name="roomId">
                <option value="">No room</option>
                ${[...reg.rooms.values()].map((r) => html`<option value=${r.id}>${r.name}</option>`)}
              </select>`
      }
      ${
        kind !== 'base-station' &&
        stations.length > 0 &&
        html`<label for="device-via">Through base station</label>
          <select id="device-via" name="via">
            <option value="">None (Wi-Fi)</option>
            ${stations.map((d) => html`<option value=${d.id}>${d.id}</option>`)}
          </select>`
      }
      <button class="primary" type="submit" disabled=${busy}>Register</button>
    </form>
    ${devices === null ? html`<p>Loading…</p>` : ''}
    <ul class="admin-list" aria-label="Devices">
      ${(devices ?? []).map(
        (d) => html`<li key=${d.id}>
          <span class="name">${d.id}</span>
          <span>${d.kind}${d.residentId ? ` · ${reg.residents.get(d.residentId)?.name ?? d.residentId}` : ''}${
            d.roomId ? ` · ${reg.rooms.get(d.roomId)?.name ?? d.roomId}` : ''
          }${d.decommissionedAt ? ' · decommissioned' : ''}</span>
          ${
            !d.decommissionedAt &&
            html`<div class="row">
              <button type="button" disabled=${busy} onClick=${() => rotate(d.id)}>New secret</button>
              <button type="button" disabled=${busy} onClick=${() => setConfirming(d.id)}>Decommission…</button>
            </div>`
          }
          ${confirming === d.id && html`<${ConfirmDecommission} id=${d.id} busy=${busy} onConfirm=${decommission} onCancel=${() => setConfirming(null)} />`}
        </li>`,
      )}
    </ul>
  </section>`;
}

/** The second step: says what it does, asks for a reason, and only then acts. */
function ConfirmDecommission({ id, busy, onConfirm, onCancel }) {
  const [reason, setReason] = useState('');
  return html`<div class="confirm" role="group" aria-label=${`Decommission ${id}`}>
    <p>Decommission <strong>${id}</strong> for good? It can no longer log in; its history stays. The id is never reused.</p>
    <label for=${`reason-${id}`}>Reason (optional)</label>
    <input id=${`reason-${id}`} value=${reason} onInput=${(e) => setReason(e.target.value)} />
    <div class="row">
      <button class="danger" type="button" disabled=${busy} onClick=${() => onConfirm(id, reason.trim())}>
        Decommission ${id}
      </button>
      <button type="button" onClick=${onCancel}>Keep it</button>
    </div>
  </div>`;
}
