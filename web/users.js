// User administration for admins (#/users): the users of the admin's subtree, paged
// (GET /api/v1/users), a form to create one (POST /api/v1/users), and per user: disable or
// enable the account (POST /api/v1/users/ID/disable|enable; disabling ends their sessions)
// and set a new password (POST /api/v1/users/ID/password). Errors are shown in words.

import { t, roleName, getLang } from './i18n.js';
import { errorText, get, post } from './api.js';
import { el, button, formField, setFieldError, selectEl, inputEl } from './ui.js';

export const USER_ADMIN_ROLES = new Set(['admin']);

const ROLES = ['resident', 'grid_worker', 'community_staff', 'station_cadre', 'dispatcher', 'department_handler', 'mediator', 'council_member', 'volunteer', 'leader', 'admin'];
const PAGE = 50;
const enc = encodeURIComponent;
const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

function errorBox(e, id) {
  const p = el('p', 'panel-error', e && e.local ? t(e.local) : errorText(e, 'user'));
  p.setAttribute('role', 'alert');
  if (id) p.id = id;
  p.tabIndex = -1;
  return p;
}

export function usersView(ctx) {
  const st = {
    items: [],
    next: null,
    error: null,
    departments: [],
    v: { username: '', display_name: '', password: '', role: 'grid_worker', area_code: ctx.user.area_code, department: '' },
    createError: null,
    created: null,
    creating: false,
    rowError: new Map(), // user id -> error of the last action on that row
    rowNote: new Map(), // user id -> words about the last action that worked
    resetting: null, // user id whose password form is open
  };
  let main = null;
  let alive = true;
  let listBox = null;
  let formBox = null;
  let f = null;

  async function loadPage(cursor) {
    ctx.busy();
    try {
      const r = await get(`/api/v1/users?limit=${PAGE}${cursor ? '&cursor=' + enc(cursor) : ''}`);
      if (!alive) return;
      st.items = cursor ? st.items.concat(r.items || []) : r.items || [];
      st.next = r.next_cursor || null;
      st.error = null;
    } catch (e) {
      if (!alive) return;
      if (e && e.status === 401) return ctx.sessionLost();
      st.error = e;
    }
    renderList();
    ctx.ready();
  }

  function deptName(code) {
    const d = st.departments.find((x) => x.code === code);
    return (d && (getLang() === 'en' ? d.name_en : d.name_zh)) || code;
  }

  function readValues() {
    if (!f) return;
    for (const k of Object.keys(st.v)) if (f[k]) st.v[k] = f[k].control.value;
  }

  function validate() {
    const v = st.v;
    const bad = [];
    const check = (field, ok, key) => {
      setFieldError(field, ok ? '' : t(key));
      if (!ok) bad.push(field);
    };
    check(f.username, NAME_RE.test(v.username.trim()), 'users.err.username');
    check(f.password, v.password.length >= 8 && v.password.length <= 256, 'users.err.password');
    check(f.area_code, /^\d{2,18}$/.test(v.area_code.trim()), 'users.err.area');
    check(f.department, v.role !== 'department_handler' || !!v.department, 'users.err.department');
    return bad;
  }

  async function create() {
    readValues();
    const bad = validate();
    if (bad.length) {
      bad[0].control.focus();
      return;
    }
    const v = st.v;
    const body = { username: v.username.trim(), password: v.password, role: v.role, area_code: v.area_code.trim() };
    if (v.display_name.trim()) body.display_name = v.display_name.trim();
    if (v.department) body.department = v.department;
    st.creating = true;
    st.createError = null;
    st.created = null;
    renderForm();
    ctx.busy();
    try {
      const u = await post('/api/v1/users', body);
      st.created = u;
      st.v = { ...st.v, username: '', display_name: '', password: '' };
      st.creating = false;
      renderForm();
      await loadPage(null);
      formBox.querySelector('#user-created')?.focus();
    } catch (e) {
      if (e && e.status === 401) return ctx.sessionLost();
      st.creating = false;
      st.createError = e;
      renderForm();
      formBox.querySelector('#user-create-error')?.focus();
    }
    ctx.ready();
  }

  function replaceUser(u) {
    const i = st.items.findIndex((x) => x.id === u.id);
    if (i >= 0) st.items[i] = { ...st.items[i], ...u };
  }

  async function act(u, action, body) {
    st.rowError.delete(u.id);
    st.rowNote.delete(u.id);
    ctx.busy();
    try {
      const r = await post(`/api/v1/users/${enc(u.id)}/${action}`, body);
      replaceUser(r);
      st.rowNote.set(u.id, t('users.done.' + action, { name: u.username }));
      if (action === 'password') st.resetting = null;
    } catch (e) {
      if (e && e.status === 401) return ctx.sessionLost();
      st.rowError.set(u.id, e);
    }
    renderList();
    listBox.querySelector(`[data-user="${u.id}"] .row-focus`)?.focus();
    ctx.ready();
  }

  function passwordForm(u) {
    const form = el('form', 'user-reset');
    form.noValidate = true;
    const pw = inputEl('password', 'new-password');
    pw.id = `user-reset-${u.id}`;
    pw.autocomplete = 'new-password';
    const field = formField(t('users.newPassword', { name: u.username }), pw, { required: true, hint: t('users.passwordHint') });
    const save = el('button', 'btn btn-primary btn-small', t('users.savePassword'));
    save.type = 'submit';
    const cancel = button('btn btn-ghost btn-small', t('users.cancel'), () => {
      st.resetting = null;
      renderList();
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (pw.value.length < 8 || pw.value.length > 256) {
        setFieldError(field, t('users.err.password'));
        pw.focus();
        return;
      }
      act(u, 'password', { password: pw.value });
    });
    const actions = el('div', 'form-actions');
    actions.append(save, cancel);
    form.append(field.wrap, actions);
    return form;
  }

  function userRow(u) {
    const li = el('li', 'user-item' + (u.disabled ? ' is-disabled' : ''));
    li.dataset.user = String(u.id);
    li.dataset.username = u.username;
    li.dataset.disabled = u.disabled ? '1' : '0';
    const head = el('div', 'user-head');
    const name = el('strong', 'user-login row-focus', u.username);
    name.tabIndex = -1;
    head.append(name);
    if (u.display_name && u.display_name !== u.username) head.append(el('span', null, u.display_name));
    head.append(el('span', 'role-badge', roleName(u.role)));
    const state = el('span', 'user-state ' + (u.disabled ? 'is-off' : 'is-on'), u.disabled ? t('users.disabled') : t('users.active'));
    head.append(state);
    li.append(head);
    li.append(el('span', 'muted', [u.area_name || u.area_code, u.department ? t('users.deptShort', { dept: deptName(u.department) }) : ''].filter(Boolean).join(' · ')));
    const actions = el('div', 'user-actions');
    const isMe = u.id === ctx.user.id;
    if (u.disabled) actions.append(button('btn btn-secondary btn-small', t('users.enable'), () => act(u, 'enable'), { 'aria-label': t('users.enableLabel', { name: u.username }), 'data-action': 'enable' }));
    else if (!isMe) actions.append(button('btn btn-danger btn-small', t('users.disable'), () => act(u, 'disable'), { 'aria-label': t('users.disableLabel', { name: u.username }), 'data-action': 'disable' }));
    actions.append(
      button(
        'btn btn-ghost btn-small',
        t('users.resetPassword'),
        () => {
          st.resetting = st.resetting === u.id ? null : u.id;
          renderList();
          listBox.querySelector(`#user-reset-${u.id}`)?.focus();
        },
        { 'aria-label': t('users.resetLabel', { name: u.username }), 'aria-expanded': st.resetting === u.id ? 'true' : 'false', 'data-action': 'reset' },
      ),
    );
    li.append(actions);
    if (st.resetting === u.id) li.append(passwordForm(u));
    if (st.rowError.has(u.id)) li.append(errorBox(st.rowError.get(u.id)));
    if (st.rowNote.has(u.id)) {
      const note = el('p', 'user-note', st.rowNote.get(u.id));
      note.setAttribute('role', 'status');
      li.append(note);
    }
    return li;
  }

  function renderList() {
    if (!listBox) return;
    const out = [];
    const h = el('h2', 'card-title', t('users.listTitle'));
    h.id = 'users-list-title';
    out.push(h);
    if (st.error) out.push(errorBox(st.error));
    else if (!st.items.length) out.push(el('p', 'muted', t('users.none')));
    else {
      const ul = el('ul', 'user-list');
      for (const u of st.items) ul.append(userRow(u));
      out.push(ul);
      if (st.next) out.push(button('btn btn-secondary', t('users.more'), () => loadPage(st.next), { id: 'users-more' }));
    }
    listBox.replaceChildren(...out);
  }

  function renderForm() {
    if (!formBox) return;
    const v = st.v;
    const form = el('form', 'user-form');
    form.id = 'user-create-form';
    form.noValidate = true;
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      create();
    });
    f = {};
    const name = inputEl('text', 'username', v.username);
    name.id = 'user-username';
    name.autocomplete = 'off';
    name.spellcheck = false;
    f.username = formField(t('users.username'), name, { required: true, hint: t('users.usernameHint') });
    const display = inputEl('text', 'display_name', v.display_name);
    display.id = 'user-display-name';
    f.display_name = formField(t('users.displayName'), display, { optional: true });
    const pw = inputEl('password', 'password', v.password);
    pw.id = 'user-password';
    pw.autocomplete = 'new-password';
    f.password = formField(t('users.password'), pw, { required: true, hint: t('users.passwordHint') });
    const role = selectEl('role', ROLES.map((r) => ({ value: r, label: roleName(r) })), v.role);
    role.id = 'user-role';
    f.role = formField(t('users.role'), role, { required: true });
    role.addEventListener('change', () => {
      readValues();
      renderForm();
      formBox.querySelector('#user-role')?.focus();
    });
    const area = inputEl('text', 'area_code', v.area_code);
    area.id = 'user-area';
    area.inputMode = 'numeric';
    f.area_code = formField(t('users.area'), area, { required: true, hint: t('users.areaHint', { code: ctx.user.area_code }) });
    const depts = st.departments.map((d) => ({ value: d.code, label: (getLang() === 'en' ? d.name_en : d.name_zh) || d.code }));
    const dept = selectEl('department', [{ value: '', label: t('users.noDept') }, ...depts], v.department);
    dept.id = 'user-department';
    f.department = formField(t('users.department'), dept, { optional: v.role !== 'department_handler', required: v.role === 'department_handler' });
    const grid = el('div', 'user-form-grid');
    grid.append(f.username.wrap, f.display_name.wrap, f.password.wrap, f.role.wrap, f.area_code.wrap, f.department.wrap);
    form.append(grid);
    if (st.createError) form.append(errorBox(st.createError, 'user-create-error'));
    const submit = el('button', 'btn btn-primary', st.creating ? t('users.creating') : t('users.create'));
    submit.type = 'submit';
    submit.id = 'user-create';
    submit.disabled = st.creating;
    form.append(submit);
    const h = el('h2', 'card-title', t('users.createTitle'));
    h.id = 'users-create-title';
    const out = [h];
    if (st.created) {
      const ok = el('p', 'user-note', t('users.created', { name: st.created.username, role: roleName(st.created.role) }));
      ok.id = 'user-created';
      ok.tabIndex = -1;
      ok.setAttribute('role', 'status');
      out.push(ok);
    }
    out.push(form);
    formBox.replaceChildren(...out);
  }

  function render() {
    const page = el('div', 'page page-wide');
    const h1 = el('h1', 'page-title', t('users.title'));
    h1.tabIndex = -1;
    page.append(h1, el('p', 'page-intro', t('users.intro')));
    formBox = el('section', 'card users-create');
    formBox.setAttribute('aria-labelledby', 'users-create-title');
    listBox = el('section', 'card users-list');
    listBox.setAttribute('aria-labelledby', 'users-list-title');
    page.append(formBox, listBox);
    main.replaceChildren(page);
    renderForm();
    renderList();
  }

  return {
    mount(m) {
      main = m;
      render();
      get('/api/v1/departments')
        .then((r) => {
          if (!alive) return;
          st.departments = (r && r.items) || [];
          readValues();
          renderForm();
          renderList();
        })
        .catch(() => {
          /* the department list is a convenience; without it only handlers cannot be made */
        });
      loadPage(null);
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

