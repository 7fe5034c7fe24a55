// The one place the console talks to the API: JSON in and out, the session's
// CSRF token on every state-changing request, and a 401 (session expired or
// logged out elsewhere) sends the user back to the login page.
let csrf = '';
let onUnauthorized = () => {};

export function setCsrf(token) { csrf = token || ''; }
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || 'http';
    this.field = e.field || null;
    this.requestId = body && body.request_id;
  }
}

export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

export async function api(method, path, body, opts = {}) {
  const headers = {Accept: 'application/json'};
  const init = {method, headers, credentials: 'same-origin'};
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined && body !== null) {
    if (opts.raw) {
      init.body = body;
      headers['Content-Type'] = opts.contentType || 'application/octet-stream';
    } else {
      init.body = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  const res = await fetch(path, init);
  let data = null;
  const ct = res.headers.get('Content-Type') || '';
  if (res.status !== 204) data = ct.includes('application/json') ? await res.json().catch(() => null) : await res.text();
  if (res.status === 401 && !opts.noRedirect) {
    onUnauthorized();
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const get = (path, params) => api('GET', path + qs(params));
export const post = (path, body, params) => api('POST', path + qs(params), body ?? {});
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path) => api('DELETE', path);
