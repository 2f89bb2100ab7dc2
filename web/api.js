// Thin fetch wrapper for the gridgov JSON API.
// Session: HttpOnly cookie set by the server (credentials 'same-origin').
// CSRF: token kept in sessionStorage, sent as X-CSRF-Token on every non-GET request.

import { t, has } from './i18n.js';

const CSRF_KEY = 'gridgov.csrf';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export function setCsrf(token) {
  try {
    if (token) sessionStorage.setItem(CSRF_KEY, token);
    else sessionStorage.removeItem(CSRF_KEY);
  } catch {
    /* ignore */
  }
}

function getCsrf() {
  try {
    return sessionStorage.getItem(CSRF_KEY);
  } catch {
    return null;
  }
}

// body: a value sent as JSON, or { raw: Blob, type: 'image/png' } sent as it is.
// extra: more request headers (Idempotency-Key).
export async function request(method, path, body, extra = {}) {
  const headers = { Accept: 'application/json', ...extra };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body && typeof body === 'object' && body.raw instanceof Blob) {
    headers['Content-Type'] = body.type;
    init.body = body.raw;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = getCsrf();
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', '');
  }
  if (res.status === 204) return null;
  let data = null;
  const text = await res.text().catch(() => '');
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = data && typeof data === 'object' && data.error ? data.error : {};
    let code = typeof e.code === 'string' ? e.code : '';
    if (!code) {
      if (res.status === 401) code = 'unauthorized';
      else if (res.status === 403) code = 'forbidden';
      else if (res.status === 404) code = 'not_found';
      else if (res.status === 429) code = 'rate_limited';
      else if (res.status >= 500) code = 'server';
      else code = 'unknown';
    }
    throw new ApiError(res.status, code, typeof e.message === 'string' ? e.message : '');
  }
  if (data === null) throw new ApiError(res.status, 'server', '');
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);

// Words a user understands, never raw JSON. context ('case', ...) picks more precise words
// for the codes that depend on what was asked for (forbidden, not_found).
export function errorText(err, context) {
  if (!(err instanceof ApiError)) return t('error.unknown');
  if (context && has(`error.${context}.${err.code}`)) return t(`error.${context}.${err.code}`);
  if (has('error.' + err.code)) return t('error.' + err.code);
  if (err.status === 401) return t('error.unauthorized');
  if (err.status === 403) return t('error.forbidden');
  if (err.status === 404) return t('error.not_found');
  if (err.status === 429) return t('error.rate_limited');
  if (err.status >= 500) return t('error.server');
  if (err.status >= 400) return t('error.bad_request');
  return t('error.unknown');
}

const enc = encodeURIComponent;

// Area levels: the API may give "level" as a number (1 = province … 7 = cell) with the
// name in "level_name", or the name itself in "level". The UI always works with names.
const LEVELS = [null, 'province', 'city', 'district', 'street', 'community', 'grid', 'cell'];
const LEVEL_BY_CODE_LENGTH = { 2: 'province', 4: 'city', 6: 'district', 9: 'street', 12: 'community', 15: 'grid', 18: 'cell' };

export function levelOf(x) {
  if (!x || typeof x !== 'object') return '';
  if (typeof x.level_name === 'string' && x.level_name) return x.level_name;
  if (typeof x.level === 'string' && x.level) return x.level;
  if (Number.isInteger(x.level) && LEVELS[x.level]) return LEVELS[x.level];
  return LEVEL_BY_CODE_LENGTH[String(x.code ?? '').length] || '';
}

function normArea(a) {
  if (!a || typeof a !== 'object') return a;
  a.level = levelOf(a);
  if (Array.isArray(a.path)) a.path.forEach(normArea);
  return a;
}

function normCollection(fc) {
  if (fc && Array.isArray(fc.features)) {
    for (const f of fc.features) if (f && f.properties) normArea(f.properties);
  }
  return fc;
}

export const api = {
  me: () => get('/api/v1/me'),
  login: (username, password) => post('/api/v1/auth/login', { username, password }),
  logout: () => post('/api/v1/auth/logout'),
  area: async (code) => normArea(await get(`/api/v1/areas/${enc(code)}`)),
  children: async (code) => {
    const r = await get(`/api/v1/areas?parent=${enc(code)}`);
    if (r && Array.isArray(r.items)) r.items.forEach(normArea);
    return r;
  },
  geojson: async (code, depth) => normCollection(await get(`/api/v1/areas/${enc(code)}/geojson?depth=${depth}`)),
  locate: async (lon, lat) => normArea(await get(`/api/v1/locate?lon=${lon.toFixed(6)}&lat=${lat.toFixed(6)}`)),

  categories: () => get('/api/v1/categories'),
  cases: (query) => get('/api/v1/cases' + (query ? '?' + query : '')),
  getCase: (id) => get(`/api/v1/cases/${enc(id)}`),
  caseEvents: (id) => get(`/api/v1/cases/${enc(id)}/events`),
  act: (id, body) => post(`/api/v1/cases/${enc(id)}/actions`, body),
  report: (body) => post('/api/v1/cases', body),
  upload: (file) => request('POST', '/api/v1/attachments', { raw: file, type: file.type }),
  track: (number) => get(`/api/v1/track/${enc(number)}`),
  myChiefs: () => get('/api/v1/chiefs'),
};

// The content type of an attachment (the case only lists hash and url).
const mimeCache = new Map();
export function attachmentType(url) {
  if (!mimeCache.has(url)) {
    mimeCache.set(
      url,
      fetch(url, { method: 'HEAD', credentials: 'same-origin' })
        .then((r) => (r.ok ? (r.headers.get('Content-Type') || '').split(';')[0].trim() : ''))
        .catch(() => ''),
    );
  }
  return mimeCache.get(url);
}

// The category taxonomy, fetched once per page load.
let categoriesPromise = null;
export function loadCategories() {
  if (!categoriesPromise) {
    categoriesPromise = api.categories().then(
      (r) => (r && Array.isArray(r.items) ? r.items : []),
      (e) => {
        categoriesPromise = null;
        throw e;
      },
    );
  }
  return categoriesPromise;
}

// Areas (name and path) by code, fetched once each.
const areaCache = new Map();
export function areaInfo(code) {
  if (!areaCache.has(code)) {
    const p = api.area(code).catch((e) => {
      areaCache.delete(code);
      throw e;
    });
    areaCache.set(code, p);
  }
  return areaCache.get(code);
}
