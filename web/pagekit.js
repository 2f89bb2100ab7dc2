// Page building blocks shared by the volunteer, ratings and civic pages (community.js,
// ratings.js; civic.js takes its tables and detail lists from here):
// a page with a title, cards, tables, a loader view that shows errors in words, and the
// skill / availability pickers. All text goes in with textContent.

import { t, getLang } from './i18n.js';
import { errorText, ApiError } from './api.js';
import { el, button, formField, selectEl } from './ui.js';

export const enc = encodeURIComponent;

// An error in words (never raw JSON): an ApiError through errorText with a context, a
// message from the server for a refused input (400), or a local { local: key }.
export function errorWords(e, context) {
  if (e && e.local) return t(e.local);
  if (e instanceof ApiError && e.status === 400 && e.message && e.code === 'invalid_argument') return t('cm.err.invalid', { msg: e.message });
  return errorText(e, context);
}

export function errorBox(e, context, id) {
  const p = el('p', 'panel-error', errorWords(e, context));
  p.setAttribute('role', 'alert');
  p.tabIndex = -1;
  if (id) p.id = id;
  return p;
}

export function noteBox(text, id) {
  const p = el('p', 'user-note', text);
  p.setAttribute('role', 'status');
  p.tabIndex = -1;
  if (id) p.id = id;
  return p;
}

export function pageShell(titleText, back) {
  const page = el('div', 'page page-wide cm-page');
  if (back) {
    const a = el('a', 'back-link', t(back.key));
    a.href = back.href;
    page.append(a);
  }
  const h1 = el('h1', 'page-title', titleText);
  h1.id = 'cm-title';
  h1.tabIndex = -1;
  page.append(h1);
  return page;
}

export function card(titleText, id, ...children) {
  const s = el('section', 'card cm-card');
  const h = el('h2', 'card-title', titleText);
  h.id = id;
  s.setAttribute('aria-labelledby', id);
  s.append(h, ...children);
  return s;
}

export function dl(rows) {
  const d = el('dl', 'detail-list');
  for (const [k, v] of rows) if (v !== null && v !== undefined && v !== '') d.append(el('dt', null, k), el('dd', null, String(v)));
  return d;
}

// headKeys: i18n keys of the column heads; rows: <tr> elements.
export function table(headKeys, rows, cls = '') {
  const tb = el('table', 'dash-table ' + cls);
  const tr = el('tr');
  for (const k of headKeys) {
    const th = el('th', null, t(k));
    th.scope = 'col';
    tr.append(th);
  }
  const thead = el('thead');
  thead.append(tr);
  const tbody = el('tbody');
  for (const r of rows) tbody.append(r);
  tb.append(thead, tbody);
  const wrap = el('div', 'table-scroll');
  wrap.append(tb);
  return wrap;
}

// A <tr> whose first cell is a row header (text or an element), then plain cells.
export function row(head, cells, data = {}) {
  const tr = el('tr');
  for (const [k, v] of Object.entries(data)) tr.dataset[k] = String(v);
  const th = el('th');
  th.scope = 'row';
  if (head instanceof Node) th.append(head);
  else th.textContent = String(head ?? '');
  tr.append(th);
  for (const c of cells) {
    const td = el('td');
    if (c instanceof Node) td.append(c);
    else td.textContent = c === null || c === undefined ? '' : String(c);
    tr.append(td);
  }
  return tr;
}

export function submitButton(text, id) {
  const b = el('button', 'btn btn-primary', text);
  b.type = 'submit';
  if (id) b.id = id;
  return b;
}

// A view that loads data, draws it, and redraws on reload or a language switch.
// draw(data, view) -> element; view.reload() loads again; view.redraw() draws again.
export function loaderView(ctx, { load, draw, context }) {
  let main = null;
  let data = null;
  let error = null;
  let alive = true;
  const view = {
    async reload() {
      ctx.busy();
      try {
        const d = await load();
        if (!alive) return;
        data = d;
        error = null;
      } catch (e) {
        if (!alive) return;
        if (e && e.status === 401 && ctx.user) return ctx.sessionLost();
        error = e;
      }
      view.redraw();
      ctx.ready();
    },
    redraw() {
      if (!main) return;
      if (error) {
        const page = el('div', 'page page-wide');
        page.append(errorBox(error, context));
        main.replaceChildren(page);
      } else if (data) main.replaceChildren(draw(data, view));
      else {
        const page = el('div', 'page page-wide');
        page.append(el('p', 'empty', t('panel.loading')));
        main.replaceChildren(page);
      }
    },
    get alive() {
      return alive;
    },
  };
  return {
    mount(m) {
      main = m;
      view.redraw();
      view.reload();
    },
    relabel: () => view.redraw(),
    destroy() {
      alive = false;
    },
  };
}

