// gridgov web interface: router, header, login screen and area map.
// Plain ES module, no framework. All DOM text is set with textContent (never innerHTML with data).
//
// Routes (hash): #/map, #/cases (queue; "my cases" for residents), #/cases/ID, #/report,
// #/track[/NUMBER], #/login, #/tasks and #/visit (grid workers), #/users (admins),
// #/survey/ID[/results], #/volunteers[/ID], #/needs[/ID], #/posts[/ID], #/chiefs/ID,
// #/compliance, #/ratings, #/surveys (community.js, ratings.js). Report, track and answering a survey are public; the rest needs a
// session.

import { t, toggleLang, applyDocumentLang, levelName, roleName, fmtNumber } from './i18n.js';
import { api, errorText, setCsrf } from './api.js';
import { AreaMap, el } from './map.js';
import { queueView, caseView } from './cases.js';
import { reportView } from './report.js';
import { trackView } from './track.js';
import { dashboardView, DASHBOARD_ROLES } from './dashboard.js';
import { householdsView, householdView, HOUSEHOLD_ROLES } from './households.js';
import { outboxView, startOutbox, onChange as onOutboxChange, pending as outboxPending } from './outbox.js';
import { disputesView, disputeView, councilsView, topicView, decisionView, DISPUTE_ROLES, COUNCIL_ROLES } from './civic.js';
import { surveyView, surveyResultsView, SURVEY_RESULT_ROLES } from './survey.js';
import { tasksView, visitView, resumePatrol, FIELD_ROLES } from './fieldwork.js';
import { usersView, USER_ADMIN_ROLES } from './users.js';
import { volunteersView, volunteerView, needsView, needView, postsView, postView, chiefView, VOLUNTEER_ROLES } from './community.js';
import { complianceView, ratingsView, surveysView, COMPLIANCE_ROLES, RATING_ROLES } from './ratings.js';
import { captureFields, restoreFields } from './formstate.js';

const root = document.getElementById('app');

const state = {
  user: null,
  loginError: null, // ApiError or {code} for local validation
  area: null, // full area object (with path and bbox)
  items: [], // children of the current area
  outline: null,
  childGeo: null,
  selected: null, // code of a selected cell
  panelError: null,
  loading: false,
};

let areaMap = null;
let navToken = 0;
let shell = null; // { root, header, main }
let mapParts = null; // { panel, mapWrap, mapEl } while the map view is shown
let current = null; // { name, view }
let outboxCount = 0; // reports waiting in the offline outbox

// Roles that have a case queue (the list API answers them); residents get "my cases".
const QUEUE_ROLES = new Set([
  'grid_worker',
  'community_staff',
  'station_cadre',
  'dispatcher',
  'department_handler',
  'mediator',
  'leader',
  'admin',
]);
// Roles the server lets report a case (department handlers only receive them).
const CANNOT_REPORT = new Set(['department_handler']);
const PUBLIC_ROUTES = new Set(['report', 'track', 'decision', 'survey']);
const NAV_PARENT = { volunteer: 'volunteers', need: 'needs', post: 'posts', chief: 'posts' };
const COMMUNITY_ROUTES = new Set(['volunteers', 'volunteer', 'needs', 'need', 'posts', 'post', 'chief']);

function setReady(ready) {
  document.body.dataset.ready = ready ? '1' : '0';
}

function setView(view) {
  document.body.dataset.view = view;
}

