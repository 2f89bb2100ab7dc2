// The grid worker's mobile pages (SPEC section 5, issue 8).
//
//   #/tasks                 my tasks: the patrol card (start / end with the device location,
//                           the track sent in batches), overdue household visits, cases waiting
//                           for my verification, the open cases of my grid with their deadlines.
//   #/visit[?household=ID]  the household visit form: a household of my grid, findings, and an
//                           optional follow-up case.
//
// Visits and track points go through the outbox (outbox.js): kept on the device without a
// network and sent exactly once when it returns. Starting a patrol needs the network (the server
// gives the patrol its number, which the points carry); the running patrol is remembered on the
// device (localStorage), so a reload or another page keeps recording. The list of my grid's
// households is kept on the device too, so the visit form works offline.

import { t, fmtDateTime, fmtNumber, getLang } from './i18n.js';
import { api, errorText, get, post, ApiError, loadCategories } from './api.js';
import { el, button, link, formField, setFieldError, selectEl, textareaEl, checkbox, statusBadge, countdownEl, tickCountdowns, isOverdue, caseDue, categoryLabel, FINISHED } from './ui.js';
import { submitVisit, queuePoints, queuePatrolEnd, onChange as onOutboxChange, pending as outboxPending } from './outbox.js';

export const FIELD_ROLES = new Set(['grid_worker', 'community_staff']);

const enc = encodeURIComponent;
const PATROL_KEY = 'gridgov.patrol';
const HOUSEHOLDS_KEY = 'gridgov.households';
const BATCH = 20; // points per batch sent while walking
const BATCH_EVERY_MS = 60000; // ... or at least once a minute
const ACCURACY_MAX = 10000; // metres: the server's limit for a fix
const SKEW_MS = 60000; // fixes older than the patrol's start by more than this are dropped

function errorBox(e, context) {
  const p = el('p', 'panel-error', e && e.local ? t(e.local) : errorText(e, context));
  p.setAttribute('role', 'alert');
  return p;
}

function store(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage unavailable: the feature degrades, nothing breaks */
  }
}

