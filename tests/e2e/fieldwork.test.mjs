// Browser tests of the grid worker's mobile pages and of user administration (issue 8):
//  - on a phone-sized screen with a fake device location, a grid worker opens "my tasks",
//    starts a patrol, walks (the location moves), sends the track (one batch while the network
//    is cut: it waits in the outbox and arrives once it returns), ends the patrol; the server
//    has the patrol with those points (read through the API);
//  - the same worker records a household visit with the network cut: it waits in the outbox,
//    and when the network returns it reaches the server exactly once, even though the first
//    answer is made to get lost on the way back (the page sends it again with the same key);
//  - an admin creates a user through the users page, sees a duplicate refused in words, and
//    disables the user: the user's session ends and they can no longer log in.
// Screenshots of the new pages at phone and desktop size go to build/screenshots/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { env, setUp, tearDown, newPage, openPage, ready, login, SHOTS, PHONE, DESKTOP } from './harness.mjs';

before(setUp);
after(tearDown);

const GRID = '440605011001001'; // the demo grid worker's grid

async function apiJson(page, url) {
  return page.evaluate(async (u) => {
    const r = await fetch(u, { credentials: 'same-origin', cache: 'no-store' });
    return { status: r.status, body: await r.json() };
  }, url);
}

// Straight from the test process (not through a page): a login, or a call with a token.
async function apiLogin(username, password) {
  const r = await fetch(`${env.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return { status: r.status, body: await r.json() };
}

function allowedOffline(problems) {
  return problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|ERR_FAILED|net::/.test(p));
}

test('a grid worker patrols with the device location and records a visit offline, sent once', async (t) => {
  const { context, page, problems } = await newPage(PHONE, {
    contextOptions: { geolocation: { latitude: 0, longitude: 0, accuracy: 8 }, permissions: ['geolocation'] },
  });
  t.after(async () => {
    await context.close();
    assert.deepEqual(allowedOffline(problems), [], 'page reported errors');
  });
  // A second session of the same worker that stays online: what the server has.
  const office = await openPage(t);
  await login(office, 'grid_worker');
  await ready(office, 'map');

  await login(page, 'grid_worker');
  await ready(page, 'map');
  // Stand inside the grid: a walk across the middle of its bounding box.
  const area = await apiJson(page, `/api/v1/areas/${GRID}`);
  assert.equal(area.status, 200);
  // Steps of about 2 m (0.00002 degrees of longitude): a walk, not a GPS jump (> 150 km/h).
  const [w, s, e, n] = area.body.bbox;
  const at = (step) => ({ latitude: (s + n) / 2, longitude: (w + e) / 2 + step * 0.00002, accuracy: 8 });
  await context.setGeolocation(at(0));

  await page.click('#nav-tasks');
  await ready(page, 'tasks');
  await page.waitForSelector('#tasks-visits');
  const tasks = await apiJson(page, '/api/v1/tasks?limit=100');
  assert.equal(tasks.status, 200);
  assert.equal(await page.locator('#tasks-visits .task-item').count(), tasks.body.overdue_visits.length, 'every overdue visit is listed');
  assert.equal(await page.locator('#patrol-card').getAttribute('data-state'), 'idle');
  // Nothing is wider than the phone.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no horizontal scrolling');
  await page.screenshot({ path: path.join(SHOTS, 'tasks-phone.png'), fullPage: true });

  // Start: the first fix is taken at the start.
  await page.click('#patrol-start');
  await page.waitForSelector('#patrol-card[data-state="running"]');
  await ready(page, 'tasks');
  const patrolId = Number(await page.locator('#patrol-card').getAttribute('data-patrol'));
  assert.ok(patrolId > 0);
  const started = await apiJson(office, `/api/v1/patrols/${patrolId}`);
  assert.equal(started.body.status, 'running');
  assert.equal(started.body.grid_code, GRID);

  // Walk: each new position is a new fix.
  for (const f of [1, 2, 3]) {
    const before = Number(await page.locator('.patrol-stats dd').nth(1).textContent());
    await context.setGeolocation(at(f));
    await page.waitForFunction((b) => Number(document.querySelectorAll('.patrol-stats dd')[1].textContent) > b, before);
  }
  await page.screenshot({ path: path.join(SHOTS, 'patrol-phone.png'), fullPage: true });
  await page.click('#patrol-send');
  await page.waitForFunction(() => document.querySelectorAll('.patrol-stats dd')[1].textContent === '0');
  let sent = Number(await page.locator('.patrol-stats dd').nth(0).textContent());
  assert.ok(sent >= 4, `at least the start and three moves were handed over (${sent})`);
  // The batches reach the server.
  for (let i = 0; i < 50; i++) {
    if ((await apiJson(office, `/api/v1/patrols/${patrolId}`)).body.points >= sent) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const mid = await apiJson(office, `/api/v1/patrols/${patrolId}`);
  assert.equal(mid.body.points, sent, 'every point handed over is stored, none twice');
  assert.equal(mid.body.outside_points, 0, 'the walk stayed inside the grid');

  // Points recorded without a network wait in the outbox and follow when it returns.
  await context.setOffline(true);
  await context.setGeolocation(at(4));
  await page.waitForFunction(() => Number(document.querySelectorAll('.patrol-stats dd')[1].textContent) > 0);
  await page.click('#patrol-send');
  await page.waitForSelector('#outbox-count:text("1")');
  assert.match(await page.textContent('.patrol-waiting'), /1 条记录等待发送/);
  sent = Number(await page.locator('.patrol-stats dd').nth(0).textContent());
  assert.equal((await apiJson(office, `/api/v1/patrols/${patrolId}`)).body.points, mid.body.points, 'nothing sent while offline');
  await context.setOffline(false);
  await page.waitForSelector('#outbox-count', { state: 'hidden' });
  assert.equal((await apiJson(office, `/api/v1/patrols/${patrolId}`)).body.points, sent, 'the waiting batch arrived once');

  await context.setGeolocation(at(5));
  await page.waitForFunction(() => Number(document.querySelectorAll('.patrol-stats dd')[1].textContent) > 0);
  sent += 1;
  await page.click('#patrol-end');
  await page.waitForSelector('#patrol-status[data-ended]');
  await ready(page, 'tasks');
  const ended = await apiJson(office, `/api/v1/patrols/${patrolId}`);
  assert.equal(ended.body.status, 'ended');
  assert.ok(ended.body.points >= sent, 'the last points went before the end');
  assert.ok(ended.body.distance_m > 0, 'the track has a length');
  assert.match(await page.textContent('#patrol-status'), new RegExp(`第 ${patrolId} 号巡查已结束`));
  assert.equal(await page.locator('#patrol-card').getAttribute('data-state'), 'idle');

  // A household visit: the form is opened online, the network is cut before it is saved.
  await page.click('#tasks-visit-link');
  await ready(page, 'visit');
  const options = await page.$$eval('#visit-household option', (o) => o.map((x) => x.value).filter(Boolean));
  const mine = await apiJson(page, `/api/v1/households?area=${GRID}&limit=500`);
  assert.equal(options.length, mine.body.items.length, "the choice is my grid's households");
  const household = options[0];
  await context.setOffline(true);
  const text = `走访：家中老人身体良好 e2e${Date.now()}`;
  // Saved without a household: refused on the page, in words.
  await page.getByLabel('走访情况').fill(text);
  await page.click('#visit-submit');
  assert.equal(await page.textContent('#visit-household-error'), '请选择走访的住户');
  await page.getByLabel('走访住户').selectOption(household);
  await page.click('#visit-submit');
  await page.waitForSelector('.visit-done[data-state="queued"]');
  await ready(page, 'visit');
  await page.waitForSelector('#outbox-count:text("1")');
  const visitsOf = async () => (await apiJson(office, `/api/v1/visits?household_id=${household}&limit=1000`)).body.items.filter((v) => v.findings === text);
  assert.equal((await visitsOf()).length, 0, 'nothing reached the server while offline');
  await page.screenshot({ path: path.join(SHOTS, 'visit-queued-phone.png'), fullPage: true });

  await page.click('#visit-outbox-link');
  await ready(page, 'outbox');
  await page.waitForSelector('.outbox-item[data-kind="visit"]');
  assert.match(await page.textContent('.outbox-item'), /走访：走访：家中老人/);
  assert.match(await page.textContent('.outbox-net'), /没有网络/);
  await page.screenshot({ path: path.join(SHOTS, 'outbox-visit-phone.png'), fullPage: true });

  // The network returns, but the first answer is lost on its way back.
  let attempts = 0;
  await page.route('**/api/v1/visits', async (route) => {
    attempts++;
    if (attempts === 1) {
      await route.fetch(); // the server records the visit ...
      await route.abort('connectionreset'); // ... the page never hears back
    } else await route.continue();
  });
  await context.setOffline(false);
  for (let i = 0; i < 200 && attempts < 1; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(attempts, 1, 'the page sends by itself when the network returns');
  await page.waitForSelector('.outbox-item[data-kind="visit"][data-attempts="2"]');
  assert.equal((await visitsOf()).length, 1, 'the first attempt recorded the visit');
  await page.click('#outbox-send');
  await page.waitForSelector('.outbox-empty');
  assert.equal(attempts, 2);
  const visits = await visitsOf();
  assert.equal(visits.length, 1, 'exactly one visit');
  assert.equal(String(visits[0].subject_id), household);
  assert.equal(await page.locator('#outbox-count').isHidden(), true);
});

test('the grid worker pages in English and at desktop size; households link to the visit form', async (t) => {
  const page = await openPage(t, DESKTOP);
  await login(page, 'grid_worker');
  await ready(page, 'map');
  await page.click('#nav-households');
  await ready(page, 'households');
  await page.waitForSelector('.hh-table tbody tr');
  assert.equal(await page.textContent('#hh-list-title'), '我的网格住户');
  const first = await page.locator('.hh-table tbody tr').first().getAttribute('data-id');
  await page.locator('.hh-table tbody tr').first().getByRole('link', { name: /^走访/ }).click();
  await ready(page, 'visit');
  assert.equal(await page.locator('#visit-household').inputValue(), first, 'the household is chosen');
  // A follow-up case: its fields appear, labelled, and are reachable with the keyboard.
  await page.getByLabel('发现问题，同时上报案件').check();
  await page.waitForSelector('#visit-class');
  await page.screenshot({ path: path.join(SHOTS, 'visit-desktop.png'), fullPage: true });
  await page.click('#lang-btn');
  assert.equal(await page.textContent('.page-title'), 'Household visit record');
  assert.ok(await page.getByLabel('Findings').isVisible());
  assert.ok(await page.getByLabel('Problem description').isVisible());
  await page.click('#nav-tasks');
  await ready(page, 'tasks');
  assert.equal(await page.textContent('.page-title'), 'My tasks');
  assert.equal(await page.textContent('#patrol-status'), 'No patrol is running');
  await page.screenshot({ path: path.join(SHOTS, 'tasks-desktop.png'), fullPage: true });
  await page.click('#lang-btn');
});

test('an admin creates a user and disables it through the users page', async (t) => {
  // The refused duplicate is answered 409, which the browser logs: that one is expected.
  const { context, page, problems } = await newPage(DESKTOP);
  t.after(async () => {
    await context.close();
    const other = problems.filter((p) => !/status of 409 .*\/api\/v1\/users$/.test(p));
    assert.deepEqual(other, [], 'page reported errors');
  });
  await login(page, 'admin');
  await ready(page, 'map');
  await page.click('#nav-users');
  await ready(page, 'users');
  await page.waitForSelector('.user-item');
  const name = `e2e_${Date.now()}`;
  const password = 'e2e-password-1';

  // Refused on the page first: a short password.
  await page.getByLabel('用户名').fill(name);
  await page.getByLabel('初始密码').fill('short');
  await page.click('#user-create');
  assert.equal(await page.textContent('#user-password-error'), '密码须为 8 到 256 个字符');
  await page.getByLabel('初始密码').fill(password);
  await page.locator('#user-role').selectOption('grid_worker');
  await page.getByLabel('所属区域代码').fill(GRID);
  await page.click('#user-create');
  await page.waitForSelector('#user-created');
  await ready(page, 'users');
  assert.match(await page.textContent('#user-created'), new RegExp(name));

  // The same username again: refused by the server, shown in words (not JSON).
  await page.getByLabel('用户名').fill(name);
  await page.getByLabel('初始密码').fill(password);
  await page.getByLabel('所属区域代码').fill(GRID);
  await page.click('#user-create');
  await page.waitForSelector('#user-create-error');
  assert.equal(await page.textContent('#user-create-error'), '该用户名已被使用');

  // The new user can log in (and holds a session) ...
  const first = await apiLogin(name, password);
  assert.equal(first.status, 200);
  const token = first.body.token;
  // ... until the admin disables the account (the list is paged: load until it shows).
  let row = page.locator(`.user-item[data-username="${name}"]`);
  while ((await row.count()) === 0 && (await page.locator('#users-more').count()) > 0) {
    await page.click('#users-more');
    await ready(page, 'users');
  }
  await row.getByRole('button', { name: `停用账号 ${name}` }).click();
  row = page.locator(`.user-item[data-username="${name}"][data-disabled="1"]`);
  await row.waitFor();
  await ready(page, 'users');
  assert.match(await row.textContent(), /已停用/);
  const me = await fetch(`${env.base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.status, 401, 'the session ended');
  assert.equal((await apiLogin(name, password)).status, 401, 'no new login');
  // The top of the page (the list runs long: one page of 50 accounts).
  await page.screenshot({ path: path.join(SHOTS, 'users-desktop.png'), fullPage: true, clip: { x: 0, y: 0, width: DESKTOP.width, height: 1100 } });

  // Keyboard: the enable button of that row is reachable and works with Enter.
  const enable = row.getByRole('button', { name: `启用账号 ${name}` });
  await enable.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.user-item[data-username="${name}"][data-disabled="0"]`);
  await ready(page, 'users');
  assert.equal((await apiLogin(name, password)).status, 200, 'enabled again');

  // Phone size: the page fits.
  await page.setViewportSize(PHONE);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no horizontal scrolling');
  await page.screenshot({ path: path.join(SHOTS, 'users-phone.png'), fullPage: true, clip: { x: 0, y: 0, width: PHONE.width, height: 1600 } });
});

test('only admins see the users page', async (t) => {
  const page = await openPage(t, PHONE);
  await login(page, 'leader');
  await ready(page, 'map');
  assert.equal(await page.locator('#nav-users').count(), 0);
  await page.evaluate(() => {
    location.hash = '#/users';
  });
  await ready(page, 'map');
  assert.equal(await page.evaluate(() => location.hash), '#/map');
});
