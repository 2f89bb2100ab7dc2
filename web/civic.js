// Disputes and deliberation councils.
//   #/disputes[?state=S]  disputes of the caller's subtree, newest first (/api/v1/disputes)
//   #/disputes/ID         one dispute: parties, mediators, sessions, follow-ups; a comment when allowed
//   #/councils            councils and their topics (/api/v1/councils, /councils/ID/topics)
//   #/topics/ID           one topic: vote totals, opinions, tasks, supervision notes
//   #/decisions/ID        the public page of a published decision (no login needed)

import { t, nameOf, fmtDateTime, fmtNumber } from './i18n.js';
import { errorText, get, post } from './api.js';
import { el, button, link, formField, selectEl, textareaEl } from './ui.js';
import { enc, dl, table } from './pagekit.js';


export const DISPUTE_ROLES = new Set(['grid_worker', 'community_staff', 'station_cadre', 'dispatcher', 'mediator', 'leader', 'admin']);
export const COUNCIL_ROLES = new Set(['community_staff', 'station_cadre', 'council_member', 'leader', 'admin', 'resident']);
const DISPUTE_STATES = ['registered', 'accepted', 'mediating', 'agreed', 'concluded', 'referred', 'withdrawn'];

function errorBox(e, context) {
  const p = el('p', 'panel-error', errorText(e, context));
  p.setAttribute('role', 'alert');
  return p;
}

function pageShell(titleText, backHref, backKey) {
  const page = el('div', 'page page-wide civic');
  if (backHref) page.append(link('back-link', t(backKey), backHref));
  const h1 = el('h1', 'page-title', titleText);
  h1.id = 'civic-title';
  h1.tabIndex = -1;
  page.append(h1);
  return page;
}

function card(titleText, id, ...children) {
  const s = el('section', 'card');
  const h = el('h2', 'card-title', titleText);
  h.id = id;
  s.setAttribute('aria-labelledby', id);
  s.append(h, ...children);
  return s;
}

// A simple loader: load() -> data, draw(data) -> element; errors in words.
function simpleView(ctx, { load, draw, context }) {
  let main = null;
  let data = null;
  let error = null;
  let alive = true;
  function render() {
    if (!main) return;
    main.replaceChildren(error ? errorPage(error) : data ? draw(data, reload) : loadingPage());
  }
  function errorPage(e) {
    const page = el('div', 'page page-wide');
    page.append(errorBox(e, context));
    return page;
  }
  function loadingPage() {
    const page = el('div', 'page page-wide');
    page.append(el('p', 'empty', t('panel.loading')));
    return page;
  }
  async function reload() {
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
    render();
    ctx.ready();
  }
  return {
    mount(m) {
      main = m;
      render();
      reload();
    },
    relabel: render,
    destroy() {
      alive = false;
    },
  };
}

/* --------------------------------------------------------------- disputes */

export function disputesView(ctx, r) {
  const state = DISPUTE_STATES.includes(r.query.get('state')) ? r.query.get('state') : '';
  const acc = { items: [], next: null };
  let more = null;
  return simpleView(ctx, {
    context: 'dispute',
    load: async () => {
      const res = await get(`/api/v1/disputes?limit=50${state ? '&state=' + state : ''}${more ? '&cursor=' + enc(more) : ''}`);
      acc.items = more ? acc.items.concat(res.items || []) : res.items || [];
      acc.next = res.next_cursor || null;
      return acc;
    },
    draw(d, reload) {
      const page = pageShell(t('civic.disputes'));
      const sel = selectEl('state', [{ value: '', label: t('civic.allStates') }, ...DISPUTE_STATES.map((s) => ({ value: s, label: nameOf('dst', s) }))], state);
      sel.id = 'dispute-state';
      sel.addEventListener('change', () => ctx.go(sel.value ? `#/disputes?state=${sel.value}` : '#/disputes'));
      page.append(formField(t('civic.filterState'), sel, { cls: 'civic-filter' }).wrap);
      if (!d.items.length) page.append(el('p', 'muted', t('civic.noDisputes')));
      else {
        const rows = d.items.map((x) => {
          const tr = el('tr');
          tr.dataset.id = String(x.id);
          const th = el('th');
          th.scope = 'row';
          th.append(link('hh-link', x.title, `#/disputes/${x.id}`));
          tr.append(th, el('td', null, nameOf('dtype', x.type)), el('td', null, nameOf('dst', x.state)), el('td', null, nameOf('drisk', x.risk)), el('td', null, fmtDateTime(x.found_at)));
          return tr;
        });
        page.append(table(['civic.col.title', 'civic.col.type', 'civic.col.state', 'civic.col.risk', 'civic.col.found'], rows, 'dispute-table'));
        if (d.next) {
          page.append(
            button('btn btn-secondary', t('hh.more'), () => {
              more = d.next;
              reload();
            }),
          );
        }
      }
      return page;
    },
  });
}

