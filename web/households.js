// Household files. #/households[?area=CODE]: search by name or address (/api/v1/search) and
// the households of an area, paged (/api/v1/households). #/households/ID: the household file
// (/api/v1/households/ID/file): household, members, building, timeline. ID numbers and phones
// come masked; "reveal" asks for a reason and re-reads the file with ?reveal=REASON, which the
// server writes to the access log (the page says so).

import { t, nameOf, fmtDateTime } from './i18n.js';
import { errorText, get } from './api.js';
import { el, button, link, formField, inputEl } from './ui.js';
import { FIELD_ROLES } from './fieldwork.js';

const enc = encodeURIComponent;
const PAGE = 50;

export const HOUSEHOLD_ROLES = new Set(['grid_worker', 'community_staff', 'station_cadre', 'mediator', 'leader', 'admin']);

function errorBox(e, context) {
  const p = el('p', 'panel-error', errorText(e, context));
  p.setAttribute('role', 'alert');
  return p;
}

/* ------------------------------------------------------------ list + search */

export function householdsView(ctx, r) {
  const st = { area: r.query.get('area') || ctx.user.area_code, q: r.query.get('q') || '', items: [], next: null, results: null, error: null, searchError: null };
  let main = null;
  let listBox = null;
  let searchBox = null;
  let alive = true;

  async function loadPage(after) {
    ctx.busy();
    try {
      const res = await get(`/api/v1/households?area=${enc(st.area)}&limit=${PAGE}${after ? '&after=' + enc(after) : ''}`);
      if (!alive) return;
      st.items = after ? st.items.concat(res.items || []) : res.items || [];
      st.next = res.next || null;
      st.error = null;
    } catch (e) {
      if (!alive) return;
      if (e && e.status === 401) return ctx.sessionLost();
      st.error = e;
    }
    renderList();
    ctx.ready();
  }

  async function search(q) {
    st.q = q;
    history.replaceState(null, '', `#/households?area=${enc(st.area)}${q ? '&q=' + enc(q) : ''}`);
    if (!q) {
      st.results = null;
      st.searchError = null;
      renderSearch();
      return;
    }
    if ([...q].length < 3) {
      st.results = null;
      st.searchError = { local: 'hh.searchShort' };
      renderSearch();
      return;
    }
    ctx.busy();
    try {
      const res = await get(`/api/v1/search?q=${enc(q)}&area=${enc(st.area)}`);
      if (!alive) return;
      st.results = res.items || [];
      st.searchError = null;
    } catch (e) {
      if (!alive) return;
      st.results = null;
      st.searchError = e;
    }
    renderSearch();
    ctx.ready();
  }

  async function openPerson(id) {
    ctx.busy();
    try {
      const p = await get(`/api/v1/persons/${enc(id)}`);
      if (p.household_id) return ctx.go(`#/households/${p.household_id}`);
      st.searchError = { local: 'hh.noHousehold' };
    } catch (e) {
      st.searchError = e;
    }
    renderSearch();
    ctx.ready();
  }

  function renderSearch() {
    if (!searchBox) return;
    const out = [];
    if (st.searchError) {
      const p = st.searchError.local ? el('p', 'panel-error', t(st.searchError.local)) : errorBox(st.searchError);
      p.setAttribute('role', 'alert');
      out.push(p);
    } else if (st.results) {
      out.push(el('p', 'muted', t('hh.results', { n: st.results.length })));
      const ul = el('ul', 'hh-results');
      for (const it of st.results) {
        const li = el('li', 'hh-result');
        li.dataset.kind = it.kind;
        const kind = el('span', 'hh-kind', nameOf('hh.kind', it.kind));
        if (it.kind === 'household') li.append(kind, link('hh-link', it.label, `#/households/${it.id}`));
        else if (it.kind === 'person') li.append(kind, button('link-btn', it.label, () => openPerson(it.id), { 'aria-label': t('hh.openPerson', { name: it.label }) }));
        else li.append(kind, el('span', null, it.label));
        ul.append(li);
      }
      out.push(ul);
    }
    searchBox.replaceChildren(...out);
  }

  function renderList() {
    if (!listBox) return;
    const out = [];
    const field = FIELD_ROLES.has(ctx.user.role);
    const h = el('h2', 'card-title', field && st.area === ctx.user.area_code ? t('hh.listMine') : t('hh.listTitle'));
    h.id = 'hh-list-title';
    out.push(h);
    if (st.error) out.push(errorBox(st.error));
    else if (!st.items.length) out.push(el('p', 'muted', t('hh.none')));
    else {
      const table = el('table', 'dash-table hh-table');
      const tr = el('tr');
      for (const k of field ? ['hh.col.no', 'hh.col.address', 'hh.col.kind', 'hh.col.visit'] : ['hh.col.no', 'hh.col.address', 'hh.col.kind']) {
        const th = el('th', null, t(k));
        th.scope = 'col';
        tr.append(th);
      }
      const thead = el('thead');
      thead.append(tr);
      const tbody = el('tbody');
      for (const x of st.items) {
        const row = el('tr');
        row.dataset.id = String(x.id);
        const th = el('th');
        th.scope = 'row';
        th.append(link('hh-link', x.household_no || String(x.id), `#/households/${x.id}`));
        row.append(th, el('td', null, x.address || ''), el('td', null, nameOf('hh.hkind', x.kind)));
        if (field) {
          const td = el('td');
          td.append(link('btn btn-secondary btn-small', t('fw.visitNow'), `#/visit?household=${enc(x.id)}`, { 'aria-label': t('fw.visitLabel', { name: x.household_no || x.address || x.id }) }));
          row.append(td);
        }
        tbody.append(row);
      }
      table.append(thead, tbody);
      const wrap = el('div', 'table-scroll');
      wrap.append(table);
      out.push(wrap);
      if (st.next) out.push(button('btn btn-secondary hh-more', t('hh.more'), () => loadPage(st.next)));
    }
    listBox.replaceChildren(...out);
  }

  function render() {
    const page = el('div', 'page page-wide');
    const h1 = el('h1', 'page-title', t('hh.title'));
    h1.tabIndex = -1;
    const head = el('div', 'page-head');
    head.append(h1);
    page.append(head);

    const form = el('form', 'card hh-search');
    form.setAttribute('role', 'search');
    const q = inputEl('search', 'q', st.q);
    q.id = 'hh-q';
    q.autocomplete = 'off';
    const f = formField(t('hh.search'), q, { hint: t('hh.searchHint') });
    const submit = el('button', 'btn btn-primary', t('hh.searchGo'));
    submit.type = 'submit';
    const row = el('div', 'hh-search-row');
    row.append(f.wrap, submit);
    searchBox = el('div', 'hh-search-out');
    searchBox.setAttribute('aria-live', 'polite');
    form.append(row, searchBox);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      search(q.value.trim());
    });
    page.append(form);

    listBox = el('section', 'card hh-list');
    listBox.setAttribute('aria-labelledby', 'hh-list-title');
    page.append(listBox);
    main.replaceChildren(page);
    renderSearch();
    renderList();
  }

  return {
    mount(m) {
      main = m;
      render();
      loadPage(null);
      if (st.q) search(st.q);
    },
    relabel() {
      render();
    },
    destroy() {
      alive = false;
    },
  };
}