// Run an action that changes something: busy while it runs, 401 ends the session; resolves
// to { ok, value } or { ok: false, error }.
export async function act(ctx, fn) {
  ctx.busy();
  try {
    const value = await fn();
    return { ok: true, value };
  } catch (e) {
    if (e && e.status === 401) {
      ctx.sessionLost();
      return { ok: false, error: e, lost: true };
    }
    return { ok: false, error: e };
  } finally {
    ctx.ready();
  }
}

export function skillName(s) {
  if (!s) return '';
  return getLang() === 'en' ? s.name_en || s.code : s.name_zh || s.code;
}

// "护理（熟练）" list of a volunteer's or need's skills.
export function skillsText(list) {
  if (!list || !list.length) return t('cm.noSkills');
  return list.map((s) => t('cm.skillLevel', { name: skillName(s), level: t('cm.level.' + s.level) })).join(t('cm.sep'));
}

// Skills picker: one level select per skill (none, basic, skilled, professional).
// value: [{code, level}]; returns { wrap, read() -> ["code:level", ...] }.
export function skillsPicker(skills, value, legendKey, idPrefix) {
  const fs = el('fieldset', 'cm-skills');
  fs.append(el('legend', null, t(legendKey)));
  const grid = el('div', 'cm-skill-grid');
  const have = new Map((value || []).map((s) => [s.code, String(s.level)]));
  const sels = [];
  for (const s of skills) {
    const sel = selectEl('skill-' + s.code, [{ value: '', label: t('cm.level.none') }, ...[1, 2, 3].map((l) => ({ value: String(l), label: t('cm.level.' + l) }))], have.get(s.code) || '');
    sel.id = `${idPrefix}-skill-${s.code}`;
    sel.dataset.skill = s.code;
    const f = formField(skillName(s), sel, { cls: 'cm-skill' });
    grid.append(f.wrap);
    sels.push(sel);
  }
  fs.append(grid);
  return {
    wrap: fs,
    read: () => sels.filter((s) => s.value).map((s) => `${s.dataset.skill}:${s.value}`),
  };
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const SLOTS = ['morning', 'afternoon', 'evening'];

// Weekly availability: a table of checkboxes (weekday x part of the day), each labelled.
export function availabilityPicker(value, idPrefix) {
  const on = new Set(value || []);
  const fs = el('fieldset', 'cm-avail');
  fs.append(el('legend', null, t('cm.availability')));
  const tb = el('table', 'cm-avail-table');
  const head = el('tr');
  head.append(el('th'));
  for (const s of SLOTS) {
    const th = el('th', null, t('cm.slot.' + s));
    th.scope = 'col';
    head.append(th);
  }
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  const boxes = [];
  for (const d of WEEKDAYS) {
    const tr = el('tr');
    const th = el('th', null, t('cm.day.' + d));
    th.scope = 'row';
    tr.append(th);
    for (const s of SLOTS) {
      const td = el('td');
      const i = el('input');
      i.type = 'checkbox';
      i.id = `${idPrefix}-avail-${d}-${s}`;
      i.value = `${d}:${s}`;
      i.checked = on.has(i.value);
      i.setAttribute('aria-label', t('cm.slotLabel', { day: t('cm.day.' + d), slot: t('cm.slot.' + s) }));
      td.append(i);
      tr.append(td);
      boxes.push(i);
    }
    tbody.append(tr);
  }
  tb.append(thead, tbody);
  const wrap = el('div', 'table-scroll');
  wrap.append(tb);
  const all = button('btn btn-ghost btn-small', t('cm.availAll'), () => boxes.forEach((b) => (b.checked = true)));
  const none = button('btn btn-ghost btn-small', t('cm.availNone'), () => boxes.forEach((b) => (b.checked = false)));
  const tools = el('div', 'form-actions');
  tools.append(all, none);
  fs.append(wrap, tools);
  return { wrap: fs, read: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

export function availabilityText(list) {
  if (!list || !list.length) return t('cm.availNoneText');
  if (list.length === 21) return t('cm.availAllText');
  return list.map((x) => {
    const [d, s] = x.split(':');
    return t('cm.slotLabel', { day: t('cm.day.' + d), slot: t('cm.slot.' + s) });
  }).join(t('cm.sep'));
}

// Today in the city's zone (UTC+8) as YYYY-MM-DD.
export function cityToday(offsetDays = 0) {
  const d = new Date(Date.now() + 8 * 3600e3 + offsetDays * 86400e3);
  return d.toISOString().slice(0, 10);
}

// A datetime-local value (city time) as an ISO time in UTC, or '' when invalid.
export function cityLocalToIso(v) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v || '');
  if (!m) return '';
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) - 8 * 3600e3;
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}

export function fmtHours(h) {
  if (typeof h !== 'number' || !Number.isFinite(h)) return '–';
  return t('cm.hoursValue', { n: Math.round(h * 100) / 100 });
}
