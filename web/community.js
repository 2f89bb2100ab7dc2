// Volunteers, needs, posts and chiefs (SPEC section 8; API in src/api/api_volunteers.c).
//   #/volunteers[?status=&skill=&area=]  the volunteers of the caller's subtree; register one
//   #/volunteers/ID                      one volunteer: edit (skills, availability, status), hours
//   #/needs[?status=]                    needs for volunteers, newest first; post a need
//   #/needs/ID                           a need: its state, the ranked matches, assign one
//   #/posts                              posts (岗位) and chiefs (三长); create a post
//   #/posts/ID                           a post: members, add a member, log hours
//   #/chiefs/ID                          a chief and the cases they relayed
// Reading needs CAP_VOLUNTEER_READ, changing CAP_VOLUNTEER_MANAGE (src/domain/access.c).

import { t, nameOf, fmtDateTime, fmtNumber, getLang } from './i18n.js';
import { get, post, request } from './api.js';
import { el, button, link, formField, setFieldError, selectEl, inputEl, textareaEl } from './ui.js';
import {
  enc,
  errorBox,
  noteBox,
  pageShell,
  card,
  dl,
  table,
  row,
  submitButton,
  loaderView,
  act,
  skillsText,
  skillsPicker,
  availabilityPicker,
  availabilityText,
  cityToday,
  cityLocalToIso,
  fmtHours,
} from './pagekit.js';

export const VOLUNTEER_ROLES = new Set(['grid_worker', 'community_staff', 'station_cadre', 'dispatcher', 'leader', 'admin']);
export const VOLUNTEER_MANAGE_ROLES = new Set(['community_staff', 'admin']);
const STATUSES = ['active', 'paused', 'left'];
const NEED_STATUSES = ['open', 'filled'];
const NEED_SOURCES = ['service', 'post', 'case'];
const POST_KINDS = ['dispute_mediation', 'policy_publicity', 'sanitation_watch', 'safety_inspection', 'elderly_visiting', 'civility_guidance', 'other'];
const AREA_RE = /^\d{2,18}$/;

let skillsPromise = null;
function loadSkills() {
  if (!skillsPromise) {
    skillsPromise = get('/api/v1/skills').then(
      (r) => (r && r.items) || [],
      (e) => {
        skillsPromise = null;
        throw e;
      },
    );
  }
  return skillsPromise;
}

const canManage = (ctx) => VOLUNTEER_MANAGE_ROLES.has(ctx.user.role);

function postKindName(p) {
  if (getLang() !== 'en' && p.kind_zh) return p.kind_zh;
  return nameOf('cm.postKind', p.kind);
}

function chiefKindName(c) {
  if (getLang() !== 'en' && c.kind_zh) return c.kind_zh;
  return nameOf('chiefKind', c.kind);
}

// A field: { wrap, control, error } with a value read back as text.
function textField(id, labelKey, value, opts = {}) {
  const i = inputEl(opts.type || 'text', id, value ?? '');
  i.id = id;
  if (opts.inputMode) i.inputMode = opts.inputMode;
  if (opts.maxLength) i.maxLength = opts.maxLength;
  if (opts.min !== undefined) i.min = String(opts.min);
  if (opts.max !== undefined) i.max = String(opts.max);
  if (opts.step !== undefined) i.step = String(opts.step);
  return formField(t(labelKey), i, { required: !!opts.required, optional: !!opts.optional, hint: opts.hint || '' });
}

/* ------------------------------------------------------------ volunteers */

// The form of a volunteer (create when v is null). onSubmit(body, fields) -> Promise.
function volunteerForm(ctx, skills, v, { idPrefix, submitKey, onSubmit, error, note }) {
  const form = el('form', 'cm-form');
  form.id = idPrefix + '-form';
  form.noValidate = true;
  const f = {};
  f.name = textField(idPrefix + '-name', 'cm.vol.name', v ? v.name : '', { required: true, maxLength: 63 });
  f.area = textField(idPrefix + '-area', 'cm.area', v ? v.area_code : ctx.user.area_code, { required: true, inputMode: 'numeric', hint: t('cm.areaHint', { code: ctx.user.area_code }) });
  const grid = el('div', 'user-form-grid');
  grid.append(f.name.wrap, f.area.wrap);
  if (v) {
    const st = selectEl('status', STATUSES.map((s) => ({ value: s, label: nameOf('cm.vstatus', s) })), v.status);
    st.id = idPrefix + '-status';
    f.status = formField(t('cm.vol.status'), st, { required: true });
    grid.append(f.status.wrap);
  }
  const sk = skillsPicker(skills, v ? v.skills : [], 'cm.vol.skills', idPrefix);
  const av = availabilityPicker(v ? v.availability : ['sat:morning', 'sat:afternoon', 'sun:morning', 'sun:afternoon'], idPrefix);
  form.append(grid, sk.wrap, av.wrap);
  if (error) form.append(errorBox(error, 'volunteer', idPrefix + '-error'));
  if (note) form.append(noteBox(note, idPrefix + '-note'));
  form.append(submitButton(t(submitKey), idPrefix + '-submit'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = f.name.control.value.trim();
    const area = f.area.control.value.trim();
    setFieldError(f.name, name ? '' : t('cm.err.name'));
    setFieldError(f.area, AREA_RE.test(area) ? '' : t('cm.err.area'));
    if (!name) return f.name.control.focus();
    if (!AREA_RE.test(area)) return f.area.control.focus();
    const body = { name, area_code: area, skills: sk.read(), availability: av.read() };
    if (f.status) body.status = f.status.control.value;
    onSubmit(body);
  });
  return form;
}

