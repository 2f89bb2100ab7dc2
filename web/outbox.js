// The offline queue ("outbox") of a signed-in user's writes, kept in IndexedDB so it survives
// a closed tab or a phone without signal: case reports, household visits, batches of patrol
// track points and the end of a patrol. Each item gets a key when it is queued and is sent
// with it -- reports and visits in the header Idempotency-Key, track points as the batch id --
// so an item whose answer was lost and is sent again yields the first result, never a second
// (the server keeps the key with what it made). A patrol's end is sent after its points (the
// queue is sent oldest first, stopping at the first network failure), and an end answered
// "already ended" is done. Photos taken offline are kept as blobs and uploaded first (uploads
// are content-addressed). Sending runs when the network comes back ('online'), every 30 s, at
// start and on demand. #/outbox shows what is still waiting.

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

// Send one item; returns the server's answer. Reports upload their photos first.
async function sendOne(item) {
  const kind = item.kind || 'report';
  if (kind === 'visit') return request('POST', '/api/v1/visits', item.body, { 'Idempotency-Key': item.key });
  if (kind === 'points') return request('POST', `/api/v1/patrols/${encodeURIComponent(item.patrol)}/points`, { batch_id: item.key, points: item.body.points });
  if (kind === 'patrol_end') {
    try {
      return await request('POST', `/api/v1/patrols/${encodeURIComponent(item.patrol)}/end`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) return { status: 'ended' }; // ended before: done
      throw e;
    }
  }
  const attachments = [...(item.body.attachments || [])];
  for (const p of item.photos || []) {
    const r = await request('POST', '/api/v1/attachments', { raw: p.blob, type: p.mime });
    attachments.push(r.hash);
  }
  const body = { ...item.body };
  if (attachments.length) body.attachments = attachments;
  return request('POST', '/api/v1/cases', body, { 'Idempotency-Key': item.key });
}

// An answer that says the server refused the item for good (not the network, the session,
// the load or a server fault): sending it again cannot help.
function refused(e) {
  return e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 429;
}

// Queue an item and try to send it now. Resolves { sent: answer } or { queued: item }; an
// answer of the server that is not about the network (a refused item) is thrown and the item
// is not kept. If other items wait, they go first (in order), this one after them.
async function submitItem(item) {
  try {
    await put(item);
  } catch {
    // No IndexedDB (private mode): send directly, still with the key.
    return { sent: await sendOne(item) };
  }
  notify();
  const before = (await pending()).filter((x) => x.key !== item.key && !x.failed);
  if (before.length) {
    await flush();
    const still = (await pending()).find((x) => x.key === item.key);
    if (!still) return { sent: true };
    if (still.failed) {
      await remove(item.key);
      notify();
      throw new ApiError(400, still.error || 'invalid_argument', still.message || '');
    }
    return { queued: still };
  }
  try {
    const answer = await sendOne(item);
    await remove(item.key);
    notify();
    return { sent: answer };
  } catch (e) {
    if (refused(e)) {
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

function baseItem(kind, body) {
  return { key: newKey(), kind, user: owner, created: Date.now(), body, attempts: 0, error: '' };
}

// A case report (photos: [{ blob, mime, name }] taken offline).
export function submitReport(body, photos = []) {
  return submitItem({ ...baseItem('report', body), photos });
}

// A household visit (body as POST /api/v1/visits; visited_at is set by the caller).
export function submitVisit(body) {
  return submitItem(baseItem('visit', body));
}

// A batch of track points [{ t, lon, lat, accuracy }] of patrol id: queued, then sent in order.
export async function queuePoints(patrolId, points) {
  const item = { ...baseItem('points', { points }), patrol: patrolId };
  await put(item);
  notify();
  if (navigator.onLine) await flush();
  return item;
}

// The end of patrol id, after its points: queued, then sent in order.
export async function queuePatrolEnd(patrolId) {
  const item = { ...baseItem('patrol_end', {}), patrol: patrolId };
  await put(item);
  notify();
  if (navigator.onLine) await flush();
  return item;
}

// Send everything waiting, oldest first; stops at the first failure that is not a refusal.
// Items queued while it runs are sent in the same run.
export function flush() {
  if (owner === null) return Promise.resolve(0);
  if (flushing) return flushing.then(() => flush());
  flushing = (async () => {
    let sent = 0;
    const tried = new Set();
    for (;;) {
      const item = (await pending()).find((x) => !x.failed && !tried.has(x.key));
      if (!item) break;
      tried.add(item.key);
      try {
        await sendOne(item);
        await remove(item.key);
        sent++;
        notify();
      } catch (e) {
        item.attempts = (item.attempts || 0) + 1;
        item.error = e instanceof ApiError ? e.code : 'network';
        if (refused(e)) {
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

// What an item is, in words.
function itemTitle(it) {
  switch (it.kind) {
    case 'visit':
      return t('outbox.kind.visit', { text: String(it.body.findings || '').slice(0, 40) });
    case 'points':
      return t('outbox.kind.points', { n: it.body.points.length, id: it.patrol });
    case 'patrol_end':
      return t('outbox.kind.patrolEnd', { id: it.patrol });
    default:
      return t('outbox.kind.report', { text: String(it.body.description || '').slice(0, 60) });
  }
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
        li.dataset.kind = it.kind || 'report';
        li.dataset.attempts = String(it.attempts || 0);
        li.append(el('strong', null, itemTitle(it)));
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