export function disputeView(ctx, r) {
  let commentError = null;
  return simpleView(ctx, {
    context: 'dispute',
    load: () => get(`/api/v1/disputes/${enc(r.id)}`),
    draw(d, reload) {
      const page = pageShell(d.title, '#/disputes', 'civic.backDisputes');
      page.append(
        card(
          t('civic.dispute'),
          'd-main',
          dl([
            [t('civic.col.state'), nameOf('dst', d.state)],
            [t('civic.col.type'), nameOf('dtype', d.type)],
            [t('civic.col.risk'), nameOf('drisk', d.risk)],
            [t('civic.outcome'), d.outcome && d.outcome !== 'none' ? nameOf('dout', d.outcome) : ''],
            [t('civic.summary'), d.summary],
            [t('civic.col.found'), fmtDateTime(d.found_at)],
            [t('civic.closed'), d.closed_at ? fmtDateTime(d.closed_at) : ''],
            [t('civic.recurrence'), d.is_recurrence ? t('civic.yes') : ''],
          ]),
        ),
      );
      const parties = (d.parties || []).map((p) => {
        const tr = el('tr');
        const th = el('th', null, p.name);
        th.scope = 'row';
        tr.append(th, el('td', null, nameOf('dside', p.side)));
        return tr;
      });
      page.append(card(t('civic.parties'), 'd-parties', table(['hh.name', 'civic.side'], parties)));
      const meds = (d.mediators || []).map((m) => el('li', null, `${m.name} · ${nameOf('dmed', m.role)} · ${fmtDateTime(m.assigned_at)}`));
      const ulm = el('ul', 'hh-timeline');
      ulm.append(...meds);
      page.append(card(t('civic.mediators'), 'd-meds', meds.length ? ulm : el('p', 'muted', t('civic.none'))));
      const ses = [...(d.sessions || []).map((s) => [s.at, t('civic.session', { n: s.seq }), s.notes]), ...(d.follow_ups || []).map((f) => [f.at, t('civic.followUp'), f.notes || f.text || ''])];
      const ol = el('ol', 'hh-timeline');
      for (const [at, what, text] of ses) {
        const li = el('li');
        li.append(el('time', 'hh-when', fmtDateTime(at)), el('strong', null, what), el('span', null, text || ''));
        ol.append(li);
      }
      page.append(card(t('civic.sessions'), 'd-sessions', ses.length ? ol : el('p', 'muted', t('civic.none'))));
      const allowed = d.allowed_actions || [];
      const acts = el('div');
      if (allowed.length) acts.append(el('p', 'muted', t('civic.allowed', { list: allowed.map((a) => nameOf('dact', a)).join(t('civic.sep')) })));
      else acts.append(el('p', 'muted', t('civic.noActions')));
      if (allowed.includes('comment')) {
        const form = el('form', 'civic-comment');
        form.noValidate = true;
        const ta = textareaEl('text', '', 3);
        ta.id = 'dispute-comment';
        ta.maxLength = 2000;
        const f = formField(t('civic.comment'), ta, { required: true });
        if (commentError) {
          f.error.textContent = commentError.local ? t(commentError.local) : errorText(commentError, 'dispute');
          f.error.hidden = false;
          ta.setAttribute('aria-invalid', 'true');
        }
        const go = el('button', 'btn btn-primary', t('civic.send'));
        go.type = 'submit';
        form.append(f.wrap, go);
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          const text = ta.value.trim();
          if (!text) {
            commentError = { local: 'civic.commentEmpty' };
            return reload();
          }
          ctx.busy();
          try {
            await post(`/api/v1/disputes/${enc(r.id)}/actions`, { action: 'comment', text });
            commentError = null;
          } catch (e) {
            commentError = e;
          }
          reload();
        });
        acts.append(form);
      }
      page.append(card(t('civic.actions'), 'd-actions', acts));
      return page;
    },
  });
}

/* --------------------------------------------------------------- councils */

export function councilsView(ctx) {
  return simpleView(ctx, {
    context: 'council',
    load: async () => {
      const cs = await get('/api/v1/councils');
      const items = cs.items || [];
      const topics = await Promise.all(items.map((c) => get(`/api/v1/councils/${c.id}/topics?limit=50`).then((x) => x.items || [], () => [])));
      return items.map((c, i) => ({ council: c, topics: topics[i] }));
    },
    draw(list) {
      const page = pageShell(t('civic.councils'));
      if (!list.length) page.append(el('p', 'muted', t('civic.noCouncils')));
      for (const { council, topics } of list) {
        const rows = topics.map((x) => {
          const tr = el('tr');
          tr.dataset.id = String(x.id);
          const th = el('th');
          th.scope = 'row';
          th.append(link('hh-link', x.title, `#/topics/${x.id}`));
          const pub = el('td');
          if (x.published) pub.append(link('hh-link', t('civic.publicPage'), `#/decisions/${x.id}`));
          tr.append(th, el('td', null, nameOf('tst', x.state)), el('td', null, fmtDateTime(x.created_at)), pub);
          return tr;
        });
        const id = 'council-' + council.id;
        page.append(card(`${council.name} · ${council.area_code}`, id, rows.length ? table(['civic.col.title', 'civic.col.state', 'civic.col.created', 'civic.col.public'], rows, 'topic-table') : el('p', 'muted', t('civic.noTopics'))));
      }
      return page;
    },
  });
}

