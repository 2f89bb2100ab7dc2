// Case queue (#/cases; "my cases" for residents) and the case page (#/cases/ID).

import { t, getLang, nameOf, levelName, fmtDateTime, fmtAge, fmtNumber, CITY_UTC_OFFSET_MIN } from './i18n.js';
import { api, errorText, loadCategories, areaInfo, attachmentType, ApiError } from './api.js';
import { PointMap } from './map.js';
import {
  el,
  button,
  link,
  formField,
  setFieldError,
  selectEl,
  inputEl,
  textareaEl,
  checkbox,
  statusBadge,
  supervisionBadge,
  urgencyBadge,
  countdownEl,
  tickCountdowns,
  isOverdue,
  caseDue,
  categoryLabel,
  stars,
  nextId,
  FINISHED,
} from './ui.js';

const STATES = [
  'reported',
  'accepted',
  'dispatched',
  'in_progress',
  'handled',
  'rework',
  'verified',
  'resolved_on_site',
  'answered',
  'suspended',
  'reopened',
  'closed',
  'evaluated',
  'rejected',
  'merged',
];
const CHANNELS = ['web', 'phone', 'open311', 'app', 'patrol', 'visit', 'office_hours', 'building_chief', 'council'];
const PAGE = 50;
const CODE_LEN = { 6: 'district', 9: 'street', 12: 'community', 15: 'grid', 18: 'cell' };
const NUMBER_RE = /^\d{6}-\d{8}-\d{5}$/;

function canSeeArea(user, code) {
  return !!user && typeof code === 'string' && code.startsWith(user.area_code);
}

// The path of an area ending with the area itself, each code once.
function pathOf(area) {
  const seen = new Set();
  return [...(area.path || []), { code: area.code, name: area.name }].filter((p) => !seen.has(p.code) && seen.add(p.code));
}

// "小海社区 › 第1网格 › 15栋": the part of the path below the user's own area (at most 3 names).
function areaLabel(user, area) {
  if (!area) return '';
  const path = pathOf(area);
  const below = path.filter((p) => String(p.code).length > String(user.area_code).length);
  const names = (below.length ? below : [path[path.length - 1]]).map((p) => p.name);
  return names.slice(-3).join(' › ');
}

// From the district down: "南海区 › 桂城街道 › 小海社区 › 第1网格 › 15栋".
function fullPath(area) {
  if (!area) return '';
  const path = pathOf(area);
  const local = path.filter((p) => String(p.code).length >= 6);
  return (local.length ? local : path).map((p) => p.name).join(' › ');
}

// Resolve the names of the areas of some cases (only those the user may see).
async function areaNames(user, codes) {
  const out = new Map();
  const want = [...new Set(codes)].filter((c) => canSeeArea(user, c));
  const res = await Promise.allSettled(want.map((c) => areaInfo(c)));
  res.forEach((r, i) => {
    if (r.status === 'fulfilled') out.set(want[i], r.value);
  });
  return out;
}

function apiMessage(e) {
  if (e instanceof ApiError && e.status === 400 && e.message) return t('case.err.bad_request', { msg: e.message });
  return errorText(e, 'case');
}

function departmentsOf(cats) {
  const seen = new Set();
  for (const c of cats) if (c.department) seen.add(c.department);
  return [...seen].sort((a, b) => nameOf('dept', a).localeCompare(nameOf('dept', b), getLang() === 'zh' ? 'zh-CN' : 'en'));
}

/* ================================================================= queue */

function parseFilters(q) {
  const list = (q.get('status') || '').split(',').filter((s) => STATES.includes(s));
  return {
    status: list,
    category: q.get('category') || '',
    channel: q.get('channel') || '',
    area: q.get('area') || '',
    overdue: q.get('overdue') === '1',
    supervised: q.get('supervised') === '1',
    q: q.get('q') || '',
    from: q.get('from') || '',
    to: q.get('to') || '',
  };
}

function filterQuery(f) {
  const q = new URLSearchParams();
  if (f.status.length) q.set('status', f.status.join(','));
  for (const k of ['category', 'channel', 'area', 'q', 'from', 'to']) if (f[k]) q.set(k, f[k]);
  if (f.overdue) q.set('overdue', '1');
  if (f.supervised) q.set('supervised', '1');
  return q;
}

