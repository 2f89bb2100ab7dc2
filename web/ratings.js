// Compliance, ratings and surveys administration.
//   #/compliance[?from=&to=&sort=]   field-work norms per grid and station-team sessions
//                                    (GET /api/v1/compliance; CSV/XLSX downloads)
//   #/ratings[?from=&to=&year=]      composite scores per child area (/api/v1/stats/scores)
//                                    and the year's stars (/api/v1/stats/stars; admins and
//                                    leaders rate a year once)
//   #/surveys                        the surveys of the caller's area; admins create one. The
//                                    answering page and the results are survey.js's
//                                    (#/survey/ID, #/survey/ID/results).

import { t, fmtNumber } from './i18n.js';
import { get, post } from './api.js';
import { el, button, link, formField, setFieldError, selectEl, inputEl } from './ui.js';
import { enc, errorBox, noteBox, pageShell, card, table, row, submitButton, loaderView, act, cityToday } from './pagekit.js';

export const COMPLIANCE_ROLES = new Set(['community_staff', 'dispatcher', 'leader', 'admin']);
export const RATING_ROLES = new Set(['grid_worker', 'community_staff', 'station_cadre', 'dispatcher', 'department_handler', 'mediator', 'leader', 'admin']);
const STAR_RATERS = new Set(['admin', 'leader']);
const SURVEY_ADMINS = new Set(['admin']);
const SORTS = ['patrols', 'unvisited', 'overdue', 'found'];
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const AREA_RE = /^\d{2,18}$/;

const pct = (x) => (typeof x === 'number' && Number.isFinite(x) ? `${Math.round(x * 1000) / 10}%` : '–');
const score = (x) => (typeof x === 'number' && Number.isFinite(x) ? (Math.round(x * 10) / 10).toFixed(1) : '–');

function dateFilters(idPrefix, from, to, extra, onGo) {
  const form = el('form', 'cm-filters');
  form.noValidate = true;
  const fi = inputEl('date', 'from', from);
  fi.id = idPrefix + '-from';
  const ti = inputEl('date', 'to', to);
  ti.id = idPrefix + '-to';
  const ff = formField(t('cm.from'), fi);
  const ft = formField(t('cm.to'), ti);
  form.append(ff.wrap, ft.wrap, ...extra.map((x) => x.wrap), submitButton(t('cm.show'), idPrefix + '-submit'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const okF = !fi.value || DAY_RE.test(fi.value);
    const okT = !ti.value || DAY_RE.test(ti.value);
    setFieldError(ff, okF ? '' : t('cm.err.date'));
    setFieldError(ft, okT ? '' : t('cm.err.date'));
    if (!okF || !okT) return;
    onGo(fi.value, ti.value);
  });
  return form;
}

/* ------------------------------------------------------------- compliance */

