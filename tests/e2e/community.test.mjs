// Browser tests of the volunteer, needs, posts, compliance, ratings and surveys pages and of a
// chief's report through the web form (community.js, ratings.js, report.js), each checked
// against the API: a volunteer registered and edited, a need posted, matched and assigned, a
// member added to a post and their hours logged (seen in the volunteer's hours record), the
// compliance table and the year's stars rated, a survey created and its results opened, and a
// chief's report relayed as their chief record (listed on the chief's page).
// Screenshots: build/screenshots/{volunteers,need,post,compliance,ratings,surveys,chief-report}-{desktop,phone}.png

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { env, setUp, tearDown, openPage, newPage, ready, login, SHOTS, PHONE, DESKTOP } from './harness.mjs';

before(setUp);
after(tearDown);

async function apiJson(page, url, method = 'GET', body) {
  return page.evaluate(
    async ([u, m, b]) => {
      const headers = { Accept: 'application/json' };
      const csrf = sessionStorage.getItem('gridgov.csrf');
      if (csrf) headers['X-CSRF-Token'] = csrf;
      if (b !== undefined) headers['Content-Type'] = 'application/json';
      const r = await fetch(u, { method: m, credentials: 'same-origin', headers, body: b === undefined ? undefined : JSON.stringify(b) });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    [url, method, body],
  );
}

// Desktop and phone screenshots; on the phone the page must not scroll sideways.
async function shoot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(SHOTS, `${name}-phone.png`), fullPage: true });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width + 1, `${name}: no horizontal scrolling on a phone (${width}px)`);
  await page.setViewportSize(DESKTOP);
}

async function navIds(page) {
  return page.$$eval('.topnav a[data-nav]', (e) => e.map((a) => a.dataset.nav));
}

test('nav entries only for the roles that may use the pages', async (t) => {
  const expect = {
    resident: [],
    chief: [],
    grid_worker: ['volunteers', 'needs', 'posts', 'ratings', 'surveys'],
    community_staff: ['volunteers', 'needs', 'posts', 'compliance', 'ratings', 'surveys'],
    department_handler: ['ratings', 'surveys'],
  };
  for (const [user, want] of Object.entries(expect)) {
    const page = await openPage(t);
    await login(page, user === 'chief' ? env.chief : user);
    await ready(page, 'map');
    const have = (await navIds(page)).filter((n) => ['volunteers', 'needs', 'posts', 'compliance', 'ratings', 'surveys'].includes(n));
    assert.deepEqual(have, want, user);
    // A page the role may not use is not shown: the router goes back to the map.
    if (!want.includes('compliance')) {
      await page.goto(env.base + '/#/compliance');
      await ready(page, 'map');
    }
    await page.context().close();
  }
});