function button(cls, text, onClick, attrs = {}) {
  const b = el('button', cls, text);
  b.type = 'button';
  for (const [k, v] of Object.entries(attrs)) b.setAttribute(k, v);
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

function langButton(onSwitch) {
  const b = button('btn btn-ghost lang-btn', t('lang.switch'), () => {
    toggleLang();
    onSwitch();
  });
  b.id = 'lang-btn';
  b.setAttribute('aria-label', t('lang.switchLabel'));
  b.lang = t('lang.switch') === 'English' ? 'en' : 'zh-CN';
  return b;
}

function brandMark(size) {
  const img = el('img', 'brand-icon');
  img.src = '/icon.svg';
  img.alt = '';
  img.width = size;
  img.height = size;
  return img;
}

/* ------------------------------------------------------------------ login */

function showLogin(error = null) {
  unmountView();
  shell = null;
  state.user = null;
  resumePatrol(null); // before the outbox forgets the user: unsent fixes are queued as theirs
  startOutbox(null);
  state.area = null;
  state.loginError = error;
  setView('login');
  renderLogin();
  setReady(true);
}

function renderLogin() {
  const old = root.querySelector('form.login-form');
  const keep = old ? { u: old.elements.username.value, p: old.elements.password.value } : { u: '', p: '' };
  const hadFocus = document.activeElement && document.activeElement.id;

  const page = el('div', 'login-page');
  const top = el('div', 'login-top');
  top.append(langButton(renderLogin));

  const main = el('main', 'login-main');
  const card = el('section', 'login-card');
  card.setAttribute('aria-labelledby', 'login-title');

  const brand = el('div', 'login-brand');
  brand.append(brandMark(56));
  const h1 = el('h1', 'login-product', t('app.name'));
  brand.append(h1, el('p', 'login-tagline', t('app.tagline')));

  const h2 = el('h2', 'login-title', t('login.title'));
  h2.id = 'login-title';
  const hint = el('p', 'login-hint', t('login.hint'));

  const form = el('form', 'login-form');
  form.noValidate = true;
  form.setAttribute('aria-describedby', 'login-error');

  const fUser = field('login-username', t('login.username'), 'text', 'username', 'username');
  const fPass = field('login-password', t('login.password'), 'password', 'password', 'current-password');
  fUser.input.value = keep.u;
  fPass.input.value = keep.p;

  const err = el('p', 'form-error');
  err.id = 'login-error';
  err.setAttribute('role', 'alert');
  if (state.loginError) {
    err.textContent = state.loginError.local ? t(state.loginError.local) : errorText(state.loginError);
    const onlyEmpty = state.loginError.local === 'login.required';
    if (!onlyEmpty || !keep.u.trim()) fUser.input.setAttribute('aria-invalid', 'true');
    if (!onlyEmpty || !keep.p) fPass.input.setAttribute('aria-invalid', 'true');
  } else {
    err.hidden = true;
  }

  const submit = el('button', 'btn btn-primary btn-block', t('login.submit'));
  submit.type = 'submit';
  submit.id = 'login-submit';

  form.append(fUser.wrap, fPass.wrap, err, submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    doLogin(form, submit);
  });

  const pub = el('nav', 'login-public');
  pub.setAttribute('aria-label', t('login.public'));
  pub.append(el('span', null, t('login.public')));
  const aReport = el('a', 'login-public-link', t('nav.report'));
  aReport.href = '#/report';
  const aTrack = el('a', 'login-public-link', t('nav.track'));
  aTrack.href = '#/track';
  pub.append(aReport, aTrack);

  card.append(brand, h2, hint, form, pub);
  main.append(card);
  const footer = el('footer', 'login-footer', t('login.footer'));
  page.append(top, main, footer);
  root.replaceChildren(page);

  if (hadFocus && document.getElementById(hadFocus)) document.getElementById(hadFocus).focus();
}

function field(id, label, type, name, autocomplete) {
  const wrap = el('div', 'field');
  const lab = el('label', null, label);
  lab.htmlFor = id;
  const input = el('input');
  input.id = id;
  input.name = name;
  input.type = type;
  input.autocomplete = autocomplete;
  input.required = true;
  input.spellcheck = false;
  input.setAttribute('autocapitalize', 'none');
  wrap.append(lab, input);
  return { wrap, input };
}

async function doLogin(form, submit) {
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  if (!username || !password) {
    state.loginError = { local: 'login.required' };
    renderLogin();
    root.querySelector(username ? '#login-password' : '#login-username').focus();
    return;
  }
  setReady(false);
  submit.disabled = true;
  submit.textContent = t('login.submitting');
  try {
    const res = await api.login(username, password);
    setCsrf(res.csrf_token);
    let user = res.user;
    if (!user || !user.area_code) user = await api.me();
    state.loginError = null;
    state.user = user;
    state.area = null;
    startOutbox(user);
    resumePatrol(user);
    if (parseRoute().name === 'login') history.replaceState(null, '', '#/map');
    route();
  } catch (e) {
    state.loginError = e;
    renderLogin();
    const pw = root.querySelector('#login-password');
    pw.value = '';
    pw.focus();
    setReady(true);
  }
}

