// Calls to the API. The token lives in this tab's sessionStorage only and
// is sent as `Authorization: Bearer`; never in a URL or a cookie, so no
// other site can make the browser send it (no CSRF).

const KEY = 'prioridades.token';

/** The token of this tab, if signed in. */
export function token() {
  return sessionStorage.getItem(KEY);
}

/** Keeps (or, with null, forgets) the token of this tab. */
export function setToken(value) {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
}

/** An API error: the problem document the API answered with. */
export class Problem extends Error {
  constructor(status, doc) {
    super(doc.detail || doc.title || `HTTP ${status}`);
    this.status = status;
    this.doc = doc;
  }
}

/**
 * Calls the API at `path` (with `init` as for fetch) and returns the parsed
 * JSON body (null for 204), or throws a `Problem`.
 */
export async function api(path, init = {}) {
  return (await apiTagged(path, init)).body;
}

/**
 * As `api`, but answers `{ body, etag }`: the body and the response's
 * `ETag` (for an `If-Match` on the next write). A JSON body is sent as
 * `application/json` unless `init.headers` names another type.
 */
export async function apiTagged(path, init = {}) {
  const headers = new Headers(init.headers || {});
  headers.set('Accept', 'application/json');
  const secret = token();
  if (secret) headers.set('Authorization', `Bearer ${secret}`);
  if (init.body && typeof init.body !== 'string') {
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
    init = { ...init, body: JSON.stringify(init.body) };
  }
  const response = await fetch(path, { ...init, headers, credentials: 'omit' });
  const etag = response.headers.get('ETag');
  if (response.status === 204) return { body: null, etag };
  const body = await response.json().catch(() => ({ title: response.statusText }));
  if (!response.ok) throw new Problem(response.status, body);
  return { body, etag };
}

/** The caller's role and scope, as the API reports them for the token. */
export function whoAmI() {
  return api('/tokens/self');
}
