// Browser tests: what a user has typed into a form is still there after switching the
// language mid-form (app.js puts it back through formstate.js after the view redraws), and
// the labels around it did change language. Named forms first (a dispute comment, the
// volunteer, need and post forms, a case's action form), then every page with fields: each
// field is filled as a user would, the language switched, and every field compared.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { env, setUp, tearDown, newPage, openPage, ready, login, PASSWORD } from './harness.mjs';

before(setUp);
after(tearDown);

// A page for the sweep: uncaught exceptions fail the test; failed requests the filling may
// cause (a search for made-up text) are allowed, the browser logs those as console errors.
async function sweepPage(t) {
  const { context, page, problems } = await newPage();
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), [], 'page reported errors');
  });
  return page;
}

// Ready and quiet: data-ready stays 1 for 300 ms (views redraw after their loads).
async function settle(page) {
  await page.evaluate(() => (window.__quietSince = 0));
  await page.waitForFunction(
    () => {
      if (document.body.dataset.ready !== '1') {
        window.__quietSince = 0;
        return false;
      }
      if (!window.__quietSince) window.__quietSince = performance.now();
      return performance.now() - window.__quietSince > 300;
    },
    null,
    { polling: 50, timeout: 15000 },
  );
}

async function open(page, hash, view) {
  await page.evaluate((h) => (location.hash = h), hash);
  await ready(page, view);
  await settle(page);
}

// The first link in the page's main area whose address starts with prefix (and that does not
// go on to the results of a survey).
async function firstLink(page, prefix) {
  const href = await page.$$eval(`#main a[href^="${prefix}"]:not([href$="/results"])`, (as) => (as[0] ? as[0].getAttribute('href') : null));
  assert.ok(href, `a link to ${prefix}… on the page`);
  return href;
}

// The text of the label of the field with that id.
function labelOf(page, id) {
  return page.$eval(`label[for="${id}"]`, (l) => l.textContent.trim());
}

// Every field of the main area: [kind, name or id, value] in document order.
function fieldValues(page) {
  return page.$$eval('#main input, #main select, #main textarea', (fs) =>
    fs
      .filter((f) => !(f.tagName === 'INPUT' && ['file', 'hidden', 'submit', 'button', 'reset', 'image'].includes(f.type)))
      .map((f) => {
        const ident = f.name || (f.id && !('autoId' in f.dataset) ? f.id : '');
        const kind = f.tagName === 'INPUT' ? f.type : f.tagName.toLowerCase();
        if (f.type === 'checkbox' || f.type === 'radio') return [kind, ident + '=' + f.value, f.checked];
        if (f.tagName === 'SELECT' && f.multiple) return [kind, ident, [...f.selectedOptions].map((o) => o.value).join(',')];
        return [kind, ident, f.value];
      }),
  );
}

// The visible text of the labels and legends of the main area.
function labelTexts(page) {
  return page.$$eval('#main label, #main legend', (ls) => ls.map((l) => l.textContent.trim()).filter(Boolean));
}

// Fill every visible, enabled field of the main area as a user would (with the input and
// change events typing and choosing send), each with a value it did not have. Returns how
// many fields were changed. Filters first: choosing one may reload the page (its value is
// then in the address), which would wipe what was typed into the other forms before the
// language switch is tried.
async function fillAll(page) {
  const n = await fillSome(page, true);
  await settle(page);
  return n + (await fillSome(page, false));
}