/* ----------------------------------------------------------------- router */

function parseRoute() {
  const h = location.hash.replace(/^#\/?/, '');
  const qi = h.indexOf('?');
  const pathPart = qi >= 0 ? h.slice(0, qi) : h;
  const query = new URLSearchParams(qi >= 0 ? h.slice(qi + 1) : '');
  let parts;
  try {
    parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    parts = [];
  }
  switch (parts[0]) {
    case undefined:
      return { name: 'home', query };
    case 'map':
      return { name: 'map', query };
    case 'dashboard':
      return { name: 'dashboard', query };
    case 'disputes':
      return parts[1] ? { name: 'dispute', id: parts[1], query } : { name: 'disputes', query };
    case 'councils':
      return { name: 'councils', query };
    case 'topics':
      return parts[1] ? { name: 'topic', id: parts[1], query } : { name: 'councils', query };
    case 'decisions':
      return parts[1] ? { name: 'decision', id: parts[1], query } : { name: 'home', query };
    case 'outbox':
      return { name: 'outbox', query };
    case 'survey':
      if (!parts[1]) return { name: 'home', query };
      return parts[2] === 'results' ? { name: 'surveyResults', id: parts[1], query } : { name: 'survey', id: parts[1], query };
    case 'tasks':
      return { name: 'tasks', query };
    case 'visit':
      return { name: 'visit', query };
    case 'users':
      return { name: 'users', query };
    case 'volunteers':
      return parts[1] ? { name: 'volunteer', id: parts[1], query } : { name: 'volunteers', query };
    case 'needs':
      return parts[1] ? { name: 'need', id: parts[1], query } : { name: 'needs', query };
    case 'posts':
      return parts[1] ? { name: 'post', id: parts[1], query } : { name: 'posts', query };
    case 'chiefs':
      return parts[1] ? { name: 'chief', id: parts[1], query } : { name: 'posts', query };
    case 'compliance':
      return { name: 'compliance', query };
    case 'ratings':
      return { name: 'ratings', query };
    case 'surveys':
      return { name: 'surveys', query };
    case 'households':
      return parts[1] ? { name: 'household', id: parts[1], query } : { name: 'households', query };
    case 'cases':
      return parts[1] ? { name: 'case', id: parts[1], query } : { name: 'cases', query };
    case 'report':
      return { name: 'report', query };
    case 'track':
      return { name: 'track', number: parts[1] || '', query };
    case 'login':
      return { name: 'login', query };
    default:
      return { name: 'home', query };
  }
}

function canQueue(user) {
  return !!user && (user.role === 'resident' || QUEUE_ROLES.has(user.role));
}

function canReport(user) {
  return !user || !CANNOT_REPORT.has(user.role);
}

// Go to a hash; re-route even when it is the current one.
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function route() {
  let r = parseRoute();
  const user = state.user;
  if (r.name === 'home' || (r.name === 'login' && user)) {
    if (!user) return showLogin(state.loginError);
    history.replaceState(null, '', '#/map');
    r = { name: 'map', query: new URLSearchParams() };
  }
  if (r.name === 'login') return showLogin(state.loginError);
  if (!user && !PUBLIC_ROUTES.has(r.name)) return showLogin(state.loginError);
  if (((r.name === 'disputes' || r.name === 'dispute') && !DISPUTE_ROLES.has(user.role)) ||
    ((r.name === 'councils' || r.name === 'topic') && !COUNCIL_ROLES.has(user.role)) ||
    ((r.name === 'households' || r.name === 'household') && !HOUSEHOLD_ROLES.has(user.role)) ||
    (r.name === 'dashboard' && !DASHBOARD_ROLES.has(user.role)) ||
    (r.name === 'surveyResults' && !SURVEY_RESULT_ROLES.has(user.role)) ||
    ((r.name === 'tasks' || r.name === 'visit') && !FIELD_ROLES.has(user.role)) ||
    (r.name === 'users' && !USER_ADMIN_ROLES.has(user.role)) ||
    (COMMUNITY_ROUTES.has(r.name) && !VOLUNTEER_ROLES.has(user.role)) ||
    (r.name === 'compliance' && !COMPLIANCE_ROLES.has(user.role)) ||
    ((r.name === 'ratings' || r.name === 'surveys') && !RATING_ROLES.has(user.role)) || (r.name === 'cases' && !canQueue(user)) || (r.name === 'report' && !canReport(user))) {
    history.replaceState(null, '', '#/map');
    r = { name: 'map', query: new URLSearchParams() };
  }
  mountView(r);
}

const VIEWS = {
  map: () => mapView(),
  dashboard: (ctx, r) => dashboardView(ctx, r),
  households: (ctx, r) => householdsView(ctx, r),
  outbox: (ctx) => outboxView(ctx),
  tasks: (ctx, r) => tasksView(ctx, r),
  visit: (ctx, r) => visitView(ctx, r),
  users: (ctx, r) => usersView(ctx, r),
  volunteers: (ctx, r) => volunteersView(ctx, r),
  volunteer: (ctx, r) => volunteerView(ctx, r),
  needs: (ctx, r) => needsView(ctx, r),
  need: (ctx, r) => needView(ctx, r),
  posts: (ctx, r) => postsView(ctx, r),
  post: (ctx, r) => postView(ctx, r),
  chief: (ctx, r) => chiefView(ctx, r),
  compliance: (ctx, r) => complianceView(ctx, r),
  ratings: (ctx, r) => ratingsView(ctx, r),
  surveys: (ctx, r) => surveysView(ctx, r),
  disputes: (ctx, r) => disputesView(ctx, r),
  dispute: (ctx, r) => disputeView(ctx, r),
  councils: (ctx, r) => councilsView(ctx, r),
  topic: (ctx, r) => topicView(ctx, r),
  decision: (ctx, r) => decisionView(ctx, r),
  survey: (ctx, r) => surveyView(ctx, r),
  surveyResults: (ctx, r) => surveyResultsView(ctx, r),
  household: (ctx, r) => householdView(ctx, r),
  cases: (ctx, r) => queueView(ctx, r),
  case: (ctx, r) => caseView(ctx, r),
  report: (ctx, r) => reportView(ctx, r),
  track: (ctx, r) => trackView(ctx, r),
};

function viewContext() {
  return {
    user: state.user,
    busy: () => setReady(false),
    ready: () => setReady(true),
    go,
    sessionLost,
    canQueue: () => canQueue(state.user),
  };
}

function unmountView() {
  if (current) {
    try {
      current.view.destroy?.();
    } catch {
      /* a view that fails to clean up must not block the next one */
    }
    current = null;
  }
  if (areaMap) {
    areaMap.destroy();
    areaMap = null;
  }
  mapParts = null;
  navToken++;
}

function mountView(r) {
  state.loginError = null;
  if (!shell) buildShell();
  state.routeName = r.name;
  renderHeader();
  unmountView();
  setReady(false);
  setView(r.name);
  shell.root.classList.toggle('is-map', r.name === 'map');
  const main = el('main', r.name === 'map' ? 'workspace' : 'page-main');
  main.id = 'main';
  shell.main.replaceWith(main);
  shell.main = main;
  const view = VIEWS[r.name](viewContext(), r);
  current = { name: r.name, view };
  view.mount(main);
  window.scrollTo(0, 0);
}

/* ------------------------------------------------------------------ shell */

function buildShell() {
  const header = el('header', 'topbar');
  const main = el('main', 'page-main');
  const app = el('div', 'shell');
  app.append(header, main);
  root.replaceChildren(app);
  shell = { root: app, header, main };
}

function userAreaName() {
  const u = state.user;
  if (u.area_name) return u.area_name;
  const hit = state.area && (state.area.path || []).find((p) => p.code === u.area_code);
  return hit ? hit.name : '';
}

function navItems() {
  const u = state.user;
  const items = [];
  if (u && FIELD_ROLES.has(u.role)) items.push(['tasks', '#/tasks', 'nav.tasks']);
  if (u) items.push(['map', '#/map', 'nav.map']);
  if (u && DASHBOARD_ROLES.has(u.role)) items.push(['dashboard', '#/dashboard', 'nav.dashboard']);
  if (u && HOUSEHOLD_ROLES.has(u.role)) items.push(['households', '#/households', 'nav.households']);
  if (u && DISPUTE_ROLES.has(u.role)) items.push(['disputes', '#/disputes', 'nav.disputes']);
  if (u && COUNCIL_ROLES.has(u.role)) items.push(['councils', '#/councils', 'nav.councils']);
  if (u && VOLUNTEER_ROLES.has(u.role)) items.push(['volunteers', '#/volunteers', 'nav.volunteers'], ['needs', '#/needs', 'nav.needs'], ['posts', '#/posts', 'nav.posts']);
  if (u && COMPLIANCE_ROLES.has(u.role)) items.push(['compliance', '#/compliance', 'nav.compliance']);
  if (u && RATING_ROLES.has(u.role)) items.push(['ratings', '#/ratings', 'nav.ratings'], ['surveys', '#/surveys', 'nav.surveys']);
  if (u && USER_ADMIN_ROLES.has(u.role)) items.push(['users', '#/users', 'nav.users']);
  if (u && u.role === 'resident') items.push(['cases', '#/cases', 'nav.mine']);
  else if (u && QUEUE_ROLES.has(u.role)) items.push(['cases', '#/cases', 'nav.queue']);
  if (canReport(u)) items.push(['report', '#/report', 'nav.report']);
  if (u && canReport(u)) items.push(['outbox', '#/outbox', 'nav.outbox']);
  items.push(['track', '#/track', 'nav.track']);
  return items;
}

function renderHeader() {
  if (!shell) return;
  const { header } = shell;
  const refocus = document.activeElement && header.contains(document.activeElement) ? document.activeElement.id : null;
  const brand = el('a', 'topbar-brand');
  brand.href = state.user ? '#/map' : '#/report';
  brand.append(brandMark(30), el('span', 'product-name', t('app.name')));
  const short = el('span', 'product-short', t('app.short'));
  short.setAttribute('aria-hidden', 'true');
  brand.append(short);

  const nav = el('nav', 'topnav');
  nav.setAttribute('aria-label', t('nav.label'));
  const ul = el('ul');
  const active = state.routeName === 'visit' ? 'tasks' : state.routeName === 'case' ? 'cases' : state.routeName === 'household' ? 'households' : state.routeName === 'dispute' ? 'disputes' : state.routeName === 'topic' ? 'councils' : (NAV_PARENT[state.routeName] ?? state.routeName);
  for (const [name, href, key] of navItems()) {
    const li = el('li');
    const a = el('a', 'topnav-link', t(key));
    a.href = href;
    a.id = 'nav-' + name;
    a.dataset.nav = name;
    if (name === 'outbox') {
      const n = el('span', 'nav-count', String(outboxCount));
      n.id = 'outbox-count';
      n.hidden = !outboxCount;
      a.append(n);
      a.setAttribute('aria-label', t('nav.outboxCount', { n: outboxCount }));
    }
    if (name === active) a.setAttribute('aria-current', 'page');
    li.append(a);
    ul.append(li);
  }
  nav.append(ul);

  const parts = [brand];
  if (state.user) {
    const user = el('div', 'topbar-user');
    user.setAttribute('aria-label', t('header.user'));
    const shown = el('span', 'user-name', state.user.username);
    shown.dataset.username = state.user.username;
    if (state.user.display_name && state.user.display_name !== state.user.username) shown.title = state.user.display_name;
    user.append(shown);
    user.append(el('span', 'role-badge', roleName(state.user.role)));
    const area = userAreaName();
    if (area) user.append(el('span', 'user-area', area));
    parts.push(user);
  } else {
    parts.push(el('div', 'topbar-user'));
  }

  const actions = el('div', 'topbar-actions');
  actions.append(langButton(onLangSwitch));
  if (state.user) {
    const logout = button('btn btn-ghost logout-btn', t('header.logout'), doLogout);
    logout.id = 'logout-btn';
    actions.append(logout);
  } else {
    const login = el('a', 'btn btn-ghost login-link', t('nav.login'));
    login.href = '#/login';
    login.id = 'login-link';
    actions.append(login);
  }
  parts.push(actions, nav);

  header.replaceChildren(...parts);
  if (refocus) document.getElementById(refocus)?.focus();
}

// The view draws itself again in the other language; what the user had typed into its forms
// is put back (formstate.js), whichever view it is.
function onLangSwitch() {
  if (!shell) return renderLogin();
  renderHeader();
  if (!current || !current.view.relabel) return;
  const main = shell.main;
  const typed = captureFields(main);
  current.view.relabel();
  restoreFields(main, typed);
}

async function doLogout() {
  setReady(false);
  try {
    await api.logout();
  } catch {
    /* the session is gone either way */
  }
  setCsrf(null);
  state.loginError = null;
  history.replaceState(null, '', location.pathname + location.search);
  showLogin();
}

function sessionLost() {
  setCsrf(null);
  showLogin({ local: 'error.session_expired' });
}

/* --------------------------------------------------------------- map view */

function mapView() {
  return {
    mount(main) {
      const mapWrap = el('section', 'map-wrap');
      mapWrap.setAttribute('aria-label', t('map.label'));
      const mapEl = el('div', 'map');
      mapEl.id = 'map';
      mapWrap.append(mapEl);
      const panel = el('aside', 'panel');
      panel.id = 'panel';
      main.append(mapWrap, panel);
      mapParts = { panel, mapWrap, mapEl };
      areaMap = new AreaMap(mapEl, {
        onAreaClick: (p) => openChild(p),
        onBackgroundClick: (latlng) => locatePoint(latlng),
      });
      state.selected = null;
      state.panelError = null;
      const start = state.area && String(state.area.code).startsWith(state.user.area_code) ? state.area.code : state.user.area_code;
      navigate(start);
    },
    relabel() {
      if (!mapParts) return;
      mapParts.mapWrap.setAttribute('aria-label', t('map.label'));
      renderPanel();
      if (areaMap) areaMap.relabel();
    },
    destroy() {},
  };
}

// hint: what we already know about the target (level, children) to skip useless requests.
async function navigate(code, { hint = null } = {}) {
  const token = ++navToken;
  setReady(false);
  state.loading = true;
  if (mapParts) {
    mapParts.panel.classList.add('is-loading');
    mapParts.panel.setAttribute('aria-busy', 'true');
  }
  const leaf = hint && (hint.level === 'cell' || hint.children === 0);
  try {
    const [rArea, rOutline, rItems, rKids] = await Promise.allSettled([
      api.area(code),
      api.geojson(code, 0),
      leaf ? Promise.resolve({ items: [] }) : api.children(code),
      leaf ? Promise.resolve(null) : api.geojson(code, 1),
    ]);
    if (token !== navToken) return;
    if (rArea.status === 'rejected') throw rArea.reason;
    const area = rArea.value;
    const isLeaf = area.level === 'cell' || area.children === 0;
    if (!isLeaf) {
      for (const r of [rItems, rKids]) if (r.status === 'rejected') throw r.reason;
    }
    state.area = area;
    state.items = isLeaf || rItems.status === 'rejected' ? [] : rItems.value.items || [];
    state.outline = rOutline.status === 'fulfilled' ? rOutline.value : null;
    state.childGeo = isLeaf || rKids.status === 'rejected' ? null : rKids.value;
    state.selected = null;
    state.panelError = null;
    state.loading = false;
    renderHeader();
    renderPanel();
    areaMap.show({ area, outline: state.outline, children: state.childGeo }, { fit: true });
    areaMap.setSelected(null);
  } catch (e) {
    if (token !== navToken) return;
    state.loading = false;
    if (e && e.status === 401) {
      sessionLost();
      return;
    }
    state.panelError = e;
    renderPanel();
  }
  setReady(true);
}

function openChild(p) {
  if (!p || !p.code) return;
  if (p.level === 'cell' || p.children === 0) {
    selectCell(p.code);
  } else {
    navigate(p.code, { hint: p });
  }
}

function selectCell(code) {
  state.selected = state.selected === code ? null : code;
  areaMap.setSelected(state.selected);
  renderPanel();
  setReady(true);
}

function currentPath() {
  const path = (state.area && state.area.path) || [];
  const mine = state.user.area_code;
  const i = path.findIndex((p) => p.code === mine);
  if (i >= 0) return path.slice(i);
  // Fallback: only entries inside the user's own area.
  const inside = path.filter((p) => String(p.code).startsWith(mine));
  return inside.length ? inside : state.area ? [{ code: state.area.code, name: state.area.name, level: state.area.level }] : [];
}

function renderPanel() {
  if (!mapParts) return;
  const { panel } = mapParts;
  const active = document.activeElement;
  const focusKey = active && panel.contains(active) ? active.dataset.focusKey : null;

  panel.classList.toggle('is-loading', state.loading);
  panel.setAttribute('aria-busy', state.loading ? 'true' : 'false');
  const parts = [];

  // Breadcrumb
  const nav = el('nav', 'breadcrumb');
  nav.setAttribute('aria-label', t('panel.breadcrumb'));
  const ol = el('ol');
  const path = currentPath();
  path.forEach((p, i) => {
    const li = el('li', 'crumb');
    li.dataset.code = p.code;
    li.dataset.level = p.level;
    if (i === path.length - 1) {
      const cur = el('span', 'crumb-current', p.name);
      cur.setAttribute('aria-current', 'page');
      li.append(cur);
    } else {
      const b = button('crumb-link', p.name, () => navigate(p.code, { hint: p }));
      b.dataset.focusKey = 'crumb:' + p.code;
      b.title = levelName(p.level);
      li.append(b);
    }
    ol.append(li);
  });
  nav.append(ol);
  parts.push(nav);

  if (state.panelError) {
    const err = el('p', 'panel-error', errorText(state.panelError));
    err.setAttribute('role', 'alert');
    parts.push(err);
  }

  const area = state.area;
  if (area) {
    // Summary of the current area
    const sum = el('section', 'area-summary');
    const head = el('div', 'area-head');
    const h2 = el('h2', 'area-name', area.name);
    h2.tabIndex = -1;
    h2.id = 'area-title';
    head.append(h2, el('span', 'level-badge level-' + area.level, levelName(area.level)));
    sum.append(head);
    const stats = el('dl', 'stats');
    stats.append(stat(t('panel.households'), fmtNumber(area.households)));
    stats.append(stat(t('panel.persons'), fmtNumber(area.persons)));
    if (area.level !== 'cell') stats.append(stat(t('panel.children'), fmtNumber(area.children ?? state.items.length)));
    sum.append(stats);
    sum.append(el('p', 'area-code', t('panel.code') + t('punct.colon') + area.code));
    parts.push(sum);

    // Selected cell details
    const sel = state.selected && state.items.find((it) => it.code === state.selected);
    if (sel) parts.push(cellDetail(sel));

    // Children list
    if (area.level !== 'cell') {
      const sec = el('section', 'children');
      sec.setAttribute('aria-labelledby', 'children-title');
      const h3 = el('h3', 'children-title');
      h3.id = 'children-title';
      const lvl = state.items[0] ? levelName(state.items[0].level) : '';
      h3.append(el('span', null, lvl ? `${t('panel.children')} · ${lvl}` : t('panel.children')));
      h3.append(el('span', 'count-badge', fmtNumber(state.items.length)));
      sec.append(h3);
      if (!state.items.length && !state.loading) {
        sec.append(el('p', 'empty', t('panel.noChildren')));
      } else {
        const ul = el('ul', 'child-list');
        for (const it of state.items) ul.append(childItem(it));
        sec.append(ul);
      }
      parts.push(sec);
    }
  } else if (state.loading) {
    parts.push(el('p', 'empty', t('panel.loading')));
  }

  panel.replaceChildren(...parts);

  if (focusKey) {
    // Keep keyboard users where they were; if that control is gone (after drilling), go to the title.
    const again = panel.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
    (again || panel.querySelector('#area-title'))?.focus();
  }
}

function stat(label, value) {
  const d = el('div', 'stat');
  d.append(el('dt', 'stat-label', label), el('dd', 'stat-value', value));
  return d;
}

function childItem(it) {
  const li = el('li');
  const isCell = it.level === 'cell' || it.children === 0;
  const label = isCell ? t('panel.showCell', { name: it.name }) : t('panel.drill', { name: it.name });
  const b = button('child-item', null, () => openChild(it));
  b.dataset.code = it.code;
  b.dataset.level = it.level;
  b.dataset.children = String(it.children ?? 0);
  b.dataset.focusKey = 'child:' + it.code;
  b.title = label;
  if (isCell) {
    b.setAttribute('aria-pressed', state.selected === it.code ? 'true' : 'false');
    b.classList.toggle('is-selected', state.selected === it.code);
  }
  const main = el('span', 'child-main');
  main.append(el('span', 'child-name', it.name));
  main.append(el('span', 'child-meta', t('panel.countsLine', { households: fmtNumber(it.households), persons: fmtNumber(it.persons) })));
  b.append(main);
  if (!isCell && it.children) b.append(el('span', 'child-sub', t('panel.childCount', { n: fmtNumber(it.children) })));
  const chev = el('span', 'chev', isCell ? '•' : '›');
  chev.setAttribute('aria-hidden', 'true');
  b.append(chev);
  li.append(b);
  return li;
}

function cellDetail(it) {
  const sec = el('section', 'cell-detail');
  sec.id = 'cell-detail';
  sec.setAttribute('aria-labelledby', 'cell-detail-title');
  const head = el('div', 'cell-detail-head');
  const h3 = el('h3', null, t('panel.cellDetail') + t('punct.colon') + it.name);
  h3.id = 'cell-detail-title';
  const close = button('btn btn-ghost btn-small', t('panel.close'), () => selectCell(it.code));
  close.dataset.focusKey = 'close-cell';
  head.append(h3, close);
  const dl = el('dl', 'detail-list');
  const rows = [
    [t('panel.code'), it.code],
    [t('panel.level'), levelName(it.level)],
    [t('panel.households'), fmtNumber(it.households)],
    [t('panel.persons'), fmtNumber(it.persons)],
  ];
  for (const [k, v] of rows) dl.append(el('dt', null, k), el('dd', null, v));
  sec.append(head, dl);
  return sec;
}

async function locatePoint(latlng) {
  const box = el('div', 'locate-popup', t('map.locating'));
  areaMap.popup(latlng, box);
  try {
    const r = await api.locate(latlng.lng, latlng.lat);
    const names = (r.path || []).map((p) => p.name);
    box.replaceChildren(el('div', 'locate-title', t('map.pointIn')), el('div', 'locate-path', names.join(' › ')));
  } catch (e) {
    box.textContent = e && e.status === 404 ? t('map.pointNone') : errorText(e);
  }
}

/* ------------------------------------------------------------------- boot */

async function boot() {
  applyDocumentLang();
  setReady(false);
  if (!window.L) {
    setView('login');
    root.replaceChildren(el('p', 'fatal', t('error.server')));
    setReady(true);
    return;
  }
  try {
    const me = await api.me();
    if (me.csrf_token) setCsrf(me.csrf_token);
    state.user = me;
    startOutbox(me);
    resumePatrol(me);
  } catch (e) {
    state.user = null;
    state.loginError = e && e.status === 401 ? null : e;
  }
  window.addEventListener('hashchange', route);
  onOutboxChange((items) => {
    outboxCount = items.length;
    const badge = document.getElementById('outbox-count');
    if (badge) {
      badge.textContent = String(outboxCount);
      badge.hidden = !outboxCount;
      badge.parentElement.setAttribute('aria-label', t('nav.outboxCount', { n: outboxCount }));
    }
  });
  outboxPending().then((items) => {
    outboxCount = items.length;
    renderHeader();
  });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      /* no offline shell (e.g. plain HTTP on a LAN address): the app still works online */
    });
  }
  route();
}

boot();
