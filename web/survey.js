// Resident surveys of the sense of security and satisfaction (安全感和满意度).
//   #/survey/ID          the questionnaire, answered without a login (/api/v1/surveys/ID,
//                        POST /api/v1/surveys/ID/responses): the invitation code and the
//                        grid or cell printed on the card, then one answer per question
//   #/survey/ID/results  staff: scores of the area and of each child area, ranked, with
//                        small groups suppressed (/api/v1/surveys/ID/results)

import { t, fmtNumber } from './i18n.js';
import { errorText, get, post } from './api.js';
import { el, button, formField, inputEl, setFieldError } from './ui.js';

const enc = encodeURIComponent;

export const SURVEY_RESULT_ROLES = new Set(['grid_worker', 'community_staff', 'station_cadre', 'dispatcher', 'department_handler', 'mediator', 'leader', 'admin']);

function shell(titleText) {
  const page = el('div', 'page page-wide survey');
  const h1 = el('h1', 'page-title', titleText);
  h1.id = 'survey-title';
  h1.tabIndex = -1;
  page.append(h1);
  return page;
}

function errorBox(e) {
  const p = el('p', 'panel-error', errorText(e, 'survey'));
  p.setAttribute('role', 'alert');
  return p;
}

// One loader for both pages: load() -> data, draw(data) -> element.
function loaderView(ctx, load, draw) {
  let main = null;
  let alive = true;
  let content = null;
  function render() {
    if (main && content) main.replaceChildren(content());
  }
  return {
    async mount(m) {
      main = m;
      const loading = el('div', 'page page-wide');
      loading.append(el('p', 'empty', t('panel.loading')));
      main.replaceChildren(loading);
      ctx.busy();
      try {
        const data = await load();
        if (!alive) return;
        content = () => draw(data);
      } catch (e) {
        if (!alive) return;
        if (e && e.status === 401 && ctx.user) return ctx.sessionLost();
        content = () => {
          const page = el('div', 'page page-wide');
          page.append(errorBox(e));
          return page;
        };
      }
      render();
      ctx.ready();
    },
    relabel: render,
    destroy() {
      alive = false;
    },
  };
}

/* ------------------------------------------------------------- answering */

// The choices of a question: [value sent, label shown].
function choicesOf(q) {
  if (q.type === 'rating') return [1, 2, 3, 4, 5].map((v) => [v, t(`survey.rating${v}`)]);
  if (q.type === 'yesno') return [[true, t('survey.yes')], [false, t('survey.no')]];
  return q.options.map((o) => [o.label, o.label]);
}

function questionField(q, index) {
  const fs = el('fieldset', 'survey-question');
  fs.dataset.question = q.id;
  const legend = el('legend', null, `${index + 1}. ${q.text}`);
  fs.append(legend, el('p', 'field-hint', t(`survey.dim.${q.dimension}`)));
  const list = el('div', 'survey-choices');
  choicesOf(q).forEach(([value, label], i) => {
    const id = `sq-${q.id}-${i}`;
    const input = el('input');
    input.type = 'radio';
    input.name = `sq-${q.id}`;
    input.id = id;
    input.value = String(i);
    const lab = el('label', 'survey-choice');
    lab.htmlFor = id;
    lab.append(input, el('span', null, label));
    input.addEventListener('change', () => {
      fs.dataset.value = String(i);
    });
    list.append(lab);
    input.dataset.answer = JSON.stringify(value);
  });
  fs.append(list);
  return fs;
}