export function volunteersView(ctx, r) {
  const q = r.query;
  const status = STATUSES.includes(q.get('status')) ? q.get('status') : '';
  const skill = /^[a-z_]{1,32}$/.test(q.get('skill') || '') ? q.get('skill') : '';
  const area = AREA_RE.test(q.get('area') || '') ? q.get('area') : '';
  const st = { items: [], more: false, createError: null, created: null };
  const PAGE = 100;
  async function page(after) {
    const qs = new URLSearchParams({ limit: String(PAGE) });
    if (status) qs.set('status', status);
    if (skill) qs.set('skill', skill);
    if (area) qs.set('area', area);
    if (after) qs.set('after', String(after));
    const res = await get('/api/v1/volunteers?' + qs);
    const items = res.items || [];
    st.items = after ? st.items.concat(items) : items;
    st.more = items.length === PAGE;
  }
  return loaderView(ctx, {
    context: 'volunteer',
    load: async () => {
      const [skills] = await Promise.all([loadSkills(), page(0)]);
      return { skills };
    },
    draw({ skills }, view) {
      const pg = pageShell(t('cm.vol.title'));
      pg.append(el('p', 'page-intro', t('cm.vol.intro')));

      // Filters: a GET form whose values go into the hash.
      const ff = el('form', 'cm-filters');
      ff.noValidate = true;
      const sSel = selectEl('status', [{ value: '', label: t('cm.all') }, ...STATUSES.map((s) => ({ value: s, label: nameOf('cm.vstatus', s) }))], status);
      sSel.id = 'vol-filter-status';
      const kSel = selectEl('skill', [{ value: '', label: t('cm.all') }, ...skills.map((s) => ({ value: s.code, label: getLang() === 'en' ? s.name_en : s.name_zh }))], skill);
      kSel.id = 'vol-filter-skill';
      const aIn = inputEl('text', 'area', area);
      aIn.id = 'vol-filter-area';
      aIn.inputMode = 'numeric';
      const fa = formField(t('cm.filterArea'), aIn, { optional: true });
      ff.append(formField(t('cm.vol.status'), sSel).wrap, formField(t('cm.filterSkill'), kSel).wrap, fa.wrap, submitButton(t('cm.filter'), 'vol-filter-submit'));
      ff.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const a = aIn.value.trim();
        if (a && !AREA_RE.test(a)) {
          setFieldError(fa, t('cm.err.area'));
          return aIn.focus();
        }
        const qs = new URLSearchParams();
        if (sSel.value) qs.set('status', sSel.value);
        if (kSel.value) qs.set('skill', kSel.value);
        if (a) qs.set('area', a);
        ctx.go('#/volunteers' + (qs.toString() ? '?' + qs : ''));
      });
      pg.append(card(t('cm.filters'), 'vol-filters-title', ff));

      const rows = st.items.map((v) =>
        row(link('hh-link', v.name, `#/volunteers/${v.id}`), [skillsText(v.skills), nameOf('cm.vstatus', v.status), v.area_code, fmtNumber((v.availability || []).length)], { id: v.id }),
      );
      const list = [];
      if (!rows.length) list.push(el('p', 'muted', t('cm.vol.none')));
      else list.push(table(['cm.vol.name', 'cm.vol.skills', 'cm.vol.status', 'cm.area', 'cm.vol.slots'], rows, 'volunteer-table'));
      if (st.more) {
        list.push(
          button('btn btn-secondary', t('hh.more'), async () => {
            const res = await act(ctx, () => page(st.items[st.items.length - 1].id));
            if (!res.ok && !res.lost) st.createError = res.error;
            view.redraw();
          }, { id: 'vol-more' }),
        );
      }
      pg.append(card(t('cm.vol.list', { n: fmtNumber(st.items.length) }), 'vol-list-title', ...list));

      if (canManage(ctx)) {
        const form = volunteerForm(ctx, skills, null, {
          idPrefix: 'vol-new',
          submitKey: 'cm.vol.register',
          error: st.createError,
          note: st.created ? t('cm.vol.registered', { name: st.created.name }) : '',
          onSubmit: async (body) => {
            const res = await act(ctx, () => post('/api/v1/volunteers', body));
            if (res.lost) return;
            st.createError = res.ok ? null : res.error;
            st.created = res.ok ? res.value : null;
            if (res.ok) await act(ctx, () => page(0));
            view.redraw();
            document.getElementById(res.ok ? 'vol-new-note' : 'vol-new-error')?.focus();
          },
        });
        pg.append(card(t('cm.vol.registerTitle'), 'vol-new-title', form));
      }
      return pg;
    },
  });
}

