// Small helpers shared by the console pages: JSON API calls with the CSRF token.
let csrf = '';

export function setCsrf(token) { csrf = token; }

export class ApiError extends Error {
  constructor(status, message, code) { super(message); this.status = status; this.code = code; }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const resp = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = {};
  try { data = await resp.json(); } catch (e) { data = {}; }
  if (!resp.ok) {
    if (resp.status === 401 && data.code === 'session') {
      sessionExpired(data.error);
    }
    throw new ApiError(resp.status, data.error || `HTTP ${resp.status}`, data.code || '');
  }
  return data;
}

export function sessionExpired(message) {
  const banner = document.getElementById('session-expired');
  if (banner) {
    banner.hidden = false;
    banner.querySelector('.text').textContent = message || 'Your session has expired.';
  }
  document.body.dataset.session = 'expired';
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

export async function signOut(beforeLeave) {
  if (beforeLeave) await beforeLeave();
  try { await api('/api/logout', { method: 'POST' }); } catch (e) { /* already gone */ }
  window.location.href = '/login';
}