function load(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

/* ------------------------------------------------------------- the patrol */

// One tracker per page load: it keeps recording while the worker moves between pages.
const tracker = {
  user: null, // id of the user whose patrol this is
  patrol: null, // { id, grid_code, started_at }
  watch: null,
  timer: null,
  buffer: [], // fixes not yet queued
  queued: 0, // points handed to the outbox since the patrol started on this device
  last: null, // last fix { lon, lat, accuracy, t }
  geoError: null, // 'denied' | 'unavailable' | null
  listeners: new Set(),
};

function emit() {
  for (const fn of tracker.listeners) fn();
}

function onFix(pos) {
  const c = pos.coords;
  const at = Math.round(pos.timestamp || Date.now());
  tracker.geoError = null;
  if (!tracker.patrol) return;
  const started = Date.parse(tracker.patrol.started_at);
  if (Number.isFinite(started) && at < started - SKEW_MS) return; // a stale cached fix
  const fix = { t: at, lon: c.longitude, lat: c.latitude, accuracy: Math.min(Math.max(c.accuracy || 0, 0), ACCURACY_MAX) };
  tracker.last = fix;
  tracker.buffer.push(fix);
  if (tracker.buffer.length >= BATCH) sendBuffer();
  emit();
}

function onGeoError(e) {
  tracker.geoError = e && e.code === 1 ? 'denied' : 'unavailable';
  emit();
}

function startWatch() {
  if (tracker.watch !== null || !('geolocation' in navigator)) return;
  tracker.watch = navigator.geolocation.watchPosition(onFix, onGeoError, { enableHighAccuracy: true, maximumAge: 0, timeout: 60000 });
  tracker.timer = setInterval(() => sendBuffer(), BATCH_EVERY_MS);
}

function stopWatch() {
  if (tracker.watch !== null) navigator.geolocation.clearWatch(tracker.watch);
  if (tracker.timer) clearInterval(tracker.timer);
  tracker.watch = null;
  tracker.timer = null;
}

// Hand the buffered fixes to the outbox as one batch (sent now when online, else later).
async function sendBuffer() {
  if (!tracker.patrol || !tracker.buffer.length) return;
  const pts = tracker.buffer.splice(0);
  tracker.queued += pts.length;
  emit();
  await queuePoints(tracker.patrol.id, pts);
}

// Resume the signed-in user's running patrol remembered on this device (called at login).
export function resumePatrol(user) {
  if (!user || tracker.user !== user.id) {
    // Signing out: the fixes not yet handed over go to the outbox, still as this user's.
    if (tracker.patrol && tracker.buffer.length) queuePoints(tracker.patrol.id, tracker.buffer.splice(0)).catch(() => {});
    stopWatch();
    tracker.patrol = null;
    tracker.buffer = [];
    tracker.queued = 0;
    tracker.last = null;
  }
  tracker.user = user ? user.id : null;
  const saved = load(PATROL_KEY);
  if (user && saved && saved.user === user.id && saved.patrol) {
    tracker.patrol = saved.patrol;
    startWatch();
  }
  emit();
}

function adopt(p) {
  tracker.patrol = { id: p.id, grid_code: p.grid_code, started_at: p.started_at };
  tracker.buffer = [];
  tracker.queued = 0;
  store(PATROL_KEY, { user: tracker.user, patrol: tracker.patrol });
  startWatch();
  emit();
}

function currentPosition() {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) return reject({ local: 'fw.geoUnavailable' });
    navigator.geolocation.getCurrentPosition(resolve, (e) => reject({ local: e && e.code === 1 ? 'fw.geoDenied' : 'fw.geoUnavailable' }), {
      enableHighAccuracy: true,
      timeout: 20000,
      maximumAge: 0,
    });
  });
}

async function startPatrol(user) {
  if (!navigator.onLine) throw { local: 'fw.startNeedsNetwork' };
  const pos = await currentPosition();
  let p;
  try {
    p = await post('/api/v1/patrols');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 409)) throw e;
    // Already running (started on another device or before a lost answer): carry on with it.
    const r = await get(`/api/v1/patrols?running=1&user_id=${enc(user.id)}&limit=1`);
    if (!r.items || !r.items.length) throw e;
    p = r.items[0];
  }
  adopt(p);
  onFix(pos);
}

// End the running patrol: its last points, then the end, both through the outbox.
async function endPatrol() {
  const p = tracker.patrol;
  if (!p) return null;
  stopWatch();
  const pts = tracker.buffer.splice(0);
  tracker.patrol = null;
  store(PATROL_KEY, null);
  emit();
  if (pts.length) await queuePoints(p.id, pts);
  await queuePatrolEnd(p.id);
  const waiting = (await outboxPending()).some((x) => x.patrol === p.id);
  return { id: p.id, waiting };
}

// A patrol remembered on this device that the server has ended (from another device, or an
// end sent from here before a reload) is forgotten here too.
async function reconcilePatrol() {
  const p = tracker.patrol;
  if (!p || !navigator.onLine) return;
  try {
    const r = await get(`/api/v1/patrols/${enc(p.id)}`);
    if (r.status === 'ended' && tracker.patrol && tracker.patrol.id === p.id) {
      stopWatch();
      tracker.patrol = null;
      tracker.buffer = [];
      store(PATROL_KEY, null);
      emit();
    }
  } catch {
    /* unknown now: keep recording */
  }
}

/* -------------------------------------------------------------- my tasks */