export function volunteerView(ctx, r) {
  const st = { error: null, note: '', from: cityToday(-365), to: cityToday(1), hoursError: null };
  return loaderView(ctx, {
    context: 'volunteer',
    load: async () => {
      const [v, skills, posts] = await Promise.all([get(`/api/v1/volunteers/${enc(r.id)}`), loadSkills(), get('/api/v1/posts').then((x) => x.items || [], () => [])]);
      let hours = null;
      try {
        hours = await get(`/api/v1/volunteers/${enc(r.id)}/hours?from=${st.from}&to=${st.to}`);
        st.hoursError = null;
      } catch (e) {
        st.hoursError = e;
      }
      return { v, skills, posts, hours };
    },
    draw({ v, skills, posts, hours }, view) {
      const pg = pageShell(v.name, { href: '#/volunteers', key: 'cm.vol.back' });
      pg.append(
        card(
          t('cm.vol.details'),
          'vol-details-title',
          dl([
            [t('cm.vol.status'), nameOf('cm.vstatus', v.status)],
            [t('cm.area'), v.area_code],
            [t('cm.vol.skills'), skillsText(v.skills)],
            [t('cm.availability'), availabilityText(v.availability)],
            [t('cm.vol.home'), v.home ? `${v.home.lon.toFixed(5)}, ${v.home.lat.toFixed(5)}` : t('cm.none')],
            [t('cm.created'), fmtDateTime(v.created_at)],
            [t('cm.updated'), fmtDateTime(v.updated_at)],
          ]),
        ),
      );

      // Hours record: the hours logged on posts in a period.
      const hf = el('form', 'cm-filters');
      hf.noValidate = true;
      const from = textField('vol-hours-from', 'cm.from', st.from, { type: 'date' });
      const to = textField('vol-hours-to', 'cm.to', st.to, { type: 'date' });
      hf.append(from.wrap, to.wrap, submitButton(t('cm.show'), 'vol-hours-submit'));
      hf.addEventListener('submit', (ev) => {
        ev.preventDefault();
        st.from = from.control.value;
        st.to = to.control.value;
        view.reload();
      });
      const hparts = [hf];
      if (st.hoursError) hparts.push(errorBox(st.hoursError, 'volunteer'));
      else if (hours) {
        const total = el('p', 'cm-total', t('cm.vol.hoursTotal', { hours: fmtHours(hours.hours), n: fmtNumber(hours.entries) }));
        total.id = 'vol-hours-total';
        total.dataset.hours = String(hours.hours);
        hparts.push(total);
        const name = (id) => (posts.find((p) => p.id === id) || {}).name || t('cm.postN', { id });
        const rows = (hours.posts || []).map((p) => row(link('hh-link', name(p.post_id), `#/posts/${p.post_id}`), [fmtHours(p.hours), fmtNumber(p.entries)], { post: p.post_id }));
        if (rows.length) hparts.push(table(['cm.post.name', 'cm.hours', 'cm.entries'], rows, 'vol-hours-table'));
      }
      pg.append(card(t('cm.vol.hoursTitle'), 'vol-hours-title', ...hparts));

      if (canManage(ctx)) {
        const form = volunteerForm(ctx, skills, v, {
          idPrefix: 'vol-edit',
          submitKey: 'cm.save',
          error: st.error,
          note: st.note,
          onSubmit: async (body) => {
            const res = await act(ctx, () => request('PATCH', `/api/v1/volunteers/${enc(v.id)}`, body));
            if (res.lost) return;
            st.error = res.ok ? null : res.error;
            st.note = res.ok ? t('cm.saved') : '';
            await view.reload();
            document.getElementById(res.ok ? 'vol-edit-note' : 'vol-edit-error')?.focus();
          },
        });
        pg.append(card(t('cm.vol.edit'), 'vol-edit-title', form));
      }
      return pg;
    },
  });
}

