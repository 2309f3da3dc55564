// The gateway's HTTP API as the console uses it: JSON in and out, the session cookie sent by the
// browser, and the session's CSRF token on every request that changes something.
let csrfToken = '';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'offline', 'the gateway cannot be reached: check the Wi-Fi');
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new ApiError(res.status, data.error?.code ?? 'error', data.error?.message ?? `error ${res.status}`);
  }
  return data;
}

/** Logs in; the cookie is set by the answer, the CSRF token kept here. */
export async function login(staffId, password) {
  const me = await api('/auth/login', { method: 'POST', body: { staffId, password } });
  csrfToken = me.csrfToken;
  return me;
}

/** Who is logged in (after a reload), or null. */
export async function whoAmI() {
  try {
    const me = await api('/auth/me');
    csrfToken = me.csrfToken;
    return me;
  } catch (err) {
    if (err.status === 401) return null;
    throw err;
  }
}

export async function logout() {
  await api('/auth/logout', { method: 'POST' });
  csrfToken = '';
}

export const act = (alertId, command) => api(`/alerts/${alertId}/actions`, { method: 'POST', body: command });