export function complianceView(ctx, r) {
  const q = r.query;
  const from = DAY_RE.test(q.get('from') || '') ? q.get('from') : '';
  const to = DAY_RE.test(q.get('to') || '') ? q.get('to') : '';
  const sort = SORTS.includes(q.get('sort')) ? q.get('sort') : 'patrols';
  const qs = () => {
    const p = new URLSearchParams({ sort });
    if (from) p.set('from', from);
    if (to) p.set('to', to);
    return p;
  };
  return loaderView(ctx, {
    context: 'compliance',
    load: () => get('/api/v1/compliance?' + qs()),
    draw(d) {
      const pg = pageShell(t('cm.comp.title'));
      pg.append(el('p', 'page-intro', t('cm.comp.intro', { from: d.from.slice(0, 10), to: d.to.slice(0, 10), days: fmtNumber(Math.round(d.days)) })));
      const sSel = selectEl('sort', SORTS.map((s) => ({ value: s, label: t('cm.comp.sort.' + s) })), sort);
      sSel.id = 'comp-sort';
      const filters = dateFilters('comp', from, to, [formField(t('cm.comp.sortBy'), sSel)], (f, tt) => {
        const p = new URLSearchParams({ sort: sSel.value });
        if (f) p.set('from', f);
        if (tt) p.set('to', tt);
        ctx.go('#/compliance?' + p);
      });
      const dls = el('p', 'cm-downloads');
      const csv = qs();
      csv.set('format', 'csv');
      const xlsx = qs();
      xlsx.set('format', 'xlsx');
      const teams = qs();
      teams.set('format', 'csv');
      teams.set('list', 'teams');
      dls.append(link('btn btn-ghost btn-small', t('cm.comp.csv'), '/api/v1/compliance?' + csv, { download: '' }), link('btn btn-ghost btn-small', t('cm.comp.xlsx'), '/api/v1/compliance?' + xlsx, { download: '' }), link('btn btn-ghost btn-small', t('cm.comp.teamsCsv'), '/api/v1/compliance?' + teams, { download: '' }));
      pg.append(card(t('cm.filters'), 'comp-filters-title', filters, dls));
      const grids = d.grids || [];
      const lagging = grids.filter((g) => g.patrols.shortfall > 0).length;
      const rows = grids.map((g) =>
        row(
          g.name ? `${g.name} · ${g.grid}` : g.grid,
          [fmtNumber(g.patrols.count), t('cm.comp.perDay', { n: g.patrols.per_day.toFixed(2), norm: fmtNumber(g.patrols.norm_per_day) }), fmtNumber(g.patrols.shortfall), fmtNumber(g.households.total), fmtNumber(g.households.unvisited_30d), fmtNumber(g.households.overdue), pct(g.cases.found_share)],
          { grid: g.grid, shortfall: g.patrols.shortfall },
        ),
      );
      pg.append(
        card(
          t('cm.comp.grids', { n: fmtNumber(grids.length), lag: fmtNumber(lagging) }),
          'comp-grids-title',
          rows.length ? table(['cm.comp.grid', 'cm.comp.patrols', 'cm.comp.rate', 'cm.comp.shortfall', 'cm.comp.households', 'cm.comp.unvisited', 'cm.comp.overdue', 'cm.comp.found'], rows, 'compliance-table') : el('p', 'muted', t('cm.comp.noGrids')),
        ),
      );
      const teamsRows = (d.teams || []).map((x) => row(x.name || String(x.team_id), [fmtNumber(x.scheduled), fmtNumber(x.held), fmtNumber(x.missed), pct(x.held_rate)], { team: x.team_id }));
      pg.append(card(t('cm.comp.teams'), 'comp-teams-title', teamsRows.length ? table(['cm.comp.team', 'cm.comp.scheduled', 'cm.comp.held', 'cm.comp.missed', 'cm.comp.heldRate'], teamsRows, 'team-table') : el('p', 'muted', t('cm.comp.noTeams'))));
      return pg;
    },
  });
}

/* ------------------------------------------------------- scores and stars */

