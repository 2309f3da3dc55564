import { html, useState } from '../vendor/htm-preact.mjs';

/**
 * A new secret, shown this once (the gateway keeps only its hash): read it out or copy it into the
 * device's set-up now. The copy button uses the clipboard where the browser allows it (HTTPS or
 * localhost); otherwise the text is selectable.
 */
export function SecretOnce({ label, secret, onDone }) {
  const [copied, setCopied] = useState('');
  const copy = () =>
    navigator.clipboard
      .writeText(secret)
      .then(() => setCopied('Copied.'))
      .catch(() => setCopied('Copy by hand: this browser does not allow it here.'));
  return html`<div class="secret-once" role="status">
    <p><strong>${label}</strong> — shown only now; the gateway keeps no copy.</p>
    <code class="secret">${secret}</code>
    <div class="row">
      <button class="primary" type="button" onClick=${copy}>Copy</button>
      <button type="button" onClick=${onDone}>Done</button>
    </div>
    ${copied && html`<p>${copied}</p>`}
  </div>`;
}

/** A refusal from the register routes: a 422 lists one `path: message` problem a line. */
export function Problems({ error }) {
  if (!error) return null;
  const lines = String(error.message).split('\n');
  return html`<div class="error" role="alert">
    ${lines.length === 1 ? html`<p>${lines[0]}</p>` : html`<ul>${lines.map((l) => html`<li>${l}</li>`)}</ul>`}
  </div>`;
}