function fillSome(page, filters) {
  return page.evaluate((filters) => {
    let n = 0;
    const fields = [...document.querySelectorAll('#main input, #main select, #main textarea')].filter((f) => !!f.closest('[class*="filter"]') === filters);
    const seenRadio = new Set();
    fields.forEach((f, i) => {
      if (f.disabled || f.readOnly || !f.checkVisibility()) return;
      const type = f.tagName === 'INPUT' ? f.type : f.tagName.toLowerCase();
      let v = null;
      switch (type) {
        case 'text':
        case 'search':
        case 'textarea':
          v = `typed ${i} 已输入`;
          if (f.inputMode === 'numeric') v = String(4000 + i);
          if (f.maxLength > 0) v = v.slice(0, f.maxLength);
          break;
        case 'password':
          v = `Secret-${i}-pass`;
          break;
        case 'email':
          v = `u${i}@example.cn`;
          break;
        case 'tel':
          v = `1380000${String(1000 + i)}`;
          break;
        case 'number': {
          const min = f.min !== '' ? Number(f.min) : 0;
          const max = f.max !== '' ? Number(f.max) : min + 10;
          const step = f.step && f.step !== 'any' ? Number(f.step) : 1;
          let x = min + step * 2;
          if (x > max) x = max;
          if (String(x) === f.value) x = min;
          v = String(x);
          break;
        }
        case 'date':
          v = '2026-03-17';
          break;
        case 'datetime-local':
          v = '2026-03-17T09:45';
          break;
        case 'time':
          v = '09:45';
          break;
        case 'month':
          v = '2026-03';
          break;
        case 'checkbox':
          f.checked = !f.checked;
          f.dispatchEvent(new Event('change', { bubbles: true }));
          n++;
          return;
        case 'radio': {
          if (seenRadio.has(f.name)) return;
          seenRadio.add(f.name);
          const group = fields.filter((r) => r.type === 'radio' && r.name === f.name && !r.disabled);
          const pick = group[group.length - 1];
          if (pick.checked) return;
          pick.checked = true;
          pick.dispatchEvent(new Event('change', { bubbles: true }));
          n++;
          return;
        }
        case 'select-one':
        case 'select': {
          if (f.multiple) return;
          const opts = [...f.options].filter((o) => !o.disabled && o.value !== '' && o.value !== f.value);
          if (!opts.length) return;
          f.value = opts[opts.length - 1].value;
          f.dispatchEvent(new Event('change', { bubbles: true }));
          n++;
          return;
        }
        default:
          return;
      }
      if (v === null || v === f.value) return;
      f.value = v;
      f.dispatchEvent(new Event('input', { bubbles: true }));
      f.dispatchEvent(new Event('change', { bubbles: true }));
      n++;
    });
    return n;
  }, filters);
}

// Switch the language and wait until the page has drawn itself in it.
async function switchLang(page, to) {
  await page.click('#lang-btn');
  await page.waitForFunction((l) => document.documentElement.lang === l, to === 'en' ? 'en' : 'zh-CN');
  await settle(page);
}

// Switch to English and back: what differs from before (fields that lost what was typed,
// labels that did not change language), as a list of lines; empty when all is well.
async function switchProblems(page, what) {
  const out = [];
  const lost = (a, b) => JSON.stringify(b.filter((x, i) => JSON.stringify(x) !== JSON.stringify(a[i])).map((x) => x[1] || x[0]));
  const before = await fieldValues(page);
  const labels = await labelTexts(page);
  await switchLang(page, 'en');
  const en = await fieldValues(page);
  if (JSON.stringify(en) !== JSON.stringify(before)) out.push(`${what}: fields changed after switching to English: ${lost(en, before)}`);
  if (labels.length && JSON.stringify(await labelTexts(page)) === JSON.stringify(labels)) out.push(`${what}: labels not in English`);
  await switchLang(page, 'zh');
  const zh = await fieldValues(page);
  if (JSON.stringify(zh) !== JSON.stringify(before)) out.push(`${what}: fields changed after switching back: ${lost(zh, before)}`);
  if (labels.length && JSON.stringify(await labelTexts(page)) !== JSON.stringify(labels)) out.push(`${what}: labels not in Chinese again`);
  return out;
}

test('a dispute comment keeps its text across a language switch', async (t) => {
  const page = await openPage(t);
  await login(page, 'mediator');
  await ready(page, 'map');
  await open(page, '#/disputes', 'disputes');
  const ids = await page.evaluate(async () => {
    const r = await fetch('/api/v1/disputes?limit=20', { credentials: 'same-origin' });
    return (await r.json()).items.map((d) => d.id);
  });
  let found = false;
  for (const id of ids) {
    await open(page, `#/disputes/${id}`, 'dispute');
    if (await page.$('#dispute-comment')) {
      found = true;
      break;
    }
  }
  assert.ok(found, 'the mediator may comment on some dispute');
  await page.getByLabel('留言').fill('已电话联系双方，约定下周再谈');
  await switchLang(page, 'en');
  assert.equal(await page.getByLabel('Comment').inputValue(), '已电话联系双方，约定下周再谈');
  await switchLang(page, 'zh');
  assert.equal(await page.getByLabel('留言').inputValue(), '已电话联系双方，约定下周再谈');
});

