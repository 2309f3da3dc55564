import { login } from '../api.js';
import { html, useState } from '../vendor/htm-preact.mjs';

export function Login({ onIn }) {
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