export function surveyView(ctx, r) {
  let survey = null;
  const view = loaderView(
    ctx,
    async () => (survey = await get(`/api/v1/surveys/${enc(r.id)}`)),
    (s) => {
      const page = shell(s.title);
      page.append(el('p', 'page-intro', t('survey.intro', { from: s.opens, to: s.closes })));
      if (!s.is_open) {
        page.append(el('p', 'panel-error', t('survey.closed')));
        return page;
      }
      const form = el('form', 'survey-form');
      form.noValidate = true;
      const key = formField(t('survey.key'), inputEl('text', 'respondent'), { hint: t('survey.keyHint'), required: true });
      key.control.maxLength = 64;
      key.control.autocomplete = 'off';
      const area = formField(t('survey.area'), inputEl('text', 'area'), { hint: t('survey.areaHint'), required: true });
      area.control.inputMode = 'numeric';
      area.control.maxLength = 18;
      const questions = s.questions.map((q, i) => questionField(q, i));
      const status = el('p', 'survey-status');
      status.setAttribute('role', 'status');
      const submit = button('btn btn-primary', t('survey.submit'), null, { type: 'submit' });
      form.append(key.wrap, area.wrap, ...questions, status, submit);
      // A message goes as soon as what it is about is corrected.
      key.control.addEventListener('input', () => setFieldError(key, ''));
      area.control.addEventListener('input', () => setFieldError(area, ''));
      form.addEventListener('change', () => {
        if (status.classList.contains('panel-error') && form.querySelector('input[type=radio]:checked')) {
          status.textContent = '';
          status.classList.remove('panel-error');
        }
      });
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        setFieldError(key, '');
        setFieldError(area, '');
        status.textContent = '';
        status.classList.remove('panel-error');
        const answers = {};
        for (const fs of questions) {
          const checked = fs.querySelector('input:checked');
          if (checked) answers[fs.dataset.question] = JSON.parse(checked.dataset.answer);
        }
        let bad = false;
        if (!key.control.value.trim()) {
          setFieldError(key, t('survey.keyRequired'));
          bad = true;
        }
        if (!/^\d{15}(\d{3})?$/.test(area.control.value.trim())) {
          setFieldError(area, t('survey.areaRequired'));
          bad = true;
        }
        if (!Object.keys(answers).length) {
          status.textContent = t('survey.answerSome');
          status.classList.add('panel-error');
          bad = true;
        }
        if (bad) return;
        submit.disabled = true;
        ctx.busy();
        try {
          await post(`/api/v1/surveys/${enc(survey.id)}/responses`, {
            respondent: key.control.value.trim(),
            area: area.control.value.trim(),
            answers,
          });
          const thanks = el('p', 'survey-thanks', t('survey.thanks'));
          thanks.setAttribute('role', 'status');
          form.replaceWith(thanks);
        } catch (e) {
          status.textContent = errorText(e, 'survey');
          status.classList.add('panel-error');
          submit.disabled = false;
        }
        ctx.ready();
      });
      page.append(form);
      return page;
    },
  );
  return view;
}

/* ---------------------------------------------------------------- results */

function scoreText(v) {
  return v === null || v === undefined ? '—' : fmtNumber(Math.round(v * 10) / 10);
}

export function surveyResultsView(ctx, r) {
  const area = r.query.get('area');
  return loaderView(
    ctx,
    () => get(`/api/v1/surveys/${enc(r.id)}/results${area ? '?area=' + enc(area) : ''}`),
    (d) => {
      const page = shell(t('survey.resultsTitle', { title: d.survey.title }));
      page.append(el('p', 'page-intro', t('survey.resultsIntro', { k: fmtNumber(d.min_count) })));
      const tb = el('table', 'dash-table survey-results');
      const head = el('tr');
      for (const k of ['survey.col.area', 'survey.col.responses', 'survey.col.score', 'survey.col.security', 'survey.col.satisfaction', 'survey.col.rank']) {
        const th = el('th', null, t(k));
        th.scope = 'col';
        head.append(th);
      }
      const thead = el('thead');
      thead.append(head);
      const tbody = el('tbody');
      const row = (x, label, isTotal) => {
        const tr = el('tr', isTotal ? 'is-total' : null);
        tr.dataset.area = x.area;
        const th = el('th', null, label);
        th.scope = 'row';
        tr.append(
          th,
          el('td', null, x.suppressed ? t('survey.suppressed') : fmtNumber(x.responses)),
          el('td', null, scoreText(x.score)),
          el('td', null, scoreText(x.security)),
          el('td', null, scoreText(x.satisfaction)),
          el('td', null, x.rank ? String(x.rank) : '—'),
        );
        return tr;
      };
      tbody.append(row(d.total, t('survey.total'), true));
      for (const x of d.rows) tbody.append(row(x, x.name || x.area, false));
      tb.append(thead, tbody);
      const wrap = el('div', 'table-scroll');
      wrap.append(tb);
      page.append(wrap);
      return page;
    },
  );
}