/* ------------------------------------------------------------------ needs */

function needStatus(n) {
  const s = el('span', 'status-badge cm-need-' + n.status, nameOf('cm.nstatus', n.status));
  s.dataset.status = n.status;
  return s;
}

export function needsView(ctx, r) {
  const status = NEED_STATUSES.includes(r.query.get('status')) ? r.query.get('status') : '';
  const st = { error: null };
  return loaderView(ctx, {
    context: 'need',
    load: async () => {
      const [res, skills] = await Promise.all([get(`/api/v1/needs?limit=200${status ? '&status=' + status : ''}`), loadSkills()]);
      return { items: res.items || [], skills };
    },
    draw({ items, skills }, view) {
      const pg = pageShell(t('cm.need.title'));
      pg.append(el('p', 'page-intro', t('cm.need.intro')));
      const sel = selectEl('status', [{ value: '', label: t('cm.all') }, ...NEED_STATUSES.map((s) => ({ value: s, label: nameOf('cm.nstatus', s) }))], status);
      sel.id = 'need-filter-status';
      sel.addEventListener('change', () => ctx.go(sel.value ? `#/needs?status=${sel.value}` : '#/needs'));
      const rows = items.map((n) =>
        row(link('hh-link', n.title, `#/needs/${n.id}`), [skillsText(n.skills), fmtDateTime(n.starts_at), fmtHours(n.hours), t('cm.need.fill', { a: fmtNumber(n.assigned), w: fmtNumber(n.volunteers) }), needStatus(n)], { id: n.id }),
      );
      pg.append(
        card(
          t('cm.need.list', { n: fmtNumber(items.length) }),
          'need-list-title',
          formField(t('cm.filterStatus'), sel, { cls: 'civic-filter' }).wrap,
          rows.length ? table(['cm.need.name', 'cm.need.skills', 'cm.need.starts', 'cm.hours', 'cm.need.assigned', 'cm.need.status'], rows, 'need-table') : el('p', 'muted', t('cm.need.none')),
        ),
      );
      if (canManage(ctx)) pg.append(card(t('cm.need.postTitle'), 'need-new-title', needForm(ctx, skills, st, view)));
      return pg;
    },
  });
}

function needForm(ctx, skills, st, view) {
  const form = el('form', 'cm-form');
  form.id = 'need-new-form';
  form.noValidate = true;
  const title = textField('need-new-title-in', 'cm.need.name', '', { required: true, maxLength: 200 });
  const src = selectEl('source', NEED_SOURCES.map((s) => ({ value: s, label: nameOf('cm.source', s) })), 'service');
  src.id = 'need-new-source';
  const fsrc = formField(t('cm.need.source'), src, { required: true });
  const srcId = textField('need-new-source-id', 'cm.need.sourceId', '', { inputMode: 'numeric', optional: true, hint: t('cm.need.sourceIdHint') });
  const area = textField('need-new-area', 'cm.area', ctx.user.area_code, { required: true, inputMode: 'numeric', hint: t('cm.need.areaHint') });
  const starts = textField('need-new-starts', 'cm.need.starts', '', { type: 'datetime-local', required: true, hint: t('cm.need.startsHint') });
  const hours = textField('need-new-hours', 'cm.need.hours', '2', { type: 'number', min: 0.25, max: 24, step: 0.25, required: true });
  const wanted = textField('need-new-wanted', 'cm.need.wanted', '1', { type: 'number', min: 1, max: 50, step: 1, required: true });
  const radius = textField('need-new-radius', 'cm.need.radius', '', { type: 'number', min: 100, step: 100, optional: true });
  const grid = el('div', 'user-form-grid');
  grid.append(title.wrap, fsrc.wrap, srcId.wrap, area.wrap, starts.wrap, hours.wrap, wanted.wrap, radius.wrap);
  const sk = skillsPicker(skills, [], 'cm.need.skills', 'need-new');
  form.append(grid, sk.wrap);
  if (st.error) form.append(errorBox(st.error, 'need', 'need-new-error'));
  form.append(submitButton(t('cm.need.post'), 'need-new-submit'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const bad = [];
    const check = (f, ok, key) => {
      setFieldError(f, ok ? '' : t(key));
      if (!ok) bad.push(f);
    };
    const iso = cityLocalToIso(starts.control.value);
    const h = Number(hours.control.value);
    const w = Number(wanted.control.value);
    const sid = srcId.control.value.trim();
    check(title, !!title.control.value.trim(), 'cm.err.title');
    check(srcId, src.value === 'service' ? !sid : /^\d+$/.test(sid), src.value === 'service' ? 'cm.err.noSourceId' : 'cm.err.sourceId');
    check(area, AREA_RE.test(area.control.value.trim()), 'cm.err.area');
    check(starts, !!iso, 'cm.err.starts');
    check(hours, h >= 0.25 && h <= 24, 'cm.err.hours');
    check(wanted, Number.isInteger(w) && w >= 1 && w <= 50, 'cm.err.wanted');
    const rv = radius.control.value.trim();
    check(radius, !rv || Number(rv) >= 100, 'cm.err.radius');
    if (bad.length) return bad[0].control.focus();
    const body = { title: title.control.value.trim(), source: src.value, area_code: area.control.value.trim(), starts_at: iso, hours: h, volunteers: w, skills: sk.read() };
    if (sid) body.source_id = Number(sid);
    if (rv) body.radius_m = Number(rv);
    const res = await act(ctx, () => post('/api/v1/needs', body));
    if (res.lost) return;
    if (res.ok) {
      st.error = null;
      ctx.go(`#/needs/${res.value.id}`);
      return;
    }
    st.error = res.error;
    view.redraw();
    document.getElementById('need-new-error')?.focus();
  });
  return form;
}