// Date inputs give days of the city's calendar; the API wants instants (UTC).
function dayStart(day, plusDays = 0) {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return '';
  const ms = Date.UTC(y, m - 1, d + plusDays) - CITY_UTC_OFFSET_MIN * 60000;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function queueView(ctx, route) {
  const user = ctx.user;
  const mine = user.role === 'resident';
  const st = {
    filters: parseFilters(route.query),
    overdueFirst: route.query.get('sort') !== 'newest',
    items: [],
    cursor: null,
    done: false,
    loading: false,
    error: null,
    cats: [],
    areas: new Map(), // code -> area (for row labels)
    areaKids: new Map(), // parent code -> children
    token: 0,
  };
  let root = null;
  let parts = null;
  let timer = null;

  function syncHash() {
    const q = filterQuery(st.filters);
    if (!st.overdueFirst) q.set('sort', 'newest');
    const s = q.toString();
    history.replaceState(null, '', '#/cases' + (s ? '?' + s : ''));
  }

  function apiQuery(cursor) {
    const f = st.filters;
    const q = new URLSearchParams();
    if (f.status.length) q.set('status', f.status.join(','));
    if (f.category) q.set('category', f.category);
    if (f.channel) q.set('channel', f.channel);
    if (f.area) q.set('area', f.area);
    if (f.overdue) q.set('overdue', '1');
    if (f.supervised) q.set('supervised', '1');
    if (f.q) q.set('q', f.q);
    if (f.from) q.set('from', dayStart(f.from));
    if (f.to) q.set('to', dayStart(f.to, 1));
    q.set('limit', String(PAGE));
    if (cursor) q.set('cursor', cursor);
    return q.toString();
  }

  async function load({ more = false } = {}) {
    const token = ++st.token;
    st.loading = true;
    st.error = null;
    if (!more) {
      st.items = [];
      st.cursor = null;
      st.done = false;
    }
    ctx.busy();
    renderList();
    try {
      const f = st.filters;
      // A case number typed into the search box opens that case.
      if (!more && NUMBER_RE.test(f.q.trim())) {
        try {
          const c = await api.getCase(f.q.trim());
          if (token !== st.token) return;
          ctx.go('#/cases/' + encodeURIComponent(c.id));
          return;
        } catch (e) {
          if (e && e.status === 401) throw e;
          /* not visible or not found: fall back to a text search */
        }
      }
      const r = await api.cases(apiQuery(more ? st.cursor : null));
      const items = Array.isArray(r.items) ? r.items : [];
      const names = await areaNames(
        user,
        items.map((c) => c.area_code).filter((c) => !st.areas.has(c)),
      );
      if (token !== st.token) return;
      for (const [k, v] of names) st.areas.set(k, v);
      st.items = more ? st.items.concat(items) : items;
      st.cursor = r.next_cursor || null;
      st.done = !st.cursor;
    } catch (e) {
      if (token !== st.token) return;
      if (e && e.status === 401) return ctx.sessionLost();
      st.error = e;
    }
    st.loading = false;
    renderList();
    ctx.ready();
  }

  function setFilter(patch, { reload = true } = {}) {
    Object.assign(st.filters, patch);
    syncHash();
    if (reload) load();
  }

  /* ------------------------------------------------------------ render */

  function render() {
    const page = el('div', 'page page-wide queue-page');
    const head = el('div', 'page-head');
    const h1 = el('h1', 'page-title', mine ? t('queue.titleMine') : t('queue.title'));
    h1.id = 'page-title';
    head.append(h1);
    if (!mine && user.area_name) head.append(el('span', 'page-sub', user.area_name));
    if (user.role !== 'department_handler') {
      const add = link('btn btn-primary page-action', t('queue.reportNew'), '#/report');
      head.append(add);
    }
    const filters = el('section', 'filters-wrap');
    const summary = el('p', 'list-summary');
    summary.id = 'list-summary';
    summary.setAttribute('role', 'status');
    const list = el('div', 'case-list-wrap');
    const more = el('div', 'list-more');
    page.append(head, filters, summary, list, more);
    root.replaceChildren(page);
    parts = { filters, summary, list, more };
    renderFilters();
    renderList();
  }

  function renderFilters() {
    if (!parts) return;
    const f = st.filters;
    const box = el('details', 'filters');
    box.open = parts.filters.querySelector('details')?.open ?? !window.matchMedia('(max-width: 720px)').matches;
    const sum = el('summary', 'filters-summary', t('queue.filters'));
    const active = f.status.length + ['category', 'channel', 'area', 'q', 'from', 'to'].filter((k) => f[k]).length + (f.overdue ? 1 : 0) + (f.supervised ? 1 : 0);
    if (active) sum.append(el('span', 'count-badge', String(active)));
    box.append(sum);

    const form = el('form', 'filters-form');
    form.setAttribute('role', 'search');
    form.noValidate = true;

    // Search
    const searchRow = el('div', 'filter-row search-row');
    const qIn = inputEl('search', 'q', f.q);
    qIn.placeholder = t('queue.searchPlaceholder');
    qIn.id = 'filter-q';
    const qField = formField(t('queue.searchLabel'), qIn, { cls: 'grow' });
    const go = el('button', 'btn btn-primary', t('queue.search'));
    go.type = 'submit';
    searchRow.append(qField.wrap, go);
    form.append(searchRow);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      setFilter({ q: qIn.value.trim() });
    });

    // Status chips
    const fs = el('fieldset', 'chips');
    fs.append(el('legend', null, t('queue.status')));
    const chipBox = el('div', 'chip-row');
    for (const s of STATES) {
      const on = f.status.includes(s);
      const chip = button('chip status-chip chip-' + s, nameOf('status', s), () => {
        const next = f.status.includes(s) ? f.status.filter((x) => x !== s) : [...f.status, s];
        setFilter({ status: next });
        renderFilters();
        parts.filters.querySelector(`[data-status="${s}"]`)?.focus();
      });
      chip.dataset.status = s;
      chip.setAttribute('aria-pressed', on ? 'true' : 'false');
      chipBox.append(chip);
    }
    fs.append(chipBox);
    form.append(fs);

    if (!mine) {
      const row = el('div', 'filter-row');
      // Category (classes as groups, a class itself selects all of it)
      const catOpts = [{ value: '', label: t('queue.allCategories') }];
      const classes = st.cats.filter((c) => !c.parent);
      for (const cls of classes) {
        const kids = st.cats.filter((c) => c.parent === cls.code);
        catOpts.push({
          group: categoryLabel(getLang(), cls),
          options: [
            { value: cls.code, label: t('queue.allOfClass', { name: categoryLabel(getLang(), cls) }) },
            ...kids.map((k) => ({ value: k.code, label: categoryLabel(getLang(), k) })),
          ],
        });
      }
      if (f.category && !st.cats.some((c) => c.code === f.category)) catOpts.push({ value: f.category, label: f.category });
      const cat = selectEl('category', catOpts, f.category);
      cat.id = 'filter-category';
      cat.addEventListener('change', () => setFilter({ category: cat.value }));
      row.append(formField(t('queue.category'), cat).wrap);

      const chOpts = [{ value: '', label: t('queue.allChannels') }, ...CHANNELS.map((c) => ({ value: c, label: nameOf('channel', c) }))];
      const ch = selectEl('channel', chOpts, f.channel);
      ch.id = 'filter-channel';
      ch.addEventListener('change', () => setFilter({ channel: ch.value }));
      row.append(formField(t('queue.channel'), ch).wrap);

      const from = inputEl('date', 'from', f.from);
      from.id = 'filter-from';
      from.addEventListener('change', () => setFilter({ from: from.value }));
      const to = inputEl('date', 'to', f.to);
      to.id = 'filter-to';
      to.addEventListener('change', () => setFilter({ to: to.value }));
      row.append(formField(t('queue.from'), from).wrap, formField(t('queue.to'), to).wrap);
      form.append(row);

      form.append(areaPicker());
    }

    const checks = el('div', 'filter-row check-row');
    if (!mine) {
      const o = checkbox(t('queue.overdue'), f.overdue, (v) => setFilter({ overdue: v }), { name: 'overdue' });
      o.input.id = 'filter-overdue';
      const s = checkbox(t('queue.supervised'), f.supervised, (v) => setFilter({ supervised: v }), { name: 'supervised' });
      s.input.id = 'filter-supervised';
      checks.append(o.wrap, s.wrap);
    }
    const of = checkbox(t('queue.overdueFirst'), st.overdueFirst, (v) => {
      st.overdueFirst = v;
      syncHash();
      renderList();
    });
    of.input.id = 'filter-overdue-first';
    checks.append(of.wrap);
    const reset = button('btn btn-secondary btn-small', t('queue.reset'), () => {
      st.filters = parseFilters(new URLSearchParams());
      syncHash();
      renderFilters();
      load();
    });
    reset.id = 'filter-reset';
    checks.append(reset);
    form.append(checks);

    box.append(form);
    parts.filters.replaceChildren(box);
  }

  // Cascading selects from the user's area down to the chosen one.
  function areaPicker() {
    const wrap = el('div', 'filter-row area-row');
    const mineCode = user.area_code;
    const chosen = st.filters.area && st.filters.area.startsWith(mineCode) ? st.filters.area : '';
    const chain = [];
    for (const len of [9, 12, 15, 18]) if (len > mineCode.length && len <= chosen.length) chain.push(chosen.slice(0, len));
    const parents = [mineCode, ...chain];
    parents.forEach((parent, i) => {
      const kids = st.areaKids.get(parent);
      if (!kids) {
        loadKids(parent);
        return;
      }
      if (!kids.length) return;
      const label = i === 0 ? t('queue.area') : t('queue.subArea');
      const parentName = i === 0 ? user.area_name || mineCode : (kidsName(parents[i - 1], parent) || parent);
      const opts = [{ value: '', label: t('queue.wholeArea', { name: parentName }) }, ...kids.map((k) => ({ value: k.code, label: k.name }))];
      const sel = selectEl('area-' + i, opts, chain[i] || '');
      sel.id = 'filter-area-' + i;
      sel.dataset.parent = parent;
      sel.addEventListener('change', () => {
        setFilter({ area: sel.value || (i === 0 ? '' : parent) });
        renderFilters();
        parts.filters.querySelector('#filter-area-' + i)?.focus();
      });
      wrap.append(formField(label, sel).wrap);
    });
    return wrap;
  }

  function kidsName(parent, code) {
    const k = (st.areaKids.get(parent) || []).find((x) => x.code === code);
    return k ? k.name : '';
  }

  async function loadKids(parent) {
    if (st.areaKids.has(parent) || (CODE_LEN[parent.length] || '') === 'cell') {
      if (!st.areaKids.has(parent)) st.areaKids.set(parent, []);
      return;
    }
    st.areaKids.set(parent, null);
    try {
      const r = await api.children(parent);
      st.areaKids.set(parent, (r && r.items) || []);
    } catch {
      st.areaKids.set(parent, []);
    }
    if (root) renderFilters();
  }

  function sorted() {
    if (!st.overdueFirst) return st.items;
    const now = Date.now();
    const over = [];
    const rest = [];
    for (const c of st.items) (isOverdue(c, now) ? over : rest).push(c);
    return over.concat(rest);
  }

  function renderList() {
    if (!parts) return;
    const { summary, list, more } = parts;
    list.setAttribute('aria-busy', st.loading ? 'true' : 'false');
    if (st.error) {
      summary.textContent = '';
      const err = el('p', 'panel-error', errorText(st.error, 'case'));
      err.setAttribute('role', 'alert');
      list.replaceChildren(err, button('btn btn-secondary', t('common.retry'), () => load()));
      more.replaceChildren();
      return;
    }
    if (st.loading && !st.items.length) {
      summary.textContent = t('common.loading');
      list.replaceChildren();
      more.replaceChildren();
      return;
    }
    summary.textContent = st.done ? t('queue.loadedAll', { n: fmtNumber(st.items.length) }) : t('queue.loaded', { n: fmtNumber(st.items.length) });
    if (!st.items.length) {
      list.replaceChildren(el('p', 'empty', mine && !filterQuery(st.filters).toString() ? t('queue.emptyMine') : t('queue.empty')));
      more.replaceChildren();
      return;
    }
    const table = el('table', 'case-table');
    table.id = 'case-table';
    const cap = el('caption', 'sr-only', mine ? t('queue.titleMine') : t('queue.title'));
    const thead = el('thead');
    const hr = el('tr');
    for (const k of ['number', 'category', 'status', 'area', 'age', 'deadline']) {
      const th = el('th', 'c-' + k, t('queue.col.' + k));
      th.scope = 'col';
      hr.append(th);
    }
    thead.append(hr);
    const tbody = el('tbody');
    const now = Date.now();
    for (const c of sorted()) tbody.append(row(c, now));
    table.append(cap, thead, tbody);
    list.replaceChildren(table);

    if (st.cursor) {
      const b = button('btn btn-secondary load-more', st.loading ? t('common.loading') : t('queue.loadMore'), () => load({ more: true }));
      b.id = 'load-more';
      b.disabled = st.loading;
      more.replaceChildren(b);
    } else more.replaceChildren();
  }

  function row(c, now) {
    const tr = el('tr', 'case-row');
    tr.dataset.id = String(c.id);
    tr.dataset.number = c.number;
    tr.dataset.status = c.status;
    const over = isOverdue(c, now);
    if (over) tr.classList.add('is-overdue');
    tr.dataset.overdue = over ? '1' : '0';

    const tdNum = el('td', 'c-number');
    const a = link('case-link', c.number, '#/cases/' + encodeURIComponent(c.id));
    tdNum.append(a);
    const tdCat = el('td', 'c-category');
    tdCat.append(el('span', 'cat-name', categoryLabel(getLang(), c)));
    const u = urgencyBadge(c.urgency);
    if (u) tdCat.append(u);
    const tdStatus = el('td', 'c-status');
    tdStatus.append(statusBadge(c.status));
    const sup = supervisionBadge(c.supervision);
    if (sup) tdStatus.append(sup);
    const tdArea = el('td', 'c-area');
    const area = st.areas.get(c.area_code);
    tdArea.textContent = area ? areaLabel(user, area) : c.area_code;
    if (area) tdArea.title = fullPath(area);
    const tdAge = el('td', 'c-age');
    const age = el('time', null, fmtAge(c.created_at, now));
    age.dateTime = c.created_at;
    age.title = fmtDateTime(c.created_at);
    tdAge.append(age);
    const tdDue = el('td', 'c-deadline');
    const cd = countdownEl(c);
    // "超时 3小时" says it already; the flag is for cases late on another deadline.
    if (over && !(cd.dataset.due && Date.parse(cd.dataset.due) < now)) tdDue.append(el('span', 'overdue-flag', t('queue.overdueBadge')));
    tdDue.append(cd);
    tr.append(tdNum, tdCat, tdStatus, tdArea, tdAge, tdDue);
    // The whole row opens the case; the number is the keyboard-reachable link.
    tr.addEventListener('click', (ev) => {
      if (ev.target.closest('a')) return;
      if (window.getSelection && String(window.getSelection())) return;
      ctx.go('#/cases/' + encodeURIComponent(c.id));
    });
    return tr;
  }

  return {
    mount(container) {
      root = container;
      root.classList.add('page-scroll');
      render();
      loadCategories()
        .then((cats) => {
          st.cats = cats;
          renderFilters();
        })
        .catch(() => {});
      load();
      timer = setInterval(() => root && tickCountdowns(root), 30000);
    },
    relabel() {
      render();
    },
    destroy() {
      st.token++;
      clearInterval(timer);
      root = null;
      parts = null;
    },
  };
}