export function ratingsView(ctx, r) {
  const q = r.query;
  const from = DAY_RE.test(q.get('from') || '') ? q.get('from') : '';
  const to = DAY_RE.test(q.get('to') || '') ? q.get('to') : '';
  const thisYear = Number(cityToday().slice(0, 4));
  const year = /^\d{4}$/.test(q.get('year') || '') ? Number(q.get('year')) : thisYear;
  const st = { rateError: null, note: '' };
  return loaderView(ctx, {
    context: 'rating',
    load: async () => {
      const p = new URLSearchParams();
      if (from) p.set('from', from);
      if (to) p.set('to', to);
      const [scores, stars] = await Promise.all([get('/api/v1/stats/scores' + (p.toString() ? '?' + p : '')), get(`/api/v1/stats/stars?year=${year}`)]);
      return { scores, stars };
    },
    draw({ scores, stars }, view) {
      const pg = pageShell(t('cm.rate.title'));
      pg.append(el('p', 'page-intro', t('cm.rate.intro', { area: scores.area, from: scores.from, to: scores.to })));
      const go = (f, tt, y) => {
        const p = new URLSearchParams();
        if (f) p.set('from', f);
        if (tt) p.set('to', tt);
        if (y && y !== thisYear) p.set('year', String(y));
        ctx.go('#/ratings' + (p.toString() ? '?' + p : ''));
      };
      pg.append(card(t('cm.filters'), 'rate-filters-title', dateFilters('rate', from, to, [], (f, tt) => go(f, tt, year))));
      const rows = (scores.rows || []).map((x) =>
        row(x.name || x.area, [x.rank ? String(x.rank) : '–', score(x.score), pct(x.coverage), fmtNumber(x.cases), fmtNumber(x.survey_responses), score(x.survey && x.survey.overall)], { area: x.area }),
      );
      pg.append(card(t('cm.rate.scores'), 'rate-scores-title', rows.length ? table(['cm.rate.area', 'cm.rate.rank', 'cm.rate.score', 'cm.rate.coverage', 'cm.rate.cases', 'cm.rate.responses', 'cm.rate.survey'], rows, 'score-table') : el('p', 'muted', t('cm.rate.noScores'))));

      // Stars of a year.
      const yearSel = selectEl('year', [thisYear - 2, thisYear - 1, thisYear].map((y) => ({ value: String(y), label: String(y) })), String(year));
      yearSel.id = 'stars-year';
      yearSel.addEventListener('change', () => go(from, to, Number(yearSel.value)));
      const sparts = [formField(t('cm.rate.year'), yearSel, { cls: 'civic-filter' }).wrap];
      if (st.note) sparts.push(noteBox(st.note, 'stars-note'));
      if (st.rateError) sparts.push(errorBox(st.rateError, 'rating', 'stars-error'));
      const srows = (stars.rows || []).map((x) => {
        const s = el('span', 'stars', '★'.repeat(x.stars) + '☆'.repeat(Math.max(0, 5 - x.stars)));
        s.setAttribute('role', 'img');
        s.setAttribute('aria-label', t('case.stars', { n: x.stars }));
        return row(x.name || x.area, [s, score(x.score)], { area: x.area, stars: x.stars });
      });
      if (srows.length) sparts.push(table(['cm.rate.area', 'cm.rate.stars', 'cm.rate.score'], srows, 'stars-table'));
      else sparts.push(el('p', 'muted', t('cm.rate.notRated', { year: stars.year })));
      if (!stars.rated && STAR_RATERS.has(ctx.user.role)) {
        sparts.push(
          button('btn btn-primary', t('cm.rate.rateYear', { year: stars.year }), async () => {
            const res = await act(ctx, () => post('/api/v1/stats/stars', { year: stars.year }));
            if (res.lost) return;
            st.rateError = res.ok ? null : res.error;
            st.note = res.ok ? t('cm.rate.rated', { n: fmtNumber(res.value.rated), year: stars.year }) : '';
            await view.reload();
            document.getElementById(res.ok ? 'stars-note' : 'stars-error')?.focus();
          }, { id: 'stars-rate' }),
        );
      }
      pg.append(card(t('cm.rate.starsTitle', { year: stars.year }), 'rate-stars-title', ...sparts));
      pg.append(el('p', 'muted', t('cm.rate.surveysHint')), link('btn btn-secondary', t('cm.sv.title'), '#/surveys'));
      return pg;
    },
  });
}

/* ---------------------------------------------------------------- surveys */

const QTYPES = ['rating', 'yesno', 'choice'];
const DIMENSIONS = ['security', 'satisfaction'];

// "满意=100" lines into [{label, score}], or null when a line is not of that form.
function parseOptions(text) {
  const out = [];
  for (const line of text.split('\n').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(.+?)\s*[=＝]\s*(\d{1,3}(?:\.\d+)?)$/.exec(line);
    if (!m || Number(m[2]) > 100) return null;
    out.push({ label: m[1], score: Number(m[2]) });
  }
  return out.length >= 2 ? out : null;
}