export function needView(ctx, r) {
  const st = { error: null, note: '' };
  return loaderView(ctx, {
    context: 'need',
    load: async () => {
      const n = await get(`/api/v1/needs/${enc(r.id)}`);
      let matches = null;
      let matchError = null;
      if (n.status === 'open') {
        try {
          matches = await get(`/api/v1/needs/${enc(r.id)}/matches?limit=20`);
        } catch (e) {
          matchError = e;
        }
      }
      // Names of the assigned volunteers (one request each; a need wants at most 50).
      const names = new Map();
      await Promise.all(
        (n.assignments || []).map((a) =>
          get(`/api/v1/volunteers/${a.volunteer_id}`).then(
            (v) => names.set(a.volunteer_id, v.name),
            () => {},
          ),
        ),
      );
      return { n, matches, matchError, names };
    },
    draw({ n, matches, matchError, names }, view) {
      const pg = pageShell(n.title, { href: '#/needs', key: 'cm.need.back' });
      const state = el('p', 'cm-need-state');
      state.id = 'need-state';
      state.dataset.status = n.status;
      state.append(needStatus(n), el('span', null, ' ' + t('cm.need.fill', { a: fmtNumber(n.assigned), w: fmtNumber(n.volunteers) })));
      pg.append(
        card(
          t('cm.need.details'),
          'need-details-title',
          state,
          dl([
            [t('cm.need.source'), nameOf('cm.source', n.source) + (n.source_id ? ` #${n.source_id}` : '')],
            [t('cm.area'), n.area_code],
            [t('cm.need.starts'), fmtDateTime(n.starts_at)],
            [t('cm.need.slot'), n.slot ? t('cm.slotLabel', { day: t('cm.day.' + n.slot.split(':')[0]), slot: t('cm.slot.' + n.slot.split(':')[1]) }) : ''],
            [t('cm.need.hours'), fmtHours(n.hours)],
            [t('cm.need.skills'), skillsText(n.skills)],
            [t('cm.need.radius'), t('cm.meters', { n: fmtNumber(n.radius_m) })],
            [t('cm.created'), fmtDateTime(n.created_at)],
          ]),
        ),
      );
      const asg = (n.assignments || []).map((a) => row(link('hh-link', names.get(a.volunteer_id) || t('cm.volN', { id: a.volunteer_id }), `#/volunteers/${a.volunteer_id}`), [fmtDateTime(a.assigned_at)], { volunteer: a.volunteer_id }));
      const parts = [];
      if (st.note) parts.push(noteBox(st.note, 'need-note'));
      parts.push(asg.length ? table(['cm.vol.name', 'cm.need.assignedAt'], asg, 'assignment-table') : el('p', 'muted', t('cm.need.noAssign')));
      pg.append(card(t('cm.need.assignments'), 'need-assign-title', ...parts));

      if (n.status === 'open') {
        const mparts = [];
        if (st.error) mparts.push(errorBox(st.error, 'need', 'need-assign-error'));
        if (matchError) mparts.push(errorBox(matchError, 'need'));
        else if (matches) {
          const ex = matches.excluded || {};
          const exText = Object.entries(ex)
            .filter(([, c]) => c > 0)
            .map(([k, c]) => t('cm.need.excludedOne', { why: nameOf('cm.why', k), n: fmtNumber(c) }))
            .join(t('cm.sep'));
          mparts.push(el('p', 'muted', t('cm.need.candidates', { n: fmtNumber(matches.candidates) }) + (exText ? ' ' + t('cm.need.excluded', { list: exText }) : '')));
          const rows = (matches.items || []).map((m) => {
            const cells = [
              skillsText(m.volunteer.skills),
              fmtNumber(Math.round(m.score.total * 100)),
              m.distance_m === null ? '–' : t('cm.meters', { n: fmtNumber(m.distance_m) }),
              fmtHours(m.hours_30d),
            ];
            if (canManage(ctx)) {
              cells.push(
                button('btn btn-secondary btn-small', t('cm.need.assign'), async () => {
                  const res = await act(ctx, () => post(`/api/v1/needs/${enc(n.id)}/assign`, { volunteer_id: m.volunteer.id }));
                  if (res.lost) return;
                  st.error = res.ok ? null : res.error;
                  st.note = res.ok ? t('cm.need.assigned1', { name: m.volunteer.name }) : '';
                  await view.reload();
                  document.getElementById(res.ok ? 'need-note' : 'need-assign-error')?.focus();
                }, { 'aria-label': t('cm.need.assignLabel', { name: m.volunteer.name }), 'data-volunteer': String(m.volunteer.id) }),
              );
            }
            return row(`${m.rank}. ${m.volunteer.name}`, cells, { volunteer: m.volunteer.id, rank: m.rank });
          });
          const heads = ['cm.vol.name', 'cm.vol.skills', 'cm.need.score', 'cm.need.distance', 'cm.need.load'];
          if (canManage(ctx)) heads.push('cm.actions');
          mparts.push(rows.length ? table(heads, rows, 'match-table') : el('p', 'muted', t('cm.need.noMatch')));
        }
        pg.append(card(t('cm.need.matches'), 'need-matches-title', ...mparts));
      }
      return pg;
    },
  });
}