test('the volunteer, need and post forms keep what was typed across a language switch', async (t) => {
  const page = await openPage(t);
  await login(page, 'community_staff');
  await ready(page, 'map');

  await open(page, '#/volunteers', 'volunteers');
  await page.fill('#vol-new-name', '王小明');
  const skill = page.locator('#vol-new-form select[data-skill]').first();
  const skillCode = await skill.getAttribute('data-skill');
  await skill.selectOption('2');
  await page.check('#vol-new-avail-mon-evening');
  await page.uncheck('#vol-new-avail-sat-morning');
  await switchLang(page, 'en');
  assert.equal(await page.inputValue('#vol-new-name'), '王小明');
  assert.match(await labelOf(page, 'vol-new-name'), /^Name/);
  assert.equal(await page.inputValue(`#vol-new-skill-${skillCode}`), '2');
  assert.equal(await page.isChecked('#vol-new-avail-mon-evening'), true);
  assert.equal(await page.isChecked('#vol-new-avail-sat-morning'), false);
  await switchLang(page, 'zh');
  assert.equal(await page.inputValue('#vol-new-name'), '王小明');
  assert.match(await labelOf(page, 'vol-new-name'), /^姓名/);

  await open(page, '#/needs', 'needs');
  await page.fill('#need-new-title-in', '陪同老人就医');
  await page.fill('#need-new-starts', '2026-03-17T09:45');
  await page.fill('#need-new-hours', '3.5');
  await page.selectOption('#need-new-source', { index: 1 });
  const source = await page.inputValue('#need-new-source');
  await switchLang(page, 'en');
  assert.equal(await page.inputValue('#need-new-title-in'), '陪同老人就医');
  assert.match(await labelOf(page, 'need-new-title-in'), /^Title/);
  assert.equal(await page.inputValue('#need-new-starts'), '2026-03-17T09:45');
  assert.equal(await page.inputValue('#need-new-hours'), '3.5');
  assert.equal(await page.inputValue('#need-new-source'), source);
  await switchLang(page, 'zh');

  await open(page, '#/posts', 'posts');
  await page.fill('#post-new-name', '楼道巡查岗');
  await page.getByLabel('岗位职责').fill('每周巡查两次楼道');
  await switchLang(page, 'en');
  assert.equal(await page.inputValue('#post-new-name'), '楼道巡查岗');
  assert.equal(await page.getByLabel('Duties').inputValue(), '每周巡查两次楼道');
  await switchLang(page, 'zh');
  assert.equal(await page.getByLabel('岗位职责').inputValue(), '每周巡查两次楼道');
});

test('a case action form keeps its reason across a language switch', async (t) => {
  const page = await openPage(t);
  await login(page, 'admin');
  await ready(page, 'map');
  await open(page, '#/cases', 'cases');
  const ids = await page.evaluate(async () => {
    const r = await fetch('/api/v1/cases?limit=50', { credentials: 'same-origin' });
    return (await r.json()).items.map((c) => c.id);
  });
  let id = null;
  for (const c of ids) {
    const allowed = await page.evaluate(async (x) => (await (await fetch(`/api/v1/cases/${x}`, { credentials: 'same-origin' })).json()).allowed_actions || [], c);
    if (allowed.includes('reject')) {
      id = c;
      break;
    }
  }
  assert.ok(id, 'the admin may reject some case');
  await open(page, `#/cases/${id}`, 'case');
  await page.click('.action-btn[data-action="reject"]');
  await page.getByLabel('原因').fill('不属于本社区管辖');
  await switchLang(page, 'en');
  assert.equal(await page.getByLabel('Reason').inputValue(), '不属于本社区管辖');
  await switchLang(page, 'zh');
  assert.equal(await page.getByLabel('原因').inputValue(), '不属于本社区管辖');
});

