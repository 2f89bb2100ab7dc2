// Public progress tracking by case number (#/track, #/track/NUMBER).

import { t, getLang, nameOf, fmtDateTime } from './i18n.js';
import { api, errorText, loadCategories } from './api.js';
import { el, formField, inputEl, statusBadge, categoryLabel } from './ui.js';

export function trackView(ctx, route) {
  const st = {
    number: route.number || '',
    result: null,
    error: null,
    localError: '',
    loading: false,
    cats: [],
    token: 0,
  };
  let root = null;

  async function lookup(number) {
    const token = ++st.token;
    st.number = number;
    st.loading = true;
    st.error = null;
    st.result = null;
    ctx.busy();
    render();
    try {
      const [r] = await Promise.all([api.track(number), loadCategories().then((c) => (st.cats = c)).catch(() => {})]);
      if (token !== st.token) return;
      st.result = r;
    } catch (e) {
      if (token !== st.token) return;
      st.error = e;
    }
    st.loading = false;
    render();
    if (st.result) root?.querySelector('#track-result-title')?.focus();
    ctx.ready();
  }

  function render() {
    if (!root) return;
    const keep = root.querySelector('#track-number');
    const typed = keep ? keep.value : st.number;
    const page = el('div', 'page track-page');
    const head = el('div', 'page-head');
    const h1 = el('h1', 'page-title', t('track.title'));
    h1.id = 'track-title';
    head.append(h1);
    page.append(head, el('p', 'page-intro', t('track.intro')));

    const form = el('form', 'card track-form');
    form.setAttribute('role', 'search');
    form.noValidate = true;
    const input = inputEl('text', 'number', typed);
    input.id = 'track-number';
    input.placeholder = t('track.placeholder');
    input.autocomplete = 'off';
    input.spellcheck = false;
    input.inputMode = 'numeric';
    const f = formField(t('track.number'), input, { cls: 'grow' });
    const go = el('button', 'btn btn-primary', t('track.submit'));
    go.type = 'submit';
    go.id = 'track-submit';
    const row = el('div', 'filter-row search-row');
    row.append(f.wrap, go);
    form.append(row);
    if (st.localError) {
      f.error.textContent = st.localError;
      f.error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
    }
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const n = input.value.trim();
      if (!n) {
        st.localError = t('track.need');
        render();
        root.querySelector('#track-number')?.focus();
        return;
      }
      st.localError = '';
      history.replaceState(null, '', '#/track/' + encodeURIComponent(n));
      lookup(n);
    });
    page.append(form);

    if (st.loading) page.append(el('p', 'muted', t('common.loading')));
    if (st.error) {
      const msg = st.error.status === 404 ? t('track.notFound') : errorText(st.error);
      const e = el('p', 'panel-error', msg);
      e.id = 'track-error';
      e.setAttribute('role', 'alert');
      page.append(e);
    }
    if (st.result) page.append(resultCard(st.result));
    root.replaceChildren(page);
  }

  function resultCard(r) {
    const card = el('section', 'card track-result');
    card.id = 'track-result';
    card.setAttribute('aria-labelledby', 'track-result-title');
    const h2 = el('h2', 'track-result-title');
    h2.id = 'track-result-title';
    h2.tabIndex = -1;
    h2.append(el('span', 'case-number', r.number));
    const sb = statusBadge(r.status);
    sb.id = 'track-status';
    sb.classList.add('status-big');
    const head = el('div', 'track-head');
    head.append(h2, sb);
    card.append(head);

    const cat = st.cats.find((c) => c.code === r.category);
    const d = el('dl', 'detail-grid');
    const rows = [
      [t('case.category'), cat ? categoryLabel(getLang(), cat) : r.category],
      [t('track.created'), fmtDateTime(r.created_at)],
      [t('track.outcome'), r.outcome && r.outcome !== 'none' ? nameOf('outcome', r.outcome) : ''],
    ];
    for (const [k, v] of rows) if (v) d.append(el('dt', null, k), el('dd', null, v));
    card.append(d);

    const sh = el('h3', 'sub-title', t('track.steps'));
    card.append(sh);
    const ol = el('ol', 'steps');
    ol.id = 'track-steps';
    const steps = Array.isArray(r.steps) ? r.steps : [];
    steps.forEach((s, i) => {
      const li = el('li', 'step' + (i === steps.length - 1 ? ' is-current' : ''));
      li.dataset.action = s.action;
      const dot = el('span', 'step-dot');
      dot.setAttribute('aria-hidden', 'true');
      const body = el('div', 'step-body');
      const title = el('span', 'step-action', nameOf('action', s.action));
      const when = el('time', 'step-time', fmtDateTime(s.at));
      when.dateTime = s.at;
      body.append(title, statusBadge(s.status), when);
      li.append(dot, body);
      ol.append(li);
    });
    card.append(ol);
    return card;
  }

  return {
    mount(container) {
      root = container;
      root.classList.add('page-scroll');
      render();
      if (st.number) lookup(st.number);
      else ctx.ready();
    },
    relabel() {
      render();
    },
    destroy() {
      st.token++;
      root = null;
    },
  };
}