function voteBlock(v) {
  const box = el('div', 'civic-vote');
  if (!v || !v.counted) {
    box.append(el('p', 'muted', t('civic.notCounted')));
    return box;
  }
  const tt = v.totals || {};
  box.append(
    dl([
      [t('civic.voteKind'), nameOf('vkind', v.kind)],
      [t('civic.eligible'), fmtNumber(tt.eligible)],
      [t('civic.present'), fmtNumber(tt.present)],
      [t('civic.yes'), fmtNumber(tt.yes)],
      [t('civic.no'), fmtNumber(tt.no)],
      [t('civic.abstain'), fmtNumber(tt.abstain)],
      [t('civic.votedAt'), fmtDateTime(v.voted_at)],
    ]),
  );
  const res = el('p', 'civic-result ' + (v.passed ? 'is-passed' : 'is-failed'), v.passed ? t('civic.passed') : v.quorate ? t('civic.failed') : t('civic.noQuorum'));
  res.dataset.passed = v.passed ? '1' : '0';
  box.append(res);
  return box;
}

function tasksList(tasks) {
  if (!tasks || !tasks.length) return el('p', 'muted', t('civic.none'));
  const ol = el('ol', 'hh-timeline');
  for (const k of tasks) {
    const li = el('li');
    li.append(el('strong', null, k.what), el('span', 'muted', k.owner || ''), el('span', null, k.done ? t('civic.taskDone', { at: fmtDateTime(k.done_at) }) : t('civic.taskDue', { at: fmtDateTime(k.due) })));
    ol.append(li);
  }
  return ol;
}

export function topicView(ctx, r) {
  return simpleView(ctx, {
    context: 'topic',
    load: () => get(`/api/v1/councils/topics/${enc(r.id)}`),
    draw(x) {
      const page = pageShell(x.title, '#/councils', 'civic.backCouncils');
      page.append(
        card(
          t('civic.topic'),
          'tp-main',
          dl([
            [t('civic.col.state'), nameOf('tst', x.state)],
            [t('civic.proposer'), nameOf('tprop', x.proposer)],
            [t('civic.description'), x.description],
            [t('civic.col.created'), fmtDateTime(x.created_at)],
          ]),
        ),
      );
      if (x.published) page.append(link('btn btn-secondary', t('civic.publicPage'), `#/decisions/${x.id}`));
      page.append(card(t('civic.vote'), 'tp-vote', voteBlock(x.vote)));
      const ops = el('ol', 'hh-timeline');
      for (const o of x.consultation || []) {
        const li = el('li');
        li.append(el('time', 'hh-when', fmtDateTime(o.at)), el('strong', null, nameOf('stance', o.stance)), el('span', null, o.opinion || ''));
        ops.append(li);
      }
      page.append(card(t('civic.opinions'), 'tp-ops', (x.consultation || []).length ? ops : el('p', 'muted', t('civic.none'))));
      page.append(card(t('civic.tasks'), 'tp-tasks', tasksList(x.execution)));
      const sup = el('ol', 'hh-timeline');
      for (const s of x.supervision || []) {
        const li = el('li');
        li.append(el('time', 'hh-when', fmtDateTime(s.at)), el('span', null, s.text || ''));
        sup.append(li);
      }
      page.append(card(t('civic.supervision'), 'tp-sup', (x.supervision || []).length ? sup : el('p', 'muted', t('civic.none'))));
      return page;
    },
  });
}

export function decisionView(ctx, r) {
  return simpleView(ctx, {
    context: 'decision',
    load: () => get(`/api/v1/councils/decisions/${enc(r.id)}`),
    draw(x) {
      const page = pageShell(x.title);
      page.append(el('p', 'page-intro', t('civic.decisionIntro', { council: x.council || '', area: x.area_code })));
      page.append(card(t('civic.topic'), 'dc-main', dl([[t('civic.col.state'), nameOf('tst', x.state)], [t('civic.description'), x.description]])));
      page.append(card(t('civic.vote'), 'dc-vote', voteBlock(x.vote)));
      const ex = x.execution || {};
      const status = el('p', 'civic-exec', ex.tasks_total ? t('civic.execStatus', { open: fmtNumber(ex.tasks_open), total: fmtNumber(ex.tasks_total) }) : t('civic.execNone'));
      const parts = [status, tasksList(ex.tasks)];
      if (x.signed_off) parts.push(el('p', 'civic-result is-passed', t('civic.signedOff')));
      page.append(card(t('civic.tasks'), 'dc-tasks', ...parts));
      return page;
    },
  });
}