/* ------------------------------------------------------------ posts, chiefs */

export function postsView(ctx) {
  const st = { error: null };
  return loaderView(ctx, {
    context: 'post',
    load: async () => {
      const [posts, chiefs] = await Promise.all([get('/api/v1/posts'), get('/api/v1/chiefs')]);
      return { posts: posts.items || [], chiefs: chiefs.items || [] };
    },
    draw({ posts, chiefs }, view) {
      const pg = pageShell(t('cm.post.title'));
      pg.append(el('p', 'page-intro', t('cm.post.intro')));
      const rows = posts.map((p) => row(link('hh-link', p.name, `#/posts/${p.id}`), [postKindName(p), p.area_code, p.duties], { id: p.id }));
      pg.append(card(t('cm.post.list', { n: fmtNumber(posts.length) }), 'post-list-title', rows.length ? table(['cm.post.name', 'cm.post.kind', 'cm.area', 'cm.post.duties'], rows, 'post-table') : el('p', 'muted', t('cm.post.none'))));
      if (canManage(ctx)) {
        const form = el('form', 'cm-form');
        form.id = 'post-new-form';
        form.noValidate = true;
        const name = textField('post-new-name', 'cm.post.name', '', { required: true, maxLength: 120 });
        const kind = selectEl('kind', POST_KINDS.map((k) => ({ value: k, label: nameOf('cm.postKind', k) })), 'other');
        kind.id = 'post-new-kind';
        const fk = formField(t('cm.post.kind'), kind, { required: true });
        const area = textField('post-new-area', 'cm.area', ctx.user.area_code, { required: true, inputMode: 'numeric' });
        const duties = textareaEl('duties', '', 2);
        duties.id = 'post-new-duties';
        duties.maxLength = 1000;
        const fd = formField(t('cm.post.duties'), duties, { optional: true });
        const grid = el('div', 'user-form-grid');
        grid.append(name.wrap, fk.wrap, area.wrap, fd.wrap);
        form.append(grid);
        if (st.error) form.append(errorBox(st.error, 'post', 'post-new-error'));
        form.append(submitButton(t('cm.post.create'), 'post-new-submit'));
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          const n = name.control.value.trim();
          const a = area.control.value.trim();
          setFieldError(name, n ? '' : t('cm.err.name'));
          setFieldError(area, AREA_RE.test(a) ? '' : t('cm.err.area'));
          if (!n) return name.control.focus();
          if (!AREA_RE.test(a)) return area.control.focus();
          const body = { name: n, kind: kind.value, area_code: a };
          if (duties.value.trim()) body.duties = duties.value.trim();
          const res = await act(ctx, () => post('/api/v1/posts', body));
          if (res.lost) return;
          if (res.ok) return ctx.go(`#/posts/${res.value.id}`);
          st.error = res.error;
          view.redraw();
          document.getElementById('post-new-error')?.focus();
        });
        pg.append(card(t('cm.post.createTitle'), 'post-new-title', form));
      }
      const crows = chiefs.map((c) => row(link('hh-link', c.name, `#/chiefs/${c.id}`), [chiefKindName(c), c.area_code, fmtDateTime(c.created_at)], { id: c.id }));
      pg.append(card(t('cm.chief.list', { n: fmtNumber(chiefs.length) }), 'chief-list-title', crows.length ? table(['cm.chief.name', 'cm.chief.kind', 'cm.area', 'cm.created'], crows, 'chief-table') : el('p', 'muted', t('cm.chief.none'))));
      return pg;
    },
  });
}