/* ------------------------------------------------------------------- a file */

export function householdView(ctx, r) {
  const st = { id: r.id, file: null, error: null, reason: '', revealError: null, asking: false };
  let main = null;
  let alive = true;

  async function load(reason) {
    ctx.busy();
    try {
      const f = await get(`/api/v1/households/${enc(st.id)}/file${reason ? '?reveal=' + enc(reason) : ''}`);
      if (!alive) return;
      st.file = f;
      st.error = null;
      st.revealError = null;
      if (reason) {
        st.reason = reason;
        st.asking = false;
      }
    } catch (e) {
      if (!alive) return;
      if (e && e.status === 401) return ctx.sessionLost();
      if (reason) st.revealError = e;
      else st.error = e;
    }
    render();
    if (reason && !st.revealError) main?.querySelector('#hh-revealed')?.focus();
    if (reason && st.revealError) main?.querySelector('#hh-reason')?.focus();
    ctx.ready();
  }

  function dl(rows) {
    const d = el('dl', 'detail-list');
    for (const [k, v] of rows) if (v !== null && v !== undefined && v !== '') d.append(el('dt', null, k), el('dd', null, String(v)));
    return d;
  }

  function revealBlock() {
    const box = el('div', 'hh-reveal');
    const f = st.file;
    const revealed = f.members.some((m) => m.personal_data === 'revealed') || f.household.personal_data === 'revealed';
    if (revealed) {
      const p = el('p', 'hh-revealed', t('hh.revealed', { reason: st.reason }));
      p.id = 'hh-revealed';
      p.tabIndex = -1;
      p.setAttribute('role', 'status');
      box.append(p, button('btn btn-secondary', t('hh.mask'), () => {
        st.reason = '';
        load(null);
      }));
      return box;
    }
    if (!st.asking) {
      const b = button('btn btn-secondary', t('hh.reveal'), () => {
        st.asking = true;
        render();
        main.querySelector('#hh-reason')?.focus();
      });
      b.id = 'hh-reveal-btn';
      box.append(el('p', 'muted', t('hh.maskedNote')), b);
      return box;
    }
    const form = el('form', 'hh-reveal-form');
    form.noValidate = true;
    const reason = inputEl('text', 'reason', '');
    reason.id = 'hh-reason';
    reason.maxLength = 200;
    const fld = formField(t('hh.reason'), reason, { hint: t('hh.reasonHint'), required: true });
    if (st.revealError) {
      fld.error.textContent = st.revealError.local ? t(st.revealError.local) : errorText(st.revealError, 'reveal');
      fld.error.hidden = false;
      reason.setAttribute('aria-invalid', 'true');
    }
    const go = el('button', 'btn btn-primary', t('hh.revealGo'));
    go.type = 'submit';
    const cancel = button('btn btn-ghost', t('common.cancel'), () => {
      st.asking = false;
      st.revealError = null;
      render();
      main.querySelector('#hh-reveal-btn')?.focus();
    });
    const row = el('div', 'hh-actions');
    row.append(go, cancel);
    form.append(fld.wrap, row);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const v = reason.value.trim();
      if ([...v].length < 2) {
        st.revealError = { local: 'hh.reasonShort' };
        render();
        main.querySelector('#hh-reason')?.focus();
        return;
      }
      load(v);
    });
    box.append(form);
    return box;
  }

  function render() {
    if (!main) return;
    const page = el('div', 'page page-wide hh-file');
    const back = link('back-link', t('hh.back'), '#/households');
    page.append(back);
    if (st.error) {
      page.append(el('h1', 'page-title', t('hh.fileTitle')), errorBox(st.error, 'household'));
      main.replaceChildren(page);
      return;
    }
    const f = st.file;
    if (!f) {
      page.append(el('p', 'empty', t('panel.loading')));
      main.replaceChildren(page);
      return;
    }
    const h = f.household;
    const h1 = el('h1', 'page-title', t('hh.fileOf', { no: h.household_no || h.id }));
    h1.id = 'hh-title';
    h1.tabIndex = -1;
    page.append(h1);

    const top = el('section', 'card');
    top.setAttribute('aria-labelledby', 'hh-h-title');
    const th = el('h2', 'card-title', t('hh.household'));
    th.id = 'hh-h-title';
    top.append(
      th,
      dl([
        [t('hh.col.no'), h.household_no],
        [t('hh.col.kind'), nameOf('hh.hkind', h.kind)],
        [t('hh.col.address'), h.address],
        [t('panel.code'), h.area_code],
        [t('hh.head'), h.head_name],
        [t('hh.phone'), h.phone],
      ]),
    );
    page.append(top);

    const mem = el('section', 'card hh-members');
    mem.setAttribute('aria-labelledby', 'hh-m-title');
    const mh = el('h2', 'card-title', t('hh.members', { n: f.members.length }));
    mh.id = 'hh-m-title';
    mem.append(mh, revealBlock());
    const table = el('table', 'dash-table');
    const tr = el('tr');
    for (const k of ['hh.name', 'hh.relation', 'hh.sex', 'hh.birth', 'hh.idNumber', 'hh.phone']) {
      const x = el('th', null, t(k));
      x.scope = 'col';
      tr.append(x);
    }
    const thead = el('thead');
    thead.append(tr);
    const tbody = el('tbody');
    for (const m of f.members) {
      const row = el('tr');
      row.dataset.id = String(m.id);
      row.dataset.personal = m.personal_data;
      const nm = el('th', null, m.name);
      nm.scope = 'row';
      row.append(nm, el('td', null, m.relation || ''), el('td', null, nameOf('hh.sexv', m.sex)), el('td', null, m.birth_date || ''));
      row.append(el('td', 'hh-id mono', m.id_number || ''), el('td', 'hh-phone mono', m.phone || ''));
      tbody.append(row);
    }
    table.append(thead, tbody);
    const wrap = el('div', 'table-scroll');
    wrap.append(table);
    mem.append(wrap);
    page.append(mem);

    const b = el('section', 'card');
    b.setAttribute('aria-labelledby', 'hh-b-title');
    const bh = el('h2', 'card-title', t('hh.building'));
    bh.id = 'hh-b-title';
    b.append(bh);
    if (f.building) b.append(dl([[t('hh.col.address'), f.building.address || f.building.name || ''], [t('panel.code'), f.building.area_code]]));
    else b.append(el('p', 'muted', t('hh.noBuilding')));
    page.append(b);

    const tl = el('section', 'card');
    tl.setAttribute('aria-labelledby', 'hh-t-title');
    const tlh = el('h2', 'card-title', t('hh.timeline'));
    tlh.id = 'hh-t-title';
    tl.append(tlh);
    const ol = el('ol', 'hh-timeline');
    for (const ev of f.timeline) {
      const li = el('li');
      li.dataset.kind = ev.kind;
      li.append(el('time', 'hh-when', fmtDateTime(ev.at)), el('strong', null, nameOf('hh.ev', ev.kind)));
      if (ev.kind === 'case' && ev.number) {
        li.append(link('hh-link', ev.number, `#/cases/${ev.id}`));
        if (ev.status) li.append(el('span', 'muted', nameOf('status', ev.status)));
      }
      if (ev.kind !== 'registered' && ev.summary) li.append(el('span', null, ev.summary));
      ol.append(li);
    }
    tl.append(ol);
    page.append(tl);
    main.replaceChildren(page);
  }

  return {
    mount(m) {
      main = m;
      render();
      load(null);
    },
    relabel() {
      render();
    },
    destroy() {
      alive = false;
    },
  };
}

