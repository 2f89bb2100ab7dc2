// The offline queue ("outbox") of a signed-in user's reports, kept in IndexedDB so it survives
// a closed tab or a phone without signal. Each report gets an idempotency key when it is
// queued; it is sent with the header Idempotency-Key, so a report whose answer was lost and is
// sent again yields the first case, never a second (the server keeps the key with the case).
// Photos taken offline are kept as blobs and uploaded first (uploads are content-addressed).
// Sending runs when the network comes back ('online'), every 30 s, at start and on demand.
// #/outbox shows what is still waiting.

import { t, fmtDateTime } from './i18n.js';
import { request, errorText, ApiError } from './api.js';
import { el, button } from './ui.js';

const DB_NAME = 'gridgov';
const STORE = 'outbox';
const listeners = new Set();
let dbPromise = null;
let flushing = null;
let owner = null; // id of the signed-in user: only their reports are shown and sent

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      if (!('indexedDB' in window)) return reject(new Error('no IndexedDB'));
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    }).catch((e) => {
      dbPromise = null;
      throw e;
    });
  }
  return dbPromise;
}

async function tx(mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const x = db.transaction(STORE, mode);
    const s = x.objectStore(STORE);
    let out;
    Promise.resolve(fn(s)).then((v) => {
      out = v;
    });
    x.oncomplete = () => resolve(out);
    x.onerror = () => reject(x.error);
    x.onabort = () => reject(x.error);
  });
}

const reqP = (r) =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

// The signed-in user's waiting reports, oldest first (another user's stay for them).
export async function pending() {
  try {
    const items = await tx('readonly', (s) => reqP(s.getAll()));
    return (items || []).filter((x) => x.user === owner).sort((a, b) => a.created - b.created);
  } catch {
    return [];
  }
}

async function put(item) {
  await tx('readwrite', (s) => reqP(s.put(item)));
}

async function remove(key) {
  await tx('readwrite', (s) => reqP(s.delete(key)));
}

// A random key of 32 hex digits (crypto.randomUUID needs a secure context; this does not).
function newKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return 'r-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function notify() {
  pending().then((items) => {
    for (const fn of listeners) fn(items);
  });
}

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// Send one item: upload its photos, then the report with its key. Returns the case.
async function sendOne(item) {
  const attachments = [...(item.body.attachments || [])];
  for (const p of item.photos || []) {
    const r = await request('POST', '/api/v1/attachments', { raw: p.blob, type: p.mime });
    attachments.push(r.hash);
  }
  const body = { ...item.body };
  if (attachments.length) body.attachments = attachments;
  return request('POST', '/api/v1/cases', body, { 'Idempotency-Key': item.key });
}

// Queue a report and try to send it now. Resolves { sent: case } or { queued: item };
// an answer of the server that is not about the network (a refused report) is thrown and
// the report is not kept.
export async function submitReport(body, photos = []) {
  const item = { key: newKey(), kind: 'report', user: owner, created: Date.now(), body, photos, attempts: 0, error: '' };
  try {
    await put(item);
  } catch {
    // No IndexedDB (private mode): send directly, still with the key.
    return { sent: await sendOne(item) };
  }
  notify();
  try {
    const c = await sendOne(item);
    await remove(item.key);
    notify();
    return { sent: c };
  } catch (e) {
    if (e instanceof ApiError && e.status !== 0 && e.status !== 401 && e.status < 500 && e.status !== 429) {
      await remove(item.key);
      notify();
      throw e;
    }
    item.attempts = 1;
    item.error = e instanceof ApiError ? e.code : 'network';
    await put(item);
    notify();
    return { queued: item };
  }
}

// Send everything waiting, oldest first; stops at the first network failure.
export function flush() {
  if (owner === null) return Promise.resolve(0);
  if (flushing) return flushing;
  flushing = (async () => {
    let sent = 0;
    for (const item of await pending()) {
      if (item.failed) continue;
      try {
        await sendOne(item);
        await remove(item.key);
        sent++;
      } catch (e) {
        item.attempts = (item.attempts || 0) + 1;
        item.error = e instanceof ApiError ? e.code : 'network';
        if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 429) {
          item.failed = true; // refused: kept for the user to see and discard
          item.message = e.message || '';
          await put(item);
          continue;
        }
        await put(item);
        break;
      }
    }
    notify();
    return sent;
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

export async function discard(key) {
  await remove(key);
  notify();
}

let started = false;
// Start sending for user (the signed-in user object); called again after a new login.
export function startOutbox(user) {
  owner = user ? user.id : null;
  if (started) {
    if (navigator.onLine) flush();
    else notify();
    return;
  }
  started = true;
  window.addEventListener('online', () => flush());
  setInterval(() => {
    if (navigator.onLine && owner !== null) flush();
  }, 30000);
  if (navigator.onLine) flush();
  else notify();
}

/* --------------------------------------------------------------- the page */

function errorWords(item) {
  if (item.failed) return t('outbox.refused') + (item.message ? t('punct.colon') + item.message : '');
  if (!item.error) return t('outbox.waiting');
  return errorText(new ApiError(item.error === 'network' ? 0 : 500, item.error, ''));
}

export function outboxView(ctx) {
  let main = null;
  let off = null;
  function render(items) {
    if (!main) return;
    const page = el('div', 'page');
    const h1 = el('h1', 'page-title', t('outbox.title'));
    h1.tabIndex = -1;
    page.append(h1, el('p', 'page-intro', t('outbox.intro')));
    const status = el('p', 'outbox-net ' + (navigator.onLine ? 'is-online' : 'is-offline'), navigator.onLine ? t('outbox.online') : t('outbox.offline'));
    status.setAttribute('role', 'status');
    page.append(status);
    if (!items.length) page.append(el('p', 'muted outbox-empty', t('outbox.empty')));
    else {
      const ul = el('ul', 'outbox-list');
      for (const it of items) {
        const li = el('li', 'outbox-item' + (it.failed ? ' is-failed' : ''));
        li.dataset.key = it.key;
        li.dataset.attempts = String(it.attempts || 0);
        li.append(el('strong', null, it.body.description.slice(0, 60)));
        li.append(el('span', 'muted', t('outbox.queuedAt', { at: fmtDateTime(new Date(it.created).toISOString()) }) + (it.photos && it.photos.length ? ' · ' + t('outbox.photos', { n: it.photos.length }) : '')));
        li.append(el('span', 'outbox-state', errorWords(it)));
        if (it.failed) li.append(button('btn btn-ghost btn-small', t('outbox.discard'), () => discard(it.key)));
        ul.append(li);
      }
      page.append(ul);
      const b = button('btn btn-primary', t('outbox.sendNow'), async () => {
        ctx.busy();
        await flush();
        ctx.ready();
      });
      b.id = 'outbox-send';
      page.append(b);
    }
    main.replaceChildren(page);
  }
  const online = () => pending().then(render);
  return {
    mount(m) {
      main = m;
      off = onChange(render);
      window.addEventListener('online', online);
      window.addEventListener('offline', online);
      pending().then((items) => {
        render(items);
        ctx.ready();
      });
    },
    relabel() {
      pending().then(render);
    },
    destroy() {
      if (off) off();
      window.removeEventListener('online', online);
      window.removeEventListener('offline', online);
      main = null;
    },
  };
}