/* ============================================================ case page */

// Fields of the action forms. kind: text (textarea) | select | number | rating | outcome.
const F = {
  reason: { name: 'reason', kind: 'text', label: 'form.reason', required: true },
  evidence: { name: 'evidence', kind: 'text', label: 'form.evidence', required: true },
  text: (label) => ({ name: 'text', kind: 'text', label, required: true }),
  department: { name: 'department', kind: 'department', label: 'form.department' },
  mergeInto: { name: 'merge_into', kind: 'line', label: 'form.mergeInto', required: true, placeholder: 'track.placeholder' },
  rating: { name: 'rating', kind: 'rating', label: 'form.rating', required: true },
  daysRequired: { name: 'extension_days', kind: 'number', label: 'form.extensionDays', required: true, min: 1, max: 30 },
  daysOptional: { name: 'extension_days', kind: 'number', label: 'form.extensionDays', min: 1, max: 30 },
  supervision: { name: 'supervision', kind: 'select', label: 'form.supervision', required: true, options: ['normal', 'yellow_card', 'red_card'], prefix: 'supervision' },
  outcome: { name: 'outcome', kind: 'outcome', label: 'form.outcome', required: true },
};

const ACTION_FIELDS = {
  accept: [],
  start: [],
  verify: [],
  urge: [],
  resume: [],
  reject: [F.reason],
  return: [F.reason],
  rework: [F.reason],
  reopen: [F.reason],
  escalate: [F.reason],
  deny_extension: [F.reason],
  suspend: [F.reason],
  resolve_on_site: [F.evidence],
  answer: [F.text('form.answerText')],
  handle: [F.text('form.handleText')],
  comment: [F.text('form.commentText')],
  dispatch: [F.department],
  assign: [F.department],
  merge: [F.mergeInto],
  evaluate: [F.rating, { name: 'text', kind: 'text', label: 'form.evaluateText' }],
  close: [F.outcome],
  request_extension: [F.daysRequired, F.reason],
  approve_extension: [F.daysOptional],
  supervise: [F.supervision],
};