export function tasksView(ctx) {
  const user = ctx.user;
  const st = { tasks: null, cases: [], error: null, casesError: null, patrolError: null, ended: null, endedInfo: null, working: false };
  let main = null;
  let alive = true;
  let timer = null;
  let offOutbox = null;
  let waiting = 0;
  const parts = {};

  async function loadAll() {
    ctx.busy();
    await reconcilePatrol();
    if (!alive) return;
    const [rt, rc] = await Promise.allSettled([get('/api/v1/tasks?limit=100'), api.cases('limit=100')]);
    if (!alive) return;
    if (rt.status === 'fulfilled') {
      st.tasks = rt.value;
      st.error = null;
    } else {
      if (rt.reason && rt.reason.status === 401) return ctx.sessionLost();
      st.error = rt.reason;
    }
    if (rc.status === 'fulfilled') {
      st.cases = (rc.value.items || []).filter((c) => !FINISHED.has(c.status));
      st.casesError = null;
    } else st.casesError = rc.reason;
    renderTasks();
    ctx.ready();
  }

  async function onStart() {
    st.working = true;
    st.patrolError = null;
    st.ended = null;
    renderPatrol();
    ctx.busy();
    try {
      await startPatrol(user);
    } catch (e) {
      if (e && e.status === 401) return ctx.sessionLost();
      st.patrolError = e;
    }
    st.working = false;
    renderPatrol();
    parts.patrol?.querySelector('#patrol-status')?.focus();
    ctx.ready();
  }

  async function onSend() {
    ctx.busy();
    await sendBuffer();
    renderPatrol();
    ctx.ready();
  }

  async function onEnd() {
    st.working = true;
    st.patrolError = null;
    renderPatrol();
    ctx.busy();
    try {
      st.ended = await endPatrol();
      st.endedInfo = null;
      if (st.ended && !st.ended.waiting) st.endedInfo = await get(`/api/v1/patrols/${enc(st.ended.id)}`).catch(() => null);
    } catch (e) {
      st.patrolError = e;
    }
    st.working = false;
    renderPatrol();
    parts.patrol?.querySelector('#patrol-status')?.focus();
    ctx.ready();
  }

  function renderPatrol() {
    const box = parts.patrol;
    if (!box) return;
    const out = [];
    const h = el('h2', 'card-title', t('fw.patrol'));
    h.id = 'patrol-title';
    out.push(h);
    const p = tracker.patrol;
    const status = el('p', 'patrol-status');
    status.id = 'patrol-status';
    status.tabIndex = -1;
    status.setAttribute('role', 'status');
    box.dataset.state = p ? 'running' : 'idle';
    if (p) {
      box.dataset.patrol = String(p.id);
      status.textContent = t('fw.running', { id: p.id, at: fmtDateTime(p.started_at) });
      out.push(status);
      const dl = el('dl', 'detail-list patrol-stats');
      const rows = [
        [t('fw.pointsSent'), fmtNumber(tracker.queued)],
        [t('fw.pointsBuffered'), fmtNumber(tracker.buffer.length)],
        [t('fw.lastFix'), tracker.last ? t('fw.fix', { lat: tracker.last.lat.toFixed(5), lon: tracker.last.lon.toFixed(5), acc: Math.round(tracker.last.accuracy) }) : t('fw.noFix')],
      ];
      for (const [k, v] of rows) dl.append(el('dt', null, k), el('dd', null, v));
      out.push(dl);
      if (tracker.geoError) out.push(errorBox({ local: tracker.geoError === 'denied' ? 'fw.geoDenied' : 'fw.geoUnavailable' }));
      const actions = el('div', 'form-actions');
      const send = button('btn btn-secondary', t('fw.sendPoints'), onSend);
      send.id = 'patrol-send';
      send.disabled = st.working || !tracker.buffer.length;
      const end = button('btn btn-primary', t('fw.end'), onEnd);
      end.id = 'patrol-end';
      end.disabled = st.working;
      actions.append(send, end);
      out.push(actions);
    } else {
      delete box.dataset.patrol;
      if (st.ended) {
        status.textContent = st.ended.waiting ? t('fw.endedWaiting', { id: st.ended.id }) : st.endedInfo ? t('fw.endedInfo', { id: st.ended.id, km: (st.endedInfo.distance_m / 1000).toFixed(2), n: st.endedInfo.points, min: Math.round(st.endedInfo.duration_s / 60) }) : t('fw.ended', { id: st.ended.id });
        status.dataset.ended = String(st.ended.id);
      } else status.textContent = t('fw.idle');
      out.push(status);
      out.push(el('p', 'field-hint', t('fw.startHint')));
      const start = button('btn btn-primary', st.working ? t('fw.starting') : t('fw.start'), onStart);
      start.id = 'patrol-start';
      start.disabled = st.working;
      out.push(start);
    }
    if (st.patrolError) out.push(errorBox(st.patrolError));
    if (waiting) out.push(el('p', 'muted patrol-waiting', t('fw.outboxWaiting', { n: waiting })), link('link-btn', t('nav.outbox'), '#/outbox'));
    box.replaceChildren(...out);
  }

  function taskItem(k) {
    const li = el('li', 'task-item');
    li.dataset.household = String(k.subject_id);
    const head = el('div', 'task-head');
    const name = k.subject_kind === 'household' ? link('hh-link', k.label || '#' + k.subject_id, `#/households/${enc(k.subject_id)}`) : el('span', null, k.label || '#' + k.subject_id);
    head.append(name, el('span', 'task-overdue', t('fw.daysOverdue', { n: k.days_overdue })));
    li.append(head);
    li.append(el('span', 'muted', k.last_visit_at ? t('fw.lastVisit', { at: fmtDateTime(k.last_visit_at), days: k.interval_days }) : t('fw.neverVisited', { days: k.interval_days })));
    if (k.subject_kind === 'household') li.append(link('btn btn-secondary btn-small', t('fw.visitNow'), `#/visit?household=${enc(k.subject_id)}`, { 'aria-label': t('fw.visitLabel', { name: k.label || k.subject_id }) }));
    return li;
  }

  function caseItem(c, verify) {
    const li = el('li', 'task-item');
    li.dataset.case = String(c.case_id || c.id);
    const head = el('div', 'task-head');
    head.append(link('hh-link', c.number, `#/cases/${enc(c.case_id || c.id)}`), statusBadge(c.status));
    li.append(head);
    const line = el('span', 'muted', categoryLabel(getLang(), c) + (c.description ? ' · ' + c.description.slice(0, 50) : ''));
    li.append(line);
    if (!verify) {
      const due = el('span', 'task-due');
      due.append(el('span', null, t('fw.due') + t('punct.colon')), countdownEl(c));
      li.append(due);
    }
    return li;
  }

  function section(id, title, count, items, empty) {
    const sec = el('section', 'card task-section');
    sec.id = id;
    sec.setAttribute('aria-labelledby', id + '-title');
    const h = el('h2', 'card-title');
    h.id = id + '-title';
    h.append(el('span', null, title), el('span', 'count-badge', fmtNumber(count)));
    sec.append(h);
    if (!items.length) sec.append(el('p', 'muted', empty));
    else {
      const ul = el('ul', 'task-list');
      ul.append(...items);
      sec.append(ul);
    }
    return sec;
  }

  function renderTasks() {
    const box = parts.tasks;
    if (!box) return;
    const out = [];
    if (st.error) out.push(errorBox(st.error));
    if (st.tasks) {
      const visits = st.tasks.overdue_visits || [];
      out.push(section('tasks-visits', t('fw.overdueVisits'), st.tasks.overdue_total ?? visits.length, visits.map(taskItem), t('fw.noOverdue')));
      const verify = st.tasks.to_verify || [];
      out.push(section('tasks-verify', t('fw.toVerify'), verify.length, verify.map((c) => caseItem(c, true)), t('fw.noVerify')));
    }
    if (st.casesError) out.push(errorBox(st.casesError));
    else {
      const cases = [...st.cases].sort((a, b) => {
        const oa = isOverdue(a) ? 0 : 1;
        const ob = isOverdue(b) ? 0 : 1;
        if (oa !== ob) return oa - ob;
        const da = caseDue(a)?.iso ? Date.parse(caseDue(a).iso) : Infinity;
        const db = caseDue(b)?.iso ? Date.parse(caseDue(b).iso) : Infinity;
        return da - db;
      });
      out.push(section('tasks-cases', t('fw.myCases'), cases.length, cases.map((c) => caseItem(c, false)), t('fw.noCases')));
    }
    box.replaceChildren(...out);
  }

  function render() {
    const page = el('div', 'page fw-page');
    const h1 = el('h1', 'page-title', t('fw.title'));
    h1.tabIndex = -1;
    page.append(h1);
    const quick = el('nav', 'fw-quick');
    quick.setAttribute('aria-label', t('fw.quick'));
    quick.append(link('btn btn-secondary', t('fw.recordVisit'), '#/visit', { id: 'tasks-visit-link' }), link('btn btn-secondary', t('fw.myHouseholds'), '#/households', { id: 'tasks-households-link' }), link('btn btn-secondary', t('nav.report'), '#/report'));
    page.append(quick);
    // Patrols are of a grid: for grid workers (community staff visit, they do not patrol).
    parts.patrol = null;
    if (user.role === 'grid_worker') {
      parts.patrol = el('section', 'card patrol-card');
      parts.patrol.id = 'patrol-card';
      parts.patrol.setAttribute('aria-labelledby', 'patrol-title');
      page.append(parts.patrol);
    }
    parts.tasks = el('div', 'task-sections');
    page.append(parts.tasks);
    main.replaceChildren(page);
    renderPatrol();
    renderTasks();
  }

  const onTrack = () => renderPatrol();
  return {
    mount(m) {
      main = m;
      tracker.listeners.add(onTrack);
      offOutbox = onOutboxChange((items) => {
        waiting = items.length;
        renderPatrol();
      });
      outboxPending().then((items) => {
        waiting = items.length;
        renderPatrol();
      });
      render();
      loadAll();
      timer = setInterval(() => parts.tasks && tickCountdowns(parts.tasks), 30000);
    },
    relabel() {
      render();
    },
    destroy() {
      alive = false;
      tracker.listeners.delete(onTrack);
      if (offOutbox) offOutbox();
      clearInterval(timer);
    },
  };
}