// [user (null: no login), hash, view, link prefix to follow first (or null)]
const PAGES = [
  [null, '#/report', 'report'],
  [null, '#/track', 'track'],
  ['mediator', '#/disputes', 'disputes'],
  ['mediator', '#/disputes', 'dispute', '#/disputes/'],
  ['admin', '#/councils', 'councils'],
  ['admin', '#/councils', 'topic', '#/topics/'],
  ['admin', '#/users', 'users'],
  ['admin', '#/dashboard', 'dashboard'],
  ['admin', '#/cases', 'cases'],
  ['admin', '#/households', 'households'],
  ['admin', '#/households', 'household', '#/households/'],
  ['admin', '#/report', 'report'],
  ['admin', '#/ratings', 'ratings'],
  ['admin', '#/surveys', 'surveys'],
  ['community_staff', '#/volunteers', 'volunteers'],
  ['community_staff', '#/volunteers', 'volunteer', '#/volunteers/'],
  ['community_staff', '#/needs', 'needs'],
  ['community_staff', '#/needs', 'need', '#/needs/'],
  ['community_staff', '#/posts', 'posts'],
  ['community_staff', '#/posts', 'post', '#/posts/'],
  ['community_staff', '#/compliance', 'compliance'],
  ['community_staff', '#/ratings', 'ratings'],
  ['community_staff', '#/posts', 'chief', '#/chiefs/'],
  ['community_staff', '#/surveys', 'surveys'],
  ['grid_worker', '#/tasks', 'tasks'],
  ['grid_worker', '#/visit', 'visit'],
];

// A survey of this quarter over the admin's area, made through the API; its id.
async function makeSurvey() {
  const res = await fetch(env.base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  const { token } = await res.json();
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const areas = await (await fetch(env.base + '/api/v1/areas', { headers })).json();
  const now = new Date(Date.now() + 8 * 3600e3);
  const r = await fetch(env.base + '/api/v1/surveys', {
    method: 'POST',
    headers,
    body: JSON.stringify({
      title: '语言切换测试问卷',
      area: areas.items[0].code,
      year: now.getUTCFullYear(),
      quarter: Math.floor(now.getUTCMonth() / 3) + 1,
      questions: [
        { id: 'q1', text: '您觉得本社区的治安状况如何？', type: 'rating', dimension: 'security' },
        { id: 'q2', text: '夜间独自出行是否感到安全？', type: 'yesno', dimension: 'security' },
      ],
    }),
  });
  const body = await r.json();
  assert.equal(r.status, 201, JSON.stringify(body));
  return body.id;
}

test('every page with fields keeps what was typed across a language switch', async (t) => {
  const pages = [...PAGES, [null, `#/survey/${await makeSurvey()}`, 'survey']];
  const filled = [];
  const problems = [];
  let user;
  let page = null;
  for (const [who, hash, view, follow] of pages) {
    if (!page || who !== user) {
      page = await sweepPage(t);
      user = who;
      if (who) {
        await login(page, who);
        await ready(page, 'map');
      } else await page.goto(env.base + '/');
    }
    await open(page, hash, follow ? undefined : view);
    if (follow) await open(page, await firstLink(page, follow), view);
    const n = await fillAll(page);
    await settle(page);
    if (!n) continue;
    filled.push(view);
    problems.push(...(await switchProblems(page, `${view} (${hash}${follow ? ' → ' + follow : ''})`)));
  }
  assert.deepEqual(problems, [], 'every page keeps its fields over a language switch');
  // The pages known to have fields were all tried (a page drawn without its forms would
  // otherwise pass unnoticed).
  const want = ['report', 'track', 'dispute', 'users', 'cases', 'households', 'volunteers', 'volunteer', 'needs', 'posts', 'post', 'compliance', 'ratings', 'surveys', 'visit', 'survey'];
  assert.deepEqual(want.filter((v) => !filled.includes(v)), [], `fields were filled on ${filled.join(', ')}`);
});