// Actions that move a case forward are shown first and as primary buttons.
const PRIMARY = new Set(['accept', 'dispatch', 'start', 'handle', 'verify', 'close', 'evaluate', 'resolve_on_site', 'answer', 'resume', 'approve_extension']);
const OUTCOME_REASONS = ['outside_jurisdiction', 'not_feasible', 'resident_unreachable', 'duplicate', 'other'];

export function caseView(ctx, route) {
  const user = ctx.user;
  const st = {
    id: route.id,
    c: null,
    events: [],
    eventsError: null,
    error: null,
    open: null, // action whose form is open
    formError: null,
    conflict: false,
    notice: '',
    cats: [],
    area: null,
    atts: [], // [{ url, type }]
    submitting: false,
    token: 0,
  };
  let root = null;
  let parts = null;
  let pointMap = null;
  let timer = null;

  async function load({ quiet = false } = {}) {
    const token = ++st.token;
    ctx.busy();
    if (!quiet) {
      st.error = null;
    }
    try {
      const [rc, re] = await Promise.allSettled([api.getCase(st.id), api.caseEvents(st.id)]);
      if (token !== st.token) return;
      if (rc.status === 'rejected') throw rc.reason;
      const first = !st.c;
      st.c = rc.value;
      setEvents(re);
      // A resident opening a closed case of theirs finds the rating form ready.
      if (first && user.role === 'resident' && (st.c.allowed_actions || []).includes('evaluate')) st.open = 'evaluate';
      await loadExtras(token);
      if (token !== st.token) return;
    } catch (e) {
      if (token !== st.token) return;
      if (e && e.status === 401) return ctx.sessionLost();
      st.error = e;
    }
    render();
    ctx.ready();
  }

  function setEvents(re) {
    if (re.status === 'fulfilled') {
      st.events = (re.value && re.value.items) || [];
      st.eventsError = null;
    } else {
      st.eventsError = re.reason;
    }
  }

  async function loadExtras(token) {
    const c = st.c;
    const jobs = [];
    if (!st.cats.length) jobs.push(loadCategories().then((x) => (st.cats = x)).catch(() => {}));
    if (!st.area || st.area.code !== c.area_code) {
      st.area = null;
      if (canSeeArea(user, c.area_code)) jobs.push(areaInfo(c.area_code).then((a) => (st.area = a)).catch(() => {}));
    }
    const atts = Array.isArray(c.attachments) ? c.attachments : [];
    jobs.push(
      Promise.all(atts.map((a) => attachmentType(a.url).then((type) => ({ url: a.url, hash: a.hash, type })))).then((x) => {
        if (token === st.token) st.atts = x;
      }),
    );
    await Promise.all(jobs);
  }

  /* ----------------------------------------------------------- actions */

  async function submitAction(action, body, form) {
    if (st.submitting) return;
    st.submitting = true;
    st.formError = null;
    st.conflict = false;
    const submit = form.querySelector('button[type="submit"]');
    if (submit) {
      submit.disabled = true;
      submit.textContent = t('form.submitting');
    }
    ctx.busy();
    try {
      const c = await api.act(st.c.id, { action, ...body });
      // The answer to an action does not list the attachments; actions do not change them.
      if (!Array.isArray(c.attachments)) c.attachments = st.c.attachments;
      st.c = c;
      st.open = null;
      st.notice = t('case.done', { action: nameOf('action', action) });
      const token = ++st.token;
      const re = await Promise.allSettled([api.caseEvents(st.c.id)]);
      setEvents(re[0]);
      await loadExtras(token);
      st.submitting = false;
      render();
      root.querySelector('#case-status-line')?.focus();
    } catch (e) {
      st.submitting = false;
      if (e && e.status === 401) return ctx.sessionLost();
      if (e instanceof ApiError && e.code === 'invalid_transition') st.formError = t('case.err.invalid_transition');
      else if (e instanceof ApiError && e.code === 'conflict') {
        st.formError = t('case.err.conflict');
        st.conflict = true;
      } else if (e instanceof ApiError && e.status === 403) st.formError = t('case.err.forbidden');
      else st.formError = apiMessage(e);
      renderActions();
      root.querySelector('#action-error')?.focus();
    }
    ctx.ready();
  }

  function actionForm(action) {
    const fields = ACTION_FIELDS[action] || [];
    const form = el('form', 'action-form');
    form.id = 'action-form';
    form.dataset.action = action;
    form.noValidate = true;
    const title = el('h3', 'action-form-title', nameOf('action', action));
    title.id = 'action-form-title';
    form.setAttribute('aria-labelledby', title.id);
    form.append(title);
    const made = []; // { spec, f, get }

    for (const spec of fields) {
      if (spec.kind === 'text' || spec.kind === 'line') {
        const control = spec.kind === 'text' ? textareaEl(spec.name, '', 3) : inputEl('text', spec.name);
        if (spec.placeholder) control.placeholder = t(spec.placeholder);
        const f = formField(t(spec.label), control, { required: spec.required, optional: !spec.required });
        form.append(f.wrap);
        made.push({ spec, f, get: () => control.value.trim() });
      } else if (spec.kind === 'number') {
        const control = inputEl('number', spec.name);
        control.min = String(spec.min);
        control.max = String(spec.max);
        control.step = '1';
        control.inputMode = 'numeric';
        const f = formField(t(spec.label), control, { required: spec.required, optional: !spec.required });
        form.append(f.wrap);
        made.push({ spec, f, get: () => (control.value === '' ? '' : Number(control.value)) });
      } else if (spec.kind === 'select') {
        const opts = [{ value: '', label: t('common.choose') }, ...spec.options.map((o) => ({ value: o, label: nameOf(spec.prefix, o) }))];
        const control = selectEl(spec.name, opts, '');
        const f = formField(t(spec.label), control, { required: spec.required });
        form.append(f.wrap);
        made.push({ spec, f, get: () => control.value });
      } else if (spec.kind === 'department') {
        const opts = [{ value: '', label: t('form.deptAuto') }, ...departmentsOf(st.cats).map((d) => ({ value: d, label: nameOf('dept', d) }))];
        const control = selectEl(spec.name, opts, '');
        const f = formField(t(spec.label), control, { optional: true });
        form.append(f.wrap);
        made.push({ spec, f, get: () => control.value });
      } else if (spec.kind === 'rating') {
        const fs = el('fieldset', 'rating');
        fs.id = nextId('rating');
        const legend = el('legend', null, t(spec.label));
        fs.append(legend);
        const row = el('div', 'rating-stars');
        const labels = [];
        for (let n = 1; n <= 5; n++) {
          const id = `rating-${n}`;
          const r = inputEl('radio', 'rating', String(n));
          r.id = id;
          r.className = 'rating-input';
          const lab = el('label', 'rating-star');
          lab.htmlFor = id;
          const glyph = el('span', 'rating-glyph', '★');
          glyph.setAttribute('aria-hidden', 'true');
          lab.append(glyph, el('span', 'sr-only', t('case.stars', { n })));
          row.append(r, lab);
          labels.push(lab);
          r.addEventListener('change', () => labels.forEach((l, i) => l.classList.toggle('is-lit', i < n)));
        }
        fs.append(row);
        const error = el('p', 'field-error');
        error.id = fs.id + '-error';
        error.hidden = true;
        fs.append(error);
        fs.setAttribute('aria-describedby', error.id);
        form.append(fs);
        const fake = { control: row.querySelector('input'), error };
        made.push({ spec, f: fake, get: () => Number(form.querySelector('input[name="rating"]:checked')?.value || 0) || '' });
      } else if (spec.kind === 'outcome') {
        const outcome = selectEl('outcome', [{ value: '', label: t('common.choose') }, ...['resolved', 'not_resolved', 'answered'].map((o) => ({ value: o, label: nameOf('outcome', o) }))], '');
        const fo = formField(t('form.outcome'), outcome, { required: true });
        const reasonSel = selectEl('outcome_reason', [{ value: '', label: t('common.choose') }, ...OUTCOME_REASONS.map((o) => ({ value: o, label: nameOf('reason', o) }))], '');
        const fr = formField(t('form.outcomeReason'), reasonSel, { required: true });
        const other = textareaEl('reason', '', 2);
        const fx = formField(t('form.otherReason'), other, { required: true });
        const sync = () => {
          fr.wrap.hidden = outcome.value !== 'not_resolved';
          fx.wrap.hidden = fr.wrap.hidden || reasonSel.value !== 'other';
        };
        outcome.addEventListener('change', sync);
        reasonSel.addEventListener('change', sync);
        sync();
        form.append(fo.wrap, fr.wrap, fx.wrap);
        made.push({ spec: { name: 'outcome', label: 'form.outcome', required: true }, f: fo, get: () => outcome.value });
        made.push({ spec: { name: 'outcome_reason', label: 'form.outcomeReason', required: true, when: () => outcome.value === 'not_resolved' }, f: fr, get: () => reasonSel.value });
        made.push({ spec: { name: 'reason', label: 'form.otherReason', required: true, when: () => outcome.value === 'not_resolved' && reasonSel.value === 'other' }, f: fx, get: () => other.value.trim() });
      }
    }
    if (!fields.length) form.append(el('p', 'form-note', t('form.noFields')));

    const err = el('p', 'form-error');
    err.id = 'action-error';
    err.tabIndex = -1;
    err.setAttribute('role', 'alert');
    if (st.formError) {
      err.textContent = st.formError;
    } else err.hidden = true;
    form.append(err);
    if (st.conflict) {
      const reload = button('btn btn-secondary btn-small', t('common.reload'), () => {
        st.open = null;
        st.formError = null;
        st.conflict = false;
        load({ quiet: true });
      });
      reload.id = 'action-reload';
      form.append(reload);
    }

    const btns = el('div', 'form-buttons');
    const submit = el('button', 'btn btn-primary', t('form.confirm', { action: nameOf('action', action) }));
    submit.type = 'submit';
    submit.id = 'action-submit';
    const cancel = button('btn btn-secondary', t('common.cancel'), () => {
      st.open = null;
      st.formError = null;
      st.conflict = false;
      renderActions();
      root.querySelector(`.action-btn[data-action="${action}"]`)?.focus();
    });
    cancel.id = 'action-cancel';
    btns.append(submit, cancel);
    form.append(btns);

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = {};
      let first = null;
      for (const m of made) {
        const needed = m.spec.required && (!m.spec.when || m.spec.when());
        const v = m.get();
        const active = !m.spec.when || m.spec.when();
        if (needed && (v === '' || v === null || v === undefined)) {
          setFieldError(m.f, t('form.required', { field: t(m.spec.label) }));
          first = first || m.f.control;
        } else {
          setFieldError(m.f, '');
          if (active && v !== '' && v !== null && v !== undefined) body[m.spec.name] = v;
        }
      }
      if (first) {
        first.focus();
        return;
      }
      submitAction(action, body, form);
    });
    return form;
  }

  /* ------------------------------------------------------------ render */

  function render() {
    if (!root) return;
    if (pointMap) {
      pointMap.destroy();
      pointMap = null;
    }
    const page = el('div', 'page page-wide case-page');
    const back = link('back-link', '‹ ' + (user.role === 'resident' ? t('nav.mine') : t('case.back')), '#/cases');
    if (!ctx.canQueue()) back.href = '#/map';
    page.append(back);
    if (st.error || !st.c) {
      const err = el('p', 'panel-error', st.error ? errorText(st.error, 'case') : t('common.loading'));
      err.setAttribute('role', 'alert');
      page.append(err);
      root.replaceChildren(page);
      return;
    }
    const c = st.c;
    const head = el('div', 'case-head');
    const h1 = el('h1', 'case-title');
    h1.append(el('span', 'case-title-label', t('case.number')), el('span', 'case-number', c.number));
    h1.id = 'case-title';
    const line = el('div', 'case-status-line');
    line.id = 'case-status-line';
    line.tabIndex = -1;
    const sb = statusBadge(c.status);
    sb.id = 'case-status';
    sb.classList.add('status-big');
    line.append(sb);
    const sup = supervisionBadge(c.supervision);
    if (sup) {
      sup.id = 'case-supervision';
      line.append(sup);
    }
    const urg = urgencyBadge(c.urgency);
    if (urg) line.append(urg);
    const due = caseDue(c);
    const lateShown = due && due.iso && Date.parse(due.iso) < Date.now();
    if (isOverdue(c) && !lateShown) line.append(el('span', 'overdue-flag', t('case.overdue')));
    if (due && !due.paused) {
      const cd = countdownEl(c);
      cd.id = 'case-countdown';
      const box = el('span', 'case-due');
      box.append(el('span', 'case-due-label', due.step ? nameOf('step', due.step) + t('punct.colon') : t('case.resolveDue') + t('punct.colon')), cd);
      line.append(box);
    } else if (due && due.paused) line.append(el('span', 'countdown is-paused', t('time.paused')));
    head.append(h1, line);
    page.append(head);

    const notice = el('p', 'notice');
    notice.id = 'case-notice';
    notice.setAttribute('role', 'status');
    notice.textContent = st.notice;
    notice.hidden = !st.notice;
    page.append(notice);

    const layout = el('div', 'case-layout');
    const actions = el('section', 'card case-actions');
    actions.id = 'case-actions';
    actions.setAttribute('aria-labelledby', 'case-actions-title');
    const main = el('div', 'case-main');
    const side = el('div', 'case-side');
    layout.append(actions, main, side);
    page.append(layout);
    root.replaceChildren(page);
    parts = { actions, main, side };

    renderActions();
    renderMain();
    renderSide();
  }

  function renderActions() {
    if (!parts) return;
    const c = st.c;
    const box = parts.actions;
    const h2 = el('h2', 'card-title', t('case.actions'));
    h2.id = 'case-actions-title';
    const allowed = Array.isArray(c.allowed_actions) ? c.allowed_actions : [];
    const nodes = [h2];
    if (!allowed.length) {
      nodes.push(el('p', 'muted', t('case.noActions')));
    } else {
      const list = el('div', 'action-buttons');
      const ordered = [...allowed].sort((a, b) => (PRIMARY.has(b) ? 1 : 0) - (PRIMARY.has(a) ? 1 : 0));
      for (const a of ordered) {
        const b = button('btn action-btn ' + (PRIMARY.has(a) ? 'btn-primary' : 'btn-secondary'), nameOf('action', a), () => {
          st.open = st.open === a ? null : a;
          st.formError = null;
          st.conflict = false;
          st.notice = '';
          renderActions();
          const n = root.querySelector('#case-notice');
          if (n) n.hidden = true;
          const form = root.querySelector('#action-form');
          if (form) (form.querySelector('input:not([type="radio"]), textarea, select, input[type="radio"]') || form.querySelector('#action-submit'))?.focus();
          else root.querySelector(`.action-btn[data-action="${a}"]`)?.focus();
        });
        b.dataset.action = a;
        b.setAttribute('aria-expanded', st.open === a ? 'true' : 'false');
        if (st.open === a) b.setAttribute('aria-controls', 'action-form');
        list.append(b);
      }
      nodes.push(list);
      if (st.open && allowed.includes(st.open)) nodes.push(actionForm(st.open));
    }
    box.replaceChildren(...nodes);
  }

  function dl(rows) {
    const d = el('dl', 'detail-grid');
    for (const [k, v, id] of rows) {
      if (v === null || v === undefined || v === '') continue;
      const dt = el('dt', null, k);
      const dd = el('dd');
      if (id) dd.id = id;
      if (v instanceof Node) dd.append(v);
      else dd.textContent = String(v);
      d.append(dt, dd);
    }
    return d;
  }

  function renderMain() {
    const c = st.c;
    const lang = getLang();
    const sec = el('section', 'card case-details');
    sec.setAttribute('aria-labelledby', 'case-details-title');
    const h2 = el('h2', 'card-title', t('case.details'));
    h2.id = 'case-details-title';

    const desc = el('div', 'case-description');
    desc.append(el('h3', 'sub-title', t('case.description')));
    const p = el('p', 'description-text', c.description || '');
    p.id = 'case-description';
    desc.append(p);

    const cls = st.cats.find((x) => x.code === String(c.category).slice(0, 2) && !x.parent);
    const catText = cls && cls.code !== c.category ? `${categoryLabel(lang, cls)} › ${categoryLabel(lang, c)}` : categoryLabel(lang, c);
    let outcome = '';
    if (c.outcome && c.outcome !== 'none') {
      outcome = nameOf('outcome', c.outcome);
      if (c.outcome_reason) outcome += t('punct.colon') + nameOf('reason', c.outcome_reason);
    }
    const areaText = st.area ? fullPath(st.area) : c.area_code;
    let merged = null;
    if (c.merged_into) merged = link(null, c.merged_into, '#/cases/' + encodeURIComponent(c.merged_into));
    const d = c.deadlines || {};
    const stepDue = d.due_at && !FINISHED.has(c.status) ? fmtDateTime(d.due_at) : '';
    const rows = [
      [t('case.category'), catText, 'case-category'],
      [t('case.urgency'), nameOf('urgency', c.urgency), 'case-urgency'],
      [t('case.channel'), nameOf('channel', c.channel), 'case-channel'],
      [t('case.area'), areaText, 'case-area'],
      [t('case.address'), c.address],
      [t('case.department'), c.department ? nameOf('dept', c.department) : '', 'case-department'],
      [t('case.queueLevel'), c.queue_level ? levelName(['', 'province', 'city', 'district', 'street', 'community', 'grid', 'cell'][c.queue_level]) : ''],
      [t('case.step'), d.step && !FINISHED.has(c.status) ? nameOf('step', d.step) : '', 'case-step'],
      [t('case.stepDue'), stepDue],
      [t('case.resolveDue'), d.resolve_due_at && !FINISHED.has(c.status) ? fmtDateTime(d.resolve_due_at) : ''],
      [t('case.created'), fmtDateTime(c.created_at)],
      [t('case.updated'), fmtDateTime(c.updated_at)],
      [t('case.closedAt'), fmtDateTime(c.closed_at)],
      [t('case.outcome'), outcome, 'case-outcome'],
      [t('case.rating'), c.rating ? stars(c.rating) : '', 'case-rating'],
      [t('case.supervision'), c.supervision && c.supervision !== 'none' ? nameOf('supervision', c.supervision) : ''],
      [t('case.mergedInto'), merged],
      [t('case.reopenCount'), c.reopen_count ? fmtNumber(c.reopen_count) : ''],
      [t('case.pendingExtension'), c.has_pending_extension ? t('common.yes') : ''],
      [t('case.anonymous'), c.anonymous ? t('common.yes') : ''],
    ];
    sec.append(h2, desc, dl(rows));

    const photos = el('section', 'card case-photos');
    photos.setAttribute('aria-labelledby', 'case-photos-title');
    const ph = el('h2', 'card-title', t('case.photos'));
    ph.id = 'case-photos-title';
    photos.append(ph);
    if (!st.atts.length) photos.append(el('p', 'muted', t('case.noPhotos')));
    else {
      const ul = el('ul', 'photo-list');
      st.atts.forEach((a, i) => {
        const li = el('li', 'photo-item');
        if (a.type === 'application/pdf') {
          li.append(link('pdf-link', t('case.pdf', { n: i + 1 }), a.url, { target: '_blank', rel: 'noopener' }));
        } else {
          const aEl = link('photo-link', null, a.url, { target: '_blank', rel: 'noopener' });
          const img = el('img', 'photo');
          img.src = a.url;
          img.alt = t('case.photoAlt', { n: i + 1 });
          img.loading = 'lazy';
          aEl.append(img);
          li.append(aEl);
        }
        ul.append(li);
      });
      photos.append(ul);
    }

    const tl = el('section', 'card case-timeline');
    tl.setAttribute('aria-labelledby', 'case-timeline-title');
    const th = el('h2', 'card-title', t('case.timeline'));
    th.id = 'case-timeline-title';
    tl.append(th);
    if (st.eventsError) {
      const e = el('p', 'panel-error', errorText(st.eventsError, 'case'));
      tl.append(e);
    } else if (!st.events.length) tl.append(el('p', 'muted', t('case.noEvents')));
    else {
      const ol = el('ol', 'timeline');
      ol.id = 'timeline';
      for (const ev of st.events) ol.append(eventItem(ev));
      tl.append(ol);
    }
    parts.main.replaceChildren(sec, photos, tl);
  }

  function eventItem(ev) {
    const li = el('li', 'tl-item');
    li.dataset.action = ev.action;
    const head = el('div', 'tl-head');
    const when = el('time', 'tl-time', fmtDateTime(ev.at));
    when.dateTime = ev.at;
    head.append(when);
    head.append(el('span', 'tl-action', nameOf('action', ev.action)));
    if (ev.to_state && ev.to_state !== ev.from_state) {
      const to = el('span', 'tl-to');
      to.append(el('span', 'tl-arrow', '→ '), statusBadge(ev.to_state));
      head.append(to);
    }
    head.append(el('span', 'tl-role', ev.actor_role === 'system' ? t('role.system') : nameOf('role', ev.actor_role)));
    li.append(head);
    const p = ev.payload || {};
    const lines = [];
    if (p.reason) lines.push([t('ev.reason'), p.reason]);
    if (p.evidence) lines.push([t('ev.evidence'), p.evidence]);
    if (p.text) lines.push([t('ev.text'), p.text]);
    if (p.department) lines.push([t('ev.department'), nameOf('dept', p.department)]);
    if (p.outcome) lines.push([t('ev.outcome'), nameOf('outcome', p.outcome) + (p.outcome_reason ? t('punct.colon') + nameOf('reason', p.outcome_reason) : '')]);
    if (p.rating) lines.push([t('ev.rating'), stars(Number(p.rating))]);
    if (p.merge_into) lines.push([t('ev.merge_into'), p.merge_into]);
    if (p.extension_days) lines.push([t('ev.extension_days'), String(p.extension_days)]);
    if (p.supervision) lines.push([t('ev.supervision'), nameOf('supervision', p.supervision) + (p.automatic ? t('case.automatic') : '')]);
    if (ev.action === 'escalate' && p.queue_level) {
      lines.push([t('case.queueLevel'), levelName(['', 'province', 'city', 'district', 'street', 'community', 'grid', 'cell'][p.queue_level] || '')]);
    }
    if (ev.action === 'report') {
      if (p.channel) lines.push([t('ev.channel'), nameOf('channel', p.channel)]);
      if (p.urgency && p.urgency !== 'normal') lines.push([t('ev.urgency'), nameOf('urgency', p.urgency)]);
    }
    if (lines.length) {
      const d = el('dl', 'tl-body');
      for (const [k, v] of lines) {
        const dd = el('dd');
        if (v instanceof Node) dd.append(v);
        else dd.textContent = v;
        d.append(el('dt', null, k), dd);
      }
      li.append(d);
    }
    return li;
  }

  function renderSide() {
    const c = st.c;
    const nodes = [];
    const mapCard = el('section', 'card case-map-card');
    mapCard.setAttribute('aria-labelledby', 'case-map-title');
    const mh = el('h2', 'card-title', t('case.map'));
    mh.id = 'case-map-title';
    mapCard.append(mh);
    const hasPoint = Number.isFinite(c.lat) && Number.isFinite(c.lon);
    let mapEl = null;
    if (hasPoint) {
      mapEl = el('div', 'case-map');
      mapEl.id = 'case-map';
      mapEl.setAttribute('role', 'region');
      mapEl.setAttribute('aria-label', t('case.map'));
      mapCard.append(mapEl);
      if (st.area) mapCard.append(el('p', 'map-caption', fullPath(st.area)));
    } else mapCard.append(el('p', 'muted', t('case.noLocation')));
    nodes.push(mapCard);

    const r = c.reporter;
    if (r && (r.name || r.phone)) {
      const rep = el('section', 'card case-reporter');
      rep.id = 'case-reporter';
      rep.setAttribute('aria-labelledby', 'case-reporter-title');
      const rh = el('h2', 'card-title', t('case.reporter'));
      rh.id = 'case-reporter-title';
      let phone = null;
      if (r.phone) phone = link('tel-link', r.phone, 'tel:' + String(r.phone).replace(/[^\d+]/g, ''));
      rep.append(rh, dl([[t('case.reporterName'), r.name], [t('case.reporterPhone'), phone]]));
      nodes.push(rep);
    }
    parts.side.replaceChildren(...nodes);

    if (mapEl && window.L) {
      pointMap = new PointMap(mapEl, { lat: c.lat, lng: c.lon });
      drawContext(c, pointMap);
    }
  }

  // The areas around the case point: its parent's children (the case's cell among its
  // neighbours), only when the user may see them (no refused requests).
  async function drawContext(c, pm) {
    const code = String(c.area_code || '');
    const parent = code.length > 6 ? code.slice(0, code.length - 3) : '';
    try {
      let fc = null;
      if (parent && canSeeArea(user, parent)) fc = await api.geojson(parent, 1);
      else if (canSeeArea(user, code)) fc = await api.geojson(code, 0);
      if (fc && pm === pointMap) pm.context(fc, code);
    } catch {
      /* the point alone is enough */
    }
  }

  return {
    mount(container) {
      root = container;
      root.classList.add('page-scroll');
      render();
      load();
      timer = setInterval(() => root && tickCountdowns(root), 30000);
    },
    relabel() {
      const keepOpen = st.open;
      render();
      st.open = keepOpen;
    },
    destroy() {
      st.token++;
      clearInterval(timer);
      if (pointMap) pointMap.destroy();
      pointMap = null;
      root = null;
      parts = null;
    },
  };
}