export function surveysView(ctx) {
  const now = new Date(Date.now() + 8 * 3600e3);
  const blankQ = () => ({ text: '', type: 'rating', dimension: 'satisfaction', weight: '1', options: '' });
  const st = {
    error: null,
    created: null,
    v: { title: '', area: ctx.user.area_code, year: String(now.getUTCFullYear()), quarter: String(Math.floor(now.getUTCMonth() / 3) + 1), questions: [blankQ()] },
  };
  let form = null;
  function readForm() {
    if (!form) return;
    const v = st.v;
    v.title = form.querySelector('#sv-title').value;
    v.area = form.querySelector('#sv-area').value;
    v.year = form.querySelector('#sv-year').value;
    v.quarter = form.querySelector('#sv-quarter').value;
    v.questions.forEach((qq, i) => {
      qq.text = form.querySelector(`#sv-q${i}-text`).value;
      qq.type = form.querySelector(`#sv-q${i}-type`).value;
      qq.dimension = form.querySelector(`#sv-q${i}-dim`).value;
      qq.weight = form.querySelector(`#sv-q${i}-weight`).value;
      qq.options = form.querySelector(`#sv-q${i}-options`)?.value ?? qq.options;
    });
  }
  return loaderView(ctx, {
    context: 'survey',
    load: () => get('/api/v1/surveys'),
    draw(d, view) {
      if (form && form.isConnected) readForm(); // keep what was typed across a language switch
      const pg = pageShell(t('cm.sv.title'));
      pg.append(el('p', 'page-intro', t('cm.sv.intro')));
      const rows = (d.surveys || []).map((s) => {
        const links = el('span', 'cm-links');
        links.append(link('hh-link', t('cm.sv.results'), `#/survey/${s.id}/results`), document.createTextNode(' · '), link('hh-link', t('cm.sv.public'), `#/survey/${s.id}`));
        return row(s.title, [s.area, t('cm.sv.quarter', { y: s.year, q: s.quarter }), `${s.opens} – ${s.closes}`, s.is_open ? t('cm.sv.open') : t('cm.sv.closed'), links], { id: s.id });
      });
      const lparts = [];
      if (st.created) lparts.push(noteBox(t('cm.sv.created', { title: st.created }), 'sv-created'));
      lparts.push(rows.length ? table(['cm.sv.name', 'cm.area', 'cm.sv.period', 'cm.sv.window', 'cm.sv.state', 'cm.actions'], rows, 'survey-table') : el('p', 'muted', t('cm.sv.none')));
      pg.append(card(t('cm.sv.list'), 'sv-list-title', ...lparts));
      if (SURVEY_ADMINS.has(ctx.user.role)) pg.append(card(t('cm.sv.createTitle'), 'sv-new-title', surveyForm(view)));
      return pg;
    },
  });

  function surveyForm(view) {
    const v = st.v;
    form = el('form', 'cm-form');
    form.id = 'sv-form';
    form.noValidate = true;
    const f = {};
    const mk = (id, key, value, opts = {}) => {
      const i = inputEl(opts.type || 'text', id, value);
      i.id = id;
      if (opts.inputMode) i.inputMode = opts.inputMode;
      if (opts.min !== undefined) i.min = String(opts.min);
      if (opts.max !== undefined) i.max = String(opts.max);
      return formField(t(key), i, { required: true });
    };
    f.title = mk('sv-title', 'cm.sv.name', v.title);
    f.area = mk('sv-area', 'cm.area', v.area, { inputMode: 'numeric' });
    f.year = mk('sv-year', 'cm.rate.year', v.year, { type: 'number', min: 2000, max: 2199 });
    const qSel = selectEl('quarter', [1, 2, 3, 4].map((n) => ({ value: String(n), label: t('cm.sv.q', { q: n }) })), v.quarter);
    qSel.id = 'sv-quarter';
    f.quarter = formField(t('cm.sv.quarterLabel'), qSel, { required: true });
    const grid = el('div', 'user-form-grid');
    grid.append(f.title.wrap, f.area.wrap, f.year.wrap, f.quarter.wrap);
    form.append(grid);
    const qf = [];
    v.questions.forEach((qq, i) => {
      const fs = el('fieldset', 'cm-question');
      fs.append(el('legend', null, t('cm.sv.question', { n: i + 1 })));
      const text = inputEl('text', 'text', qq.text);
      text.id = `sv-q${i}-text`;
      text.maxLength = 200;
      const ftext = formField(t('cm.sv.qtext'), text, { required: true });
      const type = selectEl('type', QTYPES.map((x) => ({ value: x, label: t('cm.sv.type.' + x) })), qq.type);
      type.id = `sv-q${i}-type`;
      const dim = selectEl('dimension', DIMENSIONS.map((x) => ({ value: x, label: t('cm.sv.dim.' + x) })), qq.dimension);
      dim.id = `sv-q${i}-dim`;
      const weight = inputEl('number', 'weight', qq.weight);
      weight.id = `sv-q${i}-weight`;
      weight.min = '0';
      weight.step = '0.5';
      const fw = formField(t('cm.sv.weight'), weight);
      const g = el('div', 'user-form-grid');
      g.append(ftext.wrap, formField(t('cm.sv.qtype'), type).wrap, formField(t('cm.sv.qdim'), dim).wrap, fw.wrap);
      fs.append(g);
      let fopt = null;
      if (qq.type === 'choice') {
        const opts = el('textarea');
        opts.name = 'options';
        opts.rows = 3;
        opts.value = qq.options;
        opts.id = `sv-q${i}-options`;
        fopt = formField(t('cm.sv.options'), opts, { required: true, hint: t('cm.sv.optionsHint') });
        fs.append(fopt.wrap);
      }
      type.addEventListener('change', () => {
        readForm();
        form = null; // read already: the redraw must not read the old form again
        view.redraw();
        document.getElementById(`sv-q${i}-type`)?.focus();
      });
      if (v.questions.length > 1) {
        fs.append(
          button('btn btn-ghost btn-small', t('cm.sv.removeQ'), () => {
            readForm();
            form = null;
            v.questions.splice(i, 1);
            view.redraw();
            document.getElementById('sv-add-q')?.focus();
          }, { 'aria-label': t('cm.sv.removeQLabel', { n: i + 1 }) }),
        );
      }
      qf.push({ ftext, fw, fopt });
      form.append(fs);
    });
    form.append(
      button('btn btn-secondary btn-small', t('cm.sv.addQ'), () => {
        readForm();
        form = null;
        v.questions.push(blankQ());
        view.redraw();
        document.getElementById(`sv-q${v.questions.length - 1}-text`)?.focus();
      }, { id: 'sv-add-q' }),
    );
    if (st.error) form.append(errorBox(st.error, 'survey', 'sv-error'));
    form.append(submitButton(t('cm.sv.create'), 'sv-submit'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      readForm();
      const bad = [];
      const check = (fld, ok, key) => {
        setFieldError(fld, ok ? '' : t(key));
        if (!ok) bad.push(fld);
      };
      check(f.title, !!v.title.trim(), 'cm.err.title');
      check(f.area, AREA_RE.test(v.area.trim()), 'cm.err.area');
      check(f.year, /^\d{4}$/.test(v.year) && +v.year >= 2000 && +v.year <= 2199, 'cm.err.year');
      const questions = v.questions.map((qq, i) => {
        const out = { id: `q${i + 1}`, text: qq.text.trim(), type: qq.type, dimension: qq.dimension };
        const w = Number(qq.weight);
        check(qf[i].ftext, !!out.text, 'cm.err.qtext');
        check(qf[i].fw, qq.weight === '' || (w >= 0 && w <= 1000), 'cm.err.weight');
        if (qq.weight !== '') out.weight = w;
        if (qq.type === 'choice') {
          const opts = parseOptions(qq.options);
          check(qf[i].fopt, !!opts, 'cm.err.options');
          if (opts) out.options = opts;
        }
        return out;
      });
      if (bad.length) return bad[0].control.focus();
      const body = { title: v.title.trim(), area: v.area.trim(), year: Number(v.year), quarter: Number(v.quarter), questions };
      const res = await act(ctx, () => post('/api/v1/surveys', body));
      if (res.lost) return;
      st.error = res.ok ? null : res.error;
      if (res.ok) {
        form = null; // the next draw starts from the fresh values, not the sent form
        st.created = body.title;
        st.v = { ...v, title: '', questions: [blankQ()] };
        await view.reload();
        document.getElementById('sv-created')?.focus();
      } else {
        view.redraw();
        document.getElementById('sv-error')?.focus();
      }
    });
    return form;
  }
}