export function postView(ctx, r) {
  const st = { memberError: null, hoursError: null, note: '' };
  return loaderView(ctx, {
    context: 'post',
    load: async () => {
      const p = await get(`/api/v1/posts/${enc(r.id)}`);
      // The volunteers who may join: active ones of the post's area (names for members too).
      const vols = await get(`/api/v1/volunteers?area=${enc(p.area_code)}&limit=1000`).then((x) => x.items || [], () => []);
      return { p, vols };
    },
    draw({ p, vols }, view) {
      const pg = pageShell(p.name, { href: '#/posts', key: 'cm.post.back' });
      pg.append(
        card(
          t('cm.post.details'),
          'post-details-title',
          dl([
            [t('cm.post.kind'), postKindName(p)],
            [t('cm.area'), p.area_code],
            [t('cm.post.duties'), p.duties],
            [t('cm.post.totalHours'), fmtHours(p.hours)],
            [t('cm.created'), fmtDateTime(p.created_at)],
          ]),
        ),
      );
      const volName = (id) => (vols.find((v) => v.id === id) || {}).name;
      const memberName = (m) => (m.member_kind === 'volunteer' ? volName(m.member_id) || t('cm.volN', { id: m.member_id }) : t('cm.personN', { id: m.member_id }));
      const rows = (p.members || []).map((m) =>
        row(m.member_kind === 'volunteer' ? link('hh-link', memberName(m), `#/volunteers/${m.member_id}`) : memberName(m), [nameOf('cm.mkind', m.member_kind), m.duty, fmtDateTime(m.since), fmtHours(m.hours), fmtNumber(m.entries)], {
          member: m.id,
          kind: m.member_kind,
          ref: m.member_id,
        }),
      );
      const mparts = [];
      if (st.note) mparts.push(noteBox(st.note, 'post-note'));
      mparts.push(rows.length ? table(['cm.post.member', 'cm.post.memberKind', 'cm.post.duty', 'cm.post.since', 'cm.hours', 'cm.entries'], rows, 'member-table') : el('p', 'muted', t('cm.post.noMembers')));
      pg.append(card(t('cm.post.members'), 'post-members-title', ...mparts));

      if (canManage(ctx)) {
        // Add a member: an active volunteer of the area not yet in the post, or a person by id.
        const inPost = new Set((p.members || []).filter((m) => m.member_kind === 'volunteer').map((m) => m.member_id));
        const free = vols.filter((v) => v.status === 'active' && !inPost.has(v.id));
        const form = el('form', 'cm-form');
        form.id = 'member-new-form';
        form.noValidate = true;
        const kind = selectEl('member_kind', ['volunteer', 'person'].map((k) => ({ value: k, label: nameOf('cm.mkind', k) })), 'volunteer');
        kind.id = 'member-new-kind';
        const vSel = selectEl('volunteer', [{ value: '', label: t('cm.post.chooseVolunteer') }, ...free.map((v) => ({ value: String(v.id), label: `${v.name} · ${v.area_code}` }))], '');
        vSel.id = 'member-new-volunteer';
        const fv = formField(t('cm.post.volunteer'), vSel, { required: true });
        const person = textField('member-new-person', 'cm.post.personId', '', { inputMode: 'numeric', required: true });
        person.wrap.hidden = true;
        kind.addEventListener('change', () => {
          fv.wrap.hidden = kind.value !== 'volunteer';
          person.wrap.hidden = kind.value !== 'person';
        });
        const duty = textField('member-new-duty', 'cm.post.duty', '', { optional: true, maxLength: 100 });
        const grid = el('div', 'user-form-grid');
        grid.append(formField(t('cm.post.memberKind'), kind).wrap, fv.wrap, person.wrap, duty.wrap);
        form.append(grid);
        if (st.memberError) form.append(errorBox(st.memberError, 'post', 'member-new-error'));
        form.append(submitButton(t('cm.post.addMember'), 'member-new-submit'));
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          const isVol = kind.value === 'volunteer';
          const idText = isVol ? vSel.value : person.control.value.trim();
          const f = isVol ? fv : person;
          const ok = /^\d+$/.test(idText);
          setFieldError(f, ok ? '' : t(isVol ? 'cm.err.volunteer' : 'cm.err.person'));
          if (!ok) return f.control.focus();
          const body = { member_kind: kind.value, member_id: Number(idText) };
          if (duty.control.value.trim()) body.duty = duty.control.value.trim();
          const res = await act(ctx, () => post(`/api/v1/posts/${enc(p.id)}/members`, body));
          if (res.lost) return;
          st.memberError = res.ok ? null : res.error;
          st.note = res.ok ? t('cm.post.memberAdded') : '';
          await view.reload();
          document.getElementById(res.ok ? 'post-note' : 'member-new-error')?.focus();
        });
        pg.append(card(t('cm.post.addMemberTitle'), 'member-new-title', form));

        // Log hours for a member.
        const hform = el('form', 'cm-form');
        hform.id = 'hours-new-form';
        hform.noValidate = true;
        const mSel = selectEl('member', [{ value: '', label: t('cm.post.chooseMember') }, ...(p.members || []).map((m) => ({ value: String(m.id), label: memberName(m) }))], '');
        mSel.id = 'hours-new-member';
        const fm = formField(t('cm.post.member'), mSel, { required: true });
        const date = textField('hours-new-date', 'cm.date', cityToday(), { type: 'date', required: true });
        const hours = textField('hours-new-hours', 'cm.hours', '', { type: 'number', min: 0.25, max: 24, step: 0.25, required: true });
        const note = textField('hours-new-note', 'cm.note', '', { optional: true, maxLength: 200 });
        const hgrid = el('div', 'user-form-grid');
        hgrid.append(fm.wrap, date.wrap, hours.wrap, note.wrap);
        hform.append(hgrid);
        if (st.hoursError) hform.append(errorBox(st.hoursError, 'post', 'hours-new-error'));
        hform.append(submitButton(t('cm.post.logHours'), 'hours-new-submit'));
        hform.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          const h = Number(hours.control.value);
          const bad = [];
          const check = (f, ok, key) => {
            setFieldError(f, ok ? '' : t(key));
            if (!ok) bad.push(f);
          };
          check(fm, !!mSel.value, 'cm.err.member');
          check(date, /^\d{4}-\d{2}-\d{2}$/.test(date.control.value), 'cm.err.date');
          check(hours, hours.control.value !== '' && h > 0 && h <= 24, 'cm.err.hours');
          if (bad.length) return bad[0].control.focus();
          const body = { member_id: Number(mSel.value), date: date.control.value, hours: h };
          if (note.control.value.trim()) body.note = note.control.value.trim();
          const res = await act(ctx, () => post(`/api/v1/posts/${enc(p.id)}/hours`, body));
          if (res.lost) return;
          st.hoursError = res.ok ? null : res.error;
          st.note = res.ok ? t('cm.post.hoursLogged', { hours: fmtHours(res.value.hours), date: res.value.date }) : '';
          await view.reload();
          document.getElementById(res.ok ? 'post-note' : 'hours-new-error')?.focus();
        });
        pg.append(card(t('cm.post.hoursTitle'), 'hours-new-title', hform));
      }
      return pg;
    },
  });
}

export function chiefView(ctx, r) {
  return loaderView(ctx, {
    context: 'chief',
    load: () => get(`/api/v1/chiefs/${enc(r.id)}`),
    draw(c) {
      const pg = pageShell(c.name, { href: '#/posts', key: 'cm.post.back' });
      pg.append(card(t('cm.chief.details'), 'chief-details-title', dl([[t('cm.chief.kind'), chiefKindName(c)], [t('cm.area'), c.area_code], [t('cm.created'), fmtDateTime(c.created_at)]])));
      const rows = (c.relayed_cases || []).map((x) => row(link('hh-link', x.number, `#/cases/${x.id}`), [nameOf('status', x.status), x.area_code], { id: x.id, number: x.number }));
      pg.append(card(t('cm.chief.relayed', { n: fmtNumber(rows.length) }), 'chief-cases-title', rows.length ? table(['cm.chief.case', 'cm.need.status', 'cm.area'], rows, 'relayed-table') : el('p', 'muted', t('cm.chief.noCases'))));
      return pg;
    },
  });
}