/* ------------------------------------------------------------ visit form */

// The households of the user's grid: from the server when online (kept on the device), else
// the kept copy.
async function myHouseholds(user) {
  const items = [];
  try {
    let after = null;
    for (let i = 0; i < 10; i++) {
      const r = await get(`/api/v1/households?area=${enc(user.area_code)}&limit=500${after ? '&after=' + enc(after) : ''}`);
      items.push(...(r.items || []));
      after = r.next || null;
      if (!after) break;
    }
    const slim = items.map((x) => ({ id: x.id, household_no: x.household_no || '', address: x.address || '', area_code: x.area_code || '' }));
    store(HOUSEHOLDS_KEY, { user: user.id, at: Date.now(), items: slim });
    return { items: slim, cached: false };
  } catch (e) {
    const kept = load(HOUSEHOLDS_KEY);
    if (e instanceof ApiError && e.status === 0 && kept && kept.user === user.id) return { items: kept.items, cached: true, at: kept.at };
    throw e;
  }
}

function householdLabel(h) {
  return [h.household_no, h.address].filter(Boolean).join(' · ') || '#' + h.id;
}

export function visitView(ctx, r) {
  const user = ctx.user;
  const st = {
    households: null,
    cached: false,
    cats: [],
    error: null,
    v: { household: r.query.get('household') || '', findings: '', followUp: false, cls: '', cat: '', description: '' },
    submitting: false,
    submitError: null,
    result: null, // { sent } or { queued }
  };
  let main = null;
  let alive = true;
  let f = null;

  async function loadData() {
    ctx.busy();
    const [rh, rc] = await Promise.allSettled([myHouseholds(user), loadCategories()]);
    if (!alive) return;
    if (rh.status === 'fulfilled') {
      st.households = rh.value.items;
      st.cached = rh.value.cached;
    } else {
      if (rh.reason && rh.reason.status === 401) return ctx.sessionLost();
      st.error = rh.reason;
    }
    st.cats = rc.status === 'fulfilled' ? rc.value : [];
    render();
    ctx.ready();
  }

  function readValues() {
    if (!f) return;
    st.v.household = f.household.control.value;
    st.v.findings = f.findings.control.value;
    st.v.followUp = f.followUp.input.checked;
    if (f.cls) st.v.cls = f.cls.control.value;
    if (f.cat) st.v.cat = f.cat.control.value;
    if (f.desc) st.v.description = f.desc.control.value;
  }

  function validate() {
    const bad = [];
    const v = st.v;
    const check = (field, ok, key) => {
      if (!field) return;
      setFieldError(field, ok ? '' : t(key));
      if (!ok) bad.push(field);
    };
    check(f.household, !!v.household, 'fw.err.household');
    check(f.findings, v.findings.trim().length > 0, 'fw.err.findings');
    if (v.followUp) {
      check(f.cls, !!v.cls, 'report.needCategory');
      check(f.cat, !!v.cat, 'report.needCategory');
      check(f.desc, v.description.trim().length >= 5, 'fw.err.description');
    }
    return bad;
  }

  async function submit() {
    readValues();
    const bad = validate();
    if (bad.length) {
      bad[0].control.focus();
      return;
    }
    const v = st.v;
    const body = { household_id: Number(v.household), findings: v.findings.trim(), visited_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
    if (v.followUp) body.follow_up_case = { category: v.cat, description: v.description.trim() };
    st.submitting = true;
    st.submitError = null;
    render();
    ctx.busy();
    try {
      st.result = await submitVisit(body);
    } catch (e) {
      if (e && e.status === 401) return ctx.sessionLost();
      st.submitError = e;
    }
    st.submitting = false;
    render();
    main.querySelector(st.result ? '#visit-done' : '#visit-error')?.focus();
    ctx.ready();
  }

  function renderDone() {
    const page = el('div', 'page fw-page');
    const box = el('section', 'card visit-done');
    const h = el('h1', 'page-title', st.result.queued ? t('fw.visitQueued') : t('fw.visitSaved'));
    h.id = 'visit-done';
    h.tabIndex = -1;
    box.dataset.state = st.result.queued ? 'queued' : 'sent';
    box.append(h);
    if (st.result.queued) box.append(el('p', null, t('fw.visitQueuedHint')));
    else {
      const s = st.result.sent || {};
      if (s.id) box.dataset.visit = String(s.id);
      box.append(el('p', null, t('fw.visitSavedHint', { at: fmtDateTime(s.visited_at) })));
      if (s.follow_up_case) box.append(el('p', null, t('fw.followUpMade', { number: s.follow_up_case.number })));
    }
    const actions = el('div', 'form-actions');
    actions.append(
      button('btn btn-primary', t('fw.anotherVisit'), () => {
        st.result = null;
        st.v = { household: '', findings: '', followUp: false, cls: '', cat: '', description: '' };
        render();
        main.querySelector('#visit-household')?.focus();
      }),
      link('btn btn-secondary', t('fw.title'), '#/tasks'),
    );
    if (st.result.queued) actions.append(link('btn btn-secondary', t('nav.outbox'), '#/outbox', { id: 'visit-outbox-link' }));
    box.append(actions);
    page.append(box);
    main.replaceChildren(page);
  }

  function render() {
    if (!main) return;
    if (st.result) return renderDone();
    const page = el('div', 'page fw-page');
    const h1 = el('h1', 'page-title', t('fw.visitTitle'));
    h1.tabIndex = -1;
    page.append(h1, el('p', 'page-intro', t('fw.visitIntro')));
    if (st.error) {
      page.append(errorBox(st.error));
      main.replaceChildren(page);
      return;
    }
    if (!st.households) {
      page.append(el('p', 'muted', t('panel.loading')));
      main.replaceChildren(page);
      return;
    }
    if (st.cached) page.append(el('p', 'muted visit-cached', t('fw.householdsKept')));
    const form = el('form', 'card visit-form');
    form.id = 'visit-form';
    form.noValidate = true;
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      submit();
    });
    const v = st.v;
    f = {};
    const hh = selectEl('household', [{ value: '', label: t('fw.chooseHousehold') }, ...st.households.map((h) => ({ value: String(h.id), label: householdLabel(h) }))], v.household);
    hh.id = 'visit-household';
    f.household = formField(t('fw.household'), hh, { required: true, hint: st.households.length ? t('fw.householdHint', { n: st.households.length }) : t('fw.noHouseholds') });
    const fin = textareaEl('findings', v.findings, 4);
    fin.id = 'visit-findings';
    fin.maxLength = 2000;
    f.findings = formField(t('fw.findings'), fin, { required: true, hint: t('fw.findingsHint') });
    f.followUp = checkbox(t('fw.followUp'), v.followUp, () => {
      readValues();
      render();
      main.querySelector('#visit-follow-up')?.focus();
    });
    f.followUp.input.id = 'visit-follow-up';
    form.append(f.household.wrap, f.findings.wrap, f.followUp.wrap);
    if (v.followUp) {
      const lang = getLang();
      const fs = el('fieldset', 'visit-case');
      fs.append(el('legend', null, t('fw.followUpCase')));
      const classes = st.cats.filter((c) => !c.parent);
      const cls = selectEl('class', [{ value: '', label: t('report.chooseClass') }, ...classes.map((c) => ({ value: c.code, label: categoryLabel(lang, c) }))], v.cls);
      cls.id = 'visit-class';
      f.cls = formField(t('report.category'), cls, { required: true });
      const subs = st.cats.filter((c) => c.parent && c.parent === v.cls);
      const cat = selectEl('category', [{ value: '', label: t('report.chooseSub') }, ...subs.map((c) => ({ value: c.code, label: categoryLabel(lang, c) }))], v.cat);
      cat.id = 'visit-category';
      cat.disabled = !v.cls;
      f.cat = formField(t('report.subcategory'), cat, { required: true });
      cls.addEventListener('change', () => {
        readValues();
        st.v.cat = '';
        render();
        main.querySelector('#visit-class')?.focus();
      });
      const desc = textareaEl('description', v.description, 3);
      desc.id = 'visit-description';
      desc.maxLength = 2000;
      f.desc = formField(t('fw.caseDescription'), desc, { required: true });
      if (!st.cats.length) fs.append(el('p', 'muted', t('fw.noCategories')));
      fs.append(f.cls.wrap, f.cat.wrap, f.desc.wrap);
      form.append(fs);
    }
    const err = el('p', 'form-error');
    err.id = 'visit-error';
    err.tabIndex = -1;
    err.setAttribute('role', 'alert');
    if (st.submitError) err.textContent = errorText(st.submitError, 'visit');
    else err.hidden = true;
    const submitBtn = el('button', 'btn btn-primary btn-block', st.submitting ? t('fw.saving') : t('fw.saveVisit'));
    submitBtn.type = 'submit';
    submitBtn.id = 'visit-submit';
    submitBtn.disabled = st.submitting;
    form.append(err, submitBtn);
    page.append(form);
    main.replaceChildren(page);
  }

  return {
    mount(m) {
      main = m;
      render();
      loadData();
    },
    relabel() {
      readValues();
      render();
    },
    destroy() {
      alive = false;
    },
  };
}