test('volunteers: list, filter, register and edit', async (t) => {
  // The refused area code at the end is a 404 the browser logs: the only error allowed.
  const { context, page, problems } = await newPage();
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems.filter((p) => !/status of 404 .*\/api\/v1\/volunteers\/\d+$/.test(p.trim())), [], 'page reported errors');
  });
  await login(page, 'community_staff');
  await ready(page, 'map');
  await page.click('#nav-volunteers');
  await ready(page, 'volunteers');
  const api = await apiJson(page, '/api/v1/volunteers?limit=100');
  const ids = await page.$$eval('.volunteer-table tbody tr', (e) => e.map((r) => Number(r.dataset.id)));
  assert.deepEqual(ids, api.body.items.map((v) => v.id));
  await shoot(page, 'volunteers');

  // Filter by a skill: every row lists it.
  await page.getByLabel('技能', { exact: true }).selectOption('medical');
  await page.click('#vol-filter-submit');
  await page.waitForFunction(() => location.hash.includes('skill=medical'));
  await ready(page, 'volunteers');
  const skills = await page.$$eval('.volunteer-table tbody tr td:nth-child(2)', (e) => e.map((x) => x.textContent));
  assert.ok(skills.length > 0);
  for (const s of skills) assert.match(s, /医疗/);

  // Register: an empty name is refused on the page, then a real one through the API.
  await page.click('#nav-volunteers');
  await ready(page, 'volunteers');
  await page.click('#vol-new-submit');
  await page.waitForSelector('#vol-new-name[aria-invalid="true"]');
  const name = `测试志愿者${Date.now() % 100000}`;
  await page.fill('#vol-new-name', name);
  await page.selectOption('#vol-new-skill-medical', '3');
  await page.selectOption('#vol-new-skill-first_aid', '2');
  await page.check('#vol-new-avail-sat-morning');
  await page.check('#vol-new-avail-mon-evening');
  await page.click('#vol-new-submit');
  await page.waitForSelector('#vol-new-note');
  await ready(page, 'volunteers');
  const mine = (await apiJson(page, '/api/v1/volunteers?limit=1000')).body.items.find((v) => v.name === name);
  assert.ok(mine, 'the volunteer is registered');
  assert.deepEqual(mine.skills.map((s) => `${s.code}:${s.level}`).sort(), ['first_aid:2', 'medical:3']);
  assert.ok(mine.availability.includes('mon:evening') && mine.availability.includes('sat:morning'));
  assert.equal(mine.area_code, '440605011001');

  // Edit: pause them.
  await page.goto(env.base + `/#/volunteers/${mine.id}`);
  await ready(page, 'volunteer');
  assert.equal(await page.textContent('#cm-title'), name);
  await page.selectOption('#vol-edit-status', 'paused');
  await page.click('#vol-edit-submit');
  await page.waitForSelector('#vol-edit-note');
  assert.equal((await apiJson(page, `/api/v1/volunteers/${mine.id}`)).body.status, 'paused');

  // A bad area code from the server is shown in words.
  await page.fill('#vol-edit-area', '440605999999');
  await page.click('#vol-edit-submit');
  await page.waitForSelector('#vol-edit-error');
  assert.doesNotMatch(await page.textContent('#vol-edit-error'), /[{}]/);
});

// The next Saturday (city time) at 09:00 as a datetime-local value.
function nextSaturdayMorning() {
  const d = new Date(Date.now() + 8 * 3600e3);
  const add = ((6 - d.getUTCDay() + 7) % 7) + 7;
  const s = new Date(d.getTime() + add * 86400e3);
  return `${s.toISOString().slice(0, 10)}T09:00`;
}

