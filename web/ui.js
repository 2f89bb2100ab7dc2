// Small DOM helpers shared by the views. All text goes in with textContent.

import { t, nameOf, fmtCountdown } from './i18n.js';
import { el } from './map.js';

export { el };

export function button(cls, text, onClick, attrs = {}) {
  const b = el('button', cls, text);
  b.type = 'button';
  for (const [k, v] of Object.entries(attrs)) b.setAttribute(k, v);
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

export function link(cls, text, href, attrs = {}) {
  const a = el('a', cls, text);
  a.href = href;
  for (const [k, v] of Object.entries(attrs)) a.setAttribute(k, v);
  return a;
}

let uid = 0;
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

// A labelled form control: { wrap, control, error }. control is an element made by the caller.
export function formField(label, control, { hint = '', optional = false, required = false, cls = '' } = {}) {
  const wrap = el('div', 'field' + (cls ? ' ' + cls : ''));
  if (!control.id) {
    control.id = nextId('f');
    control.dataset.autoId = ''; // made up here, different on every draw: formstate.js does not key by it
  }
  const lab = el('label', null, label);
  lab.htmlFor = control.id;
  if (optional) lab.append(el('span', 'field-optional', t('common.optional')));
  if (required) {
    const star = el('span', 'field-required', ' *');
    star.setAttribute('aria-hidden', 'true');
    lab.append(star);
    control.required = true;
    control.setAttribute('aria-required', 'true');
  }
  wrap.append(lab, control);
  const described = [];
  if (hint) {
    const h = el('p', 'field-hint', hint);
    h.id = control.id + '-hint';
    described.push(h.id);
    wrap.append(h);
  }
  const error = el('p', 'field-error');
  error.id = control.id + '-error';
  error.hidden = true;
  wrap.append(error);
  described.push(error.id);
  control.setAttribute('aria-describedby', described.join(' '));
  return { wrap, control, error };
}

export function setFieldError(f, message) {
  if (message) {
    f.error.textContent = message;
    f.error.hidden = false;
    f.control.setAttribute('aria-invalid', 'true');
  } else {
    f.error.textContent = '';
    f.error.hidden = true;
    f.control.removeAttribute('aria-invalid');
  }
}

// options: [{ value, label }] or [{ group, options: [...] }]
export function selectEl(name, options, value = '') {
  const s = el('select');
  s.name = name;
  const add = (parent, o) => {
    const opt = el('option', null, o.label);
    opt.value = o.value;
    if (o.disabled) opt.disabled = true;
    parent.append(opt);
  };
  for (const o of options) {
    if (o.group) {
      const g = el('optgroup');
      g.label = o.group;
      for (const x of o.options) add(g, x);
      s.append(g);
    } else add(s, o);
  }
  s.value = value;
  return s;
}

export function inputEl(type, name, value = '') {
  const i = el('input');
  i.type = type;
  i.name = name;
  if (value !== undefined && value !== null) i.value = value;
  return i;
}

export function textareaEl(name, value = '', rows = 3) {
  const a = el('textarea');
  a.name = name;
  a.rows = rows;
  a.value = value;
  return a;
}

export function checkbox(label, checked, onChange, { name = '' } = {}) {
  const wrap = el('label', 'check');
  const i = el('input');
  i.type = 'checkbox';
  if (name) i.name = name;
  i.checked = !!checked;
  if (onChange) i.addEventListener('change', () => onChange(i.checked));
  wrap.append(i, el('span', null, label));
  return { wrap, input: i };
}

export function statusBadge(status) {
  const s = el('span', `status-badge status-${status}`, nameOf('status', status));
  s.dataset.status = status;
  return s;
}

export function supervisionBadge(level) {
  if (!level || level === 'none') return null;
  const s = el('span', `card-badge card-${level}`, nameOf('supervision', level));
  s.dataset.supervision = level;
  return s;
}

export function urgencyBadge(urgency) {
  if (!urgency || urgency === 'normal') return null;
  return el('span', `urgency-badge urgency-${urgency}`, nameOf('urgency', urgency));
}

export const FINISHED = new Set(['rejected', 'closed', 'evaluated', 'merged']);

// The deadline that matters now: the current step's, else the one to resolve by.
export function caseDue(c) {
  if (!c || FINISHED.has(c.status)) return null;
  const d = c.deadlines || {};
  if (c.status === 'suspended') return { paused: true };
  const iso = d.due_at || d.resolve_due_at;
  return iso ? { iso, step: d.due_at ? d.step : null } : null;
}

export function isOverdue(c, now = Date.now()) {
  if (!c || FINISHED.has(c.status)) return false;
  if (c.overdue === true) return true;
  const due = caseDue(c);
  return !!(due && due.iso && Date.parse(due.iso) < now);
}

// A countdown element kept current by tickCountdowns().
export function countdownEl(c) {
  const due = caseDue(c);
  const s = el('span', 'countdown');
  if (!due) {
    s.textContent = t('common.none');
    s.classList.add('is-none');
    return s;
  }
  if (due.paused) {
    s.textContent = t('time.paused');
    s.classList.add('is-paused');
    return s;
  }
  s.dataset.due = due.iso;
  s.dataset.flagged = c.overdue ? '1' : '0';
  updateCountdown(s);
  return s;
}

function updateCountdown(s) {
  const cd = fmtCountdown(s.dataset.due);
  if (!cd) return;
  s.textContent = cd.text;
  s.classList.toggle('is-over', cd.over || s.dataset.flagged === '1');
}

export function tickCountdowns(root) {
  for (const s of root.querySelectorAll('.countdown[data-due]')) updateCountdown(s);
}

// Category name in the current language from a case or a taxonomy entry.
export function categoryLabel(lang, c) {
  if (!c) return '';
  if (lang === 'en') return c.category_name_en || c.name_en || c.category_name || c.name_zh || c.category || c.code || '';
  return c.category_name || c.name_zh || c.category || c.code || '';
}

export function stars(n) {
  const s = el('span', 'stars');
  s.setAttribute('role', 'img');
  s.setAttribute('aria-label', t('case.stars', { n }));
  s.textContent = '★'.repeat(n) + '☆'.repeat(Math.max(0, 5 - n));
  return s;
}