test('a need posted, matched and assigned', async (t) => {
  const page = await openPage(t);
  await login(page, 'community_staff');
  await ready(page, 'map');
  await page.click('#nav-needs');
  await ready(page, 'needs');
  const list = await apiJson(page, '/api/v1/needs?limit=200');
  assert.equal(await page.locator('.need-table tbody tr').count(), list.body.items.length);

  const title = `陪同老人就医 e2e${Date.now() % 100000}`;
  await page.fill('#need-new-title-in', title);
  await page.fill('#need-new-starts', nextSaturdayMorning());
  await page.fill('#need-new-hours', '2');
  await page.fill('#need-new-wanted', '1');
  await page.click('#need-new-submit');
  await page.waitForFunction(() => /#\/needs\/\d+$/.test(location.hash));
  await ready(page, 'need');
  const id = Number((await page.evaluate(() => location.hash)).split('/').pop());
  assert.equal(await page.textContent('#cm-title'), title);
  assert.equal(await page.getAttribute('#need-state', 'data-status'), 'open');

  // The matches shown are the API's, in its order.
  const matches = await apiJson(page, `/api/v1/needs/${id}/matches?limit=20`);
  assert.ok(matches.body.items.length > 0, 'some volunteer matches');
  const shown = await page.$$eval('.match-table tbody tr', (e) => e.map((r) => Number(r.dataset.volunteer)));
  assert.deepEqual(shown, matches.body.items.map((m) => m.volunteer.id));
  await shoot(page, 'need');

  const first = matches.body.items[0].volunteer;
  await page.click(`.match-table button[data-volunteer="${first.id}"]`);
  await page.waitForSelector('#need-note');
  await ready(page, 'need');
  assert.equal(await page.getAttribute('#need-state', 'data-status'), 'filled');
  assert.deepEqual(await page.$$eval('.assignment-table tbody tr', (e) => e.map((r) => Number(r.dataset.volunteer))), [first.id]);
  const need = await apiJson(page, `/api/v1/needs/${id}`);
  assert.equal(need.body.status, 'filled');
  assert.deepEqual(need.body.assignments.map((a) => a.volunteer_id), [first.id]);
  assert.equal(await page.locator('.match-table').count(), 0, 'a filled need offers no more matches');
});

test("a post's member added and their hours logged", async (t) => {
  const page = await openPage(t);
  await login(page, 'community_staff');
  await ready(page, 'map');
  await page.click('#nav-posts');
  await ready(page, 'posts');
  const posts = await apiJson(page, '/api/v1/posts');
  assert.deepEqual(await page.$$eval('.post-table tbody tr', (e) => e.map((r) => Number(r.dataset.id))), posts.body.items.map((p) => p.id));
  const chiefs = await apiJson(page, '/api/v1/chiefs');
  assert.equal(await page.locator('.chief-table tbody tr').count(), chiefs.body.items.length);
  await shoot(page, 'posts');

  const p = posts.body.items[0];
  await page.click(`.post-table tbody tr[data-id="${p.id}"] th a`);
  await ready(page, 'post');
  assert.equal(await page.textContent('#cm-title'), p.name);
  const vid = Number(await page.$eval('#member-new-volunteer', (s) => [...s.options].find((o) => o.value).value));
  const before = (await apiJson(page, `/api/v1/volunteers/${vid}/hours`)).body.hours;
  await page.selectOption('#member-new-volunteer', String(vid));
  await page.fill('#member-new-duty', '岗员');
  await page.click('#member-new-submit');
  await page.waitForSelector('#post-note');
  await ready(page, 'post');
  const row = page.locator(`.member-table tbody tr[data-kind="volunteer"][data-ref="${vid}"]`);
  await row.waitFor();
  const memberId = await row.getAttribute('data-member');

  // The hours form refuses nothing chosen, then logs 2.5 h for today.
  await page.click('#hours-new-submit');
  await page.waitForSelector('#hours-new-member[aria-invalid="true"]');
  await page.selectOption('#hours-new-member', memberId);
  await page.fill('#hours-new-hours', '2.5');
  await page.fill('#hours-new-note', '入户宣传');
  await page.click('#hours-new-submit');
  await page.waitForSelector('#post-note');
  await ready(page, 'post');
  await shoot(page, 'post');
  const after = (await apiJson(page, `/api/v1/volunteers/${vid}/hours`)).body.hours;
  assert.equal(Math.round((after - before) * 100) / 100, 2.5);

  // The volunteer's hours record shows it.
  await page.goto(env.base + `/#/volunteers/${vid}`);
  await ready(page, 'volunteer');
  await page.waitForSelector('#vol-hours-total');
  assert.equal(Number(await page.getAttribute('#vol-hours-total', 'data-hours')), after);
  assert.ok(await page.locator(`.vol-hours-table tr[data-post="${p.id}"]`).count(), 'the post is in the record');
  await shoot(page, 'volunteer');
});

test('compliance, scores and the stars of the year', async (t) => {
  const page = await openPage(t);
  await login(page, 'admin');
  await ready(page, 'map');
  await page.click('#nav-compliance');
  await ready(page, 'compliance');
  const comp = await apiJson(page, '/api/v1/compliance?sort=patrols');
  assert.deepEqual(await page.$$eval('.compliance-table tbody tr', (e) => e.map((r) => r.dataset.grid)), comp.body.grids.map((g) => g.grid));
  await shoot(page, 'compliance');

  await page.click('#nav-ratings');
  await ready(page, 'ratings');
  const scores = await apiJson(page, '/api/v1/stats/scores');
  assert.deepEqual(await page.$$eval('.score-table tbody tr', (e) => e.map((r) => r.dataset.area)), scores.body.rows.map((r) => r.area));
  const year = Number(await page.$eval('#stars-year', (s) => s.value));
  assert.equal((await apiJson(page, `/api/v1/stats/stars?year=${year}`)).body.rated, false);
  await page.click('#stars-rate');
  await page.waitForSelector('#stars-note');
  await ready(page, 'ratings');
  const stars = await apiJson(page, `/api/v1/stats/stars?year=${year}`);
  assert.equal(stars.body.rated, true);
  assert.deepEqual(await page.$$eval('.stars-table tbody tr', (e) => e.map((r) => Number(r.dataset.stars))), stars.body.rows.map((r) => r.stars));
  assert.equal(await page.locator('#stars-rate').count(), 0, 'a year is rated once');
  await shoot(page, 'ratings');

  // English covers the page.
  await page.click('#lang-btn');
  await page.waitForSelector('#cm-title:text("Ratings")');
  assert.doesNotMatch(await page.textContent('#main h2'), /[\u4e00-\u9fff]/);
  await page.click('#lang-btn');
});

test('a survey created on the page and its results seen', async (t) => {
  const page = await openPage(t);
  await login(page, 'admin');
  await ready(page, 'map');
  await page.click('#nav-surveys');
  await ready(page, 'surveys');
  const title = `社区满意度调查 e2e${Date.now() % 100000}`;
  await page.fill('#sv-title', title);
  await page.fill('#sv-q0-text', '您对社区环境卫生是否满意？');
  // The English switch relabels the page and keeps what was typed.
  await page.click('#lang-btn');
  await page.waitForSelector('#cm-title:text("Surveys")');
  assert.equal(await page.inputValue('#sv-title'), title);
  assert.equal(await page.textContent('#sv-submit'), 'Create the survey');
  await page.click('#lang-btn');
  await page.waitForSelector('#cm-title:text("问卷管理")');
  await page.click('#sv-add-q');
  await page.fill('#sv-q1-text', '夜间出行是否感到安全？');
  await page.selectOption('#sv-q1-type', 'choice');
  await page.selectOption('#sv-q1-dim', 'security');
  // A choice without proper options is refused on the page.
  await page.fill('#sv-q1-options', '安全');
  await page.click('#sv-submit');
  await page.waitForSelector('#sv-q1-options[aria-invalid="true"]');
  await page.fill('#sv-q1-options', '安全=100\n一般=50\n不安全=0');
  await page.click('#sv-submit');
  await page.waitForSelector('#sv-created');
  await ready(page, 'surveys');
  const list = await apiJson(page, '/api/v1/surveys');
  const s = list.body.surveys.find((x) => x.title === title);
  assert.ok(s, 'the survey exists');
  const full = (await apiJson(page, `/api/v1/surveys/${s.id}`)).body;
  assert.equal(full.questions.length, 2);
  assert.equal(full.questions[1].type, 'choice');
  assert.equal(full.questions[1].dimension, 'security');
  assert.deepEqual(full.questions[1].options.map((o) => o.score), [100, 50, 0]);
  assert.ok(await page.locator(`.survey-table tr[data-id="${s.id}"]`).count());
  await shoot(page, 'surveys');

  await page.click(`.survey-table tr[data-id="${s.id}"] a[href$="/results"]`);
  await ready(page, 'surveyResults');
  await page.waitForSelector('.survey-results');
  assert.match(await page.textContent('.page-title'), new RegExp(title));
});

test("a chief's report is relayed as their chief record and listed on the chief's page", async (t) => {
  const page = await openPage(t);
  await login(page, env.chief);
  await ready(page, 'map');
  const mine = await apiJson(page, '/api/v1/chiefs');
  assert.equal(mine.status, 200);
  assert.equal(mine.body.items.length, 1, 'the chief sees their own record');
  const chief = mine.body.items[0];
  await page.click('#nav-report');
  await ready(page, 'report');
  assert.equal(await page.$eval('#report-chief', (s) => s.value), String(chief.id));
  assert.equal(await page.locator('#report-channel').count(), 0, 'a chief always relays as a chief');
  await page.getByLabel('问题大类').selectOption('01');
  await page.getByLabel('问题小类').selectOption('0101');
  const description = `楼道堆放杂物堵塞消防通道 e2e${Date.now() % 100000}`;
  await page.getByLabel('问题描述').fill(description);

  // A point inside the chief's cell: the map is fitted to the cell (the chief's area); try
  // points around its middle until one lies in the cell.
  await page.waitForSelector('#report-map .leaflet-overlay-pane path');
  const box = await page.locator('#report-map').boundingBox();
  let inside = false;
  for (const [fx, fy] of [[0.5, 0.5], [0.4, 0.4], [0.6, 0.6], [0.4, 0.6], [0.6, 0.4], [0.3, 0.5], [0.7, 0.5], [0.5, 0.3], [0.5, 0.7]]) {
    await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
    await page.waitForSelector('#report-location.is-ok, #report-location.is-bad', { timeout: 5000 }).catch(() => {});
    const area = await page.getAttribute('#report-location', 'data-area');
    if (area && area.startsWith(chief.area_code)) {
      inside = true;
      break;
    }
  }
  assert.ok(inside, 'a point of the cell was picked');
  await shoot(page, 'chief-report');
  await page.click('#report-submit');
  await page.waitForSelector('#report-number');
  await ready(page, 'report');
  const number = (await page.textContent('#report-number')).trim();

  // Staff see the case relayed by that chief.
  const staff = await openPage(t);
  await login(staff, 'community_staff');
  await ready(staff, 'map');
  await staff.goto(env.base + `/#/chiefs/${chief.id}`);
  await ready(staff, 'chief');
  await staff.waitForSelector(`.relayed-table tr[data-number="${number}"]`);
  const caseId = await staff.getAttribute(`.relayed-table tr[data-number="${number}"]`, 'data-id');
  const c = await apiJson(staff, `/api/v1/cases/${caseId}`);
  assert.equal(c.body.channel, 'building_chief');
  assert.equal(c.body.description, description);
  assert.ok(c.body.area_code.startsWith(chief.area_code));
  if (c.body.reporter) assert.equal(c.body.reporter.name, chief.name, 'the chief is the reporter');
  await staff.screenshot({ path: path.join(SHOTS, 'chief-desktop.png'), fullPage: true });

  // Community staff relay for the chief who phoned in, at the same point (device location).
  const relay = await openPage(t, DESKTOP, {
    contextOptions: { geolocation: { latitude: c.body.lat, longitude: c.body.lon, accuracy: 5 }, permissions: ['geolocation'] },
  });
  await login(relay, 'community_staff');
  await ready(relay, 'map');
  await relay.click('#nav-report');
  await ready(relay, 'report');
  assert.ok(await relay.locator('#report-relay-chief').isHidden(), 'the chief choice shows with the chief channel only');
  await relay.selectOption('#report-channel', 'building_chief');
  await relay.selectOption('#report-relay-chief', String(chief.id));
  await relay.getByLabel('问题大类').selectOption('01');
  await relay.getByLabel('问题小类').selectOption('0101');
  const phoned = `楼长来电：单元门禁损坏 e2e${Date.now() % 100000}`;
  await relay.getByLabel('问题描述').fill(phoned);
  await relay.click('#report-use-location');
  await relay.waitForSelector('#report-location.is-ok');
  await relay.click('#report-submit');
  await relay.waitForSelector('#report-number');
  const relayed = (await relay.textContent('#report-number')).trim();
  await relay.goto(env.base + `/#/chiefs/${chief.id}`);
  await ready(relay, 'chief');
  await relay.waitForSelector(`.relayed-table tr[data-number="${relayed}"]`);
});
