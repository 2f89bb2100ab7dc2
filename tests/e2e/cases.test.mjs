// Browser tests of the case pages: one case through its whole life, every step through the
// pages a real user would take (report form, queue, case page buttons, my cases, tracking).
//
//   resident reports (map click inside the grid worker's grid, photo) → dispatcher finds it
//   in the queue, accepts, dispatches → department handler signs for it and reports the
//   result → grid worker verifies → dispatcher closes (resolved) → resident rates it 5 stars
//   → anyone tracks it by number.
//
// The tests of this file run in order and share the case. Set-up: harness.mjs.
// Screenshots: <repo>/build/screenshots/{queue,case,report,track}-{desktop,phone}.png

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { env, setUp, tearDown, newPage, openPage, ready, login, distinctColours, SHOTS, DESKTOP, PHONE } from './harness.mjs';

const sessions = new Map(); // username -> { context, page, problems }
const shared = { gridCode: null, number: null, id: null, description: null };

before(setUp);
after(async () => {
  for (const s of sessions.values()) await s.context.close().catch(() => {});
  await tearDown();
});

// One signed-in page per user, kept for the whole file; its errors fail the running test
// (except console messages matching allow: what the browser logs for an expected answer).
async function as(t, username, { allow = null } = {}) {
  let s = sessions.get(username);
  if (!s) {
    s = await newPage(DESKTOP);
    await login(s.page, username);
    await ready(s.page, 'map');
    sessions.set(username, s);
  }
  t.after(() => {
    const found = s.problems.splice(0).filter((m) => !(allow && allow.test(m)));
    assert.deepEqual(found, [], `${username}'s page reported errors`);
  });
  return s.page;
}

async function api(page, p) {
  const r = await page.request.get(env.base + p);
  assert.equal(r.status(), 200, `GET ${p}`);
  return r.json();
}

// A full load of the case page (a query string, so that even a page already showing this
// hash loads it afresh).
async function openCase(page, id = shared.id) {
  await page.goto(`${env.base}/?load=${Date.now()}#/cases/${id}`);
  await ready(page, 'case');
  await page.waitForSelector('#case-status');
}

const statusText = (page) => page.textContent('#case-status');

// The buttons shown are exactly the actions the server allows this user now.
async function assertButtonsMatchServer(page) {
  const shown = await page.$$eval('.case-actions .action-btn', (els) => els.map((e) => e.dataset.action).sort());
  const c = await api(page, `/api/v1/cases/${shared.id}`);
  assert.deepEqual(shown, [...c.allowed_actions].sort(), 'one button per allowed action, no others');
  return shown;
}

// Open an action's form, let fill() complete it, submit, and wait for the new status.
async function act(page, action, expectStatus, fill) {
  if ((await page.locator(`#action-form[data-action="${action}"]`).count()) === 0) {
    await page.click(`.case-actions .action-btn[data-action="${action}"]`);
  }
  await page.waitForSelector(`#action-form[data-action="${action}"]`);
  if (fill) await fill(page);
  await page.click('#action-submit');
  await page.waitForFunction((s) => document.querySelector('#case-status')?.textContent === s, expectStatus, { timeout: 10000 });
  await ready(page, 'case');
  assert.equal(await statusText(page), expectStatus);
  assert.equal(await page.locator('#action-form').count(), 0, 'the form closes after success');
  assert.match(await page.textContent('#case-notice'), /操作成功/);
}

async function shoot(page, name, { fullPage = true } = {}) {
  await page.mouse.move(0, 0);
  const png = await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
  assert.ok((await distinctColours(png)) > 20, `${name} is not blank`);
}

async function noHorizontalScroll(page, name) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width, `${name}: page is ${w}px wide at ${PHONE.width}px`);
}

test('a resident reports a problem by clicking the grid worker’s grid on the map', async (t) => {
  // The grid worker's grid: the resident's community contains it.
  const gw = await as(t, 'grid_worker');
  const me = await api(gw, '/api/v1/me');
  shared.gridCode = me.area_code;
  assert.equal(shared.gridCode.length, 15, 'the grid worker is assigned a grid');

  const page = await as(t, 'resident');
  await page.click('#nav-report');
  await ready(page, 'report');
  assert.equal(await page.getAttribute('#nav-report', 'aria-current'), 'page');
  // Staff choose a channel; a resident always reports through the web.
  assert.equal(await page.locator('#report-channel').count(), 0);

  // Submitting an empty form names what is missing.
  await page.click('#report-submit');
  await page.waitForSelector('#report-error:not([hidden])');
  assert.equal(await page.getAttribute('#report-class', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('#report-description', 'aria-invalid'), 'true');
  assert.equal((await page.textContent('#report-location-error')).trim(), '请在地图上选择问题位置');

  await page.getByLabel('问题大类').selectOption('01');
  await page.getByLabel('问题小类').selectOption('0101');
  shared.description = `小区东门垃圾堆积三天无人清理 e2e${Date.now()}`;
  await page.getByLabel('问题描述').fill(shared.description);
  await page.getByLabel('紧急程度').selectOption('urgent');
  await page.getByLabel('详细地址').fill('东门岗亭旁');
  await page.getByLabel('联系人姓名').fill('陈女士');
  await page.getByLabel('联系电话').fill('13800138000');

  // A photo: uploaded first, then sent as its hash.
  const photo = await page.locator('.page-title').screenshot();
  await page.setInputFiles('#report-photos', { name: 'rubbish.png', mimeType: 'image/png', buffer: photo });
  await page.waitForSelector('#report-photo-list[data-count="1"][data-uploading="0"]');
  await page.waitForSelector('#report-photo-list img');

  // Click the map at the centre of the grid's polygon (the map shows the resident's
  // community divided into its grids).
  const grid = page.locator(`#report-map path.ref-${shared.gridCode}`);
  await grid.waitFor({ state: 'attached' });
  const box = await grid.boundingBox();
  assert.ok(box && box.width > 20 && box.height > 20, 'the grid is drawn large enough to click');
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector('#report-location.is-ok');
  const located = await page.getAttribute('#report-location', 'data-area');
  assert.ok(located.startsWith(shared.gridCode), `the point ${located} lies in grid ${shared.gridCode}`);
  assert.match(await page.textContent('#report-location'), /已选位置/);
  assert.equal(await page.locator('#report-map .map-pin').count(), 1, 'the chosen point is marked');

  await shoot(page, 'report-desktop');

  await page.click('#report-submit');
  await page.waitForSelector('#report-number');
  await ready(page, 'report');
  shared.number = (await page.textContent('#report-number')).trim();
  assert.match(shared.number, /^\d{6}-\d{8}-\d{5}$/);
  assert.equal((await page.textContent('#report-success-title')).trim(), '上报成功');
  assert.equal(await page.getAttribute('#report-track-link', 'href'), `#/track/${shared.number}`);

  const c = await api(page, `/api/v1/cases/${shared.number}`);
  shared.id = c.id;
  assert.equal(c.status, 'reported');
  assert.equal(c.channel, 'web');
  assert.equal(c.category, '0101');
  assert.equal(c.urgency, 'urgent');
  assert.equal(c.address, '东门岗亭旁');
  assert.equal(c.description, shared.description);
  assert.ok(c.area_code.startsWith(shared.gridCode), 'the case is located in the grid');
  assert.equal(c.attachments.length, 1, 'the photo is attached');
  // The phone is stored encrypted and shown masked, even to the reporter.
  assert.deepEqual(c.reporter, { name: '陈女士', phone: '138****8000' });
  await shoot(page, 'report-success-desktop', { fullPage: false });
});

test('the dispatcher finds the case in the queue, accepts and dispatches it', async (t) => {
  const page = await as(t, 'dispatcher');
  await page.click('#nav-cases');
  await ready(page, 'cases');
  await page.waitForSelector('#case-table');
  assert.equal((await page.textContent('#page-title')).trim(), '案件队列');

  // Newest first, with the overdue ones moved to the top (the default).
  const rows = await page.$$eval('#case-table tbody tr', (els) => els.map((e) => ({ number: e.dataset.number, overdue: e.dataset.overdue })));
  assert.ok(rows.length > 10, 'the queue lists the demo cases');
  const firstNotOverdue = rows.findIndex((r) => r.overdue === '0');
  assert.ok(firstNotOverdue >= 0);
  assert.ok(rows.slice(firstNotOverdue).every((r) => r.overdue === '0'), 'overdue rows come first');
  assert.equal(rows[firstNotOverdue].number, shared.number, 'the new case is the newest of the rest');
  const row = page.locator(`#case-table tr[data-number="${shared.number}"]`);
  assert.match(await row.textContent(), /暴露垃圾/);
  assert.match(await row.textContent(), /已上报/);
  assert.match(await row.textContent(), /剩余 /);
  assert.match(await row.locator('.c-area').textContent(), /网格/);
  assert.ok(await page.locator('#load-more').isVisible(), 'more pages can be loaded');
  await shoot(page, 'queue-desktop', { fullPage: false });

  // Filters: the status chip and the keyword search both keep the case.
  await page.click('.status-chip[data-status="reported"]');
  await ready(page, 'cases');
  await page.waitForSelector('#case-table');
  const statuses = await page.$$eval('#case-table tbody tr', (els) => [...new Set(els.map((e) => e.dataset.status))]);
  assert.deepEqual(statuses, ['reported']);
  assert.match(page.url(), /status=reported/);
  // The search index follows new cases within about a second: search until it is there.
  await page.fill('#filter-q', shared.description.split(' ')[1]);
  for (let i = 0; ; i++) {
    await page.press('#filter-q', 'Enter');
    await ready(page, 'cases');
    if ((await page.locator('#case-table tbody tr').count()) === 1) break;
    assert.ok(i < 20, 'the keyword search finds the new case');
    await page.waitForTimeout(250);
  }
  assert.equal(await page.getAttribute('#case-table tbody tr', 'data-number'), shared.number);
  await page.click('#filter-reset');
  await ready(page, 'cases');

  // Open it from the list.
  await page.click(`#case-table tr[data-number="${shared.number}"] .case-link`);
  await ready(page, 'case');
  assert.equal(await statusText(page), '已上报');
  assert.equal((await page.textContent('.case-number')).trim(), shared.number);
  assert.match(await page.textContent('#case-category'), /市容环境 › 暴露垃圾/);
  assert.equal(await page.textContent('#case-urgency'), '紧急');
  assert.equal(await page.textContent('#case-channel'), '网站');
  assert.match(await page.textContent('#case-countdown'), /^剩余 /);
  assert.match(await page.textContent('#case-reporter'), /陈女士/);
  await page.waitForSelector('.photo-list img.photo');
  assert.ok(await page.$eval('.photo-list img.photo', (img) => img.complete && img.naturalWidth > 0), 'the photo loads');
  await page.waitForSelector('#case-map .map-pin');
  assert.match(await page.textContent('#timeline'), /上报/);
  const shown = await assertButtonsMatchServer(page);
  assert.ok(shown.includes('accept') && shown.includes('reject'));

  await act(page, 'accept', '已受理');
  assert.equal(await page.locator('.action-btn[data-action="accept"]').count(), 0, 'accept is gone once accepted');
  await assertButtonsMatchServer(page);

  // Dispatch: the unit is optional (the routing rules choose it).
  await act(page, 'dispatch', '已派遣', async (p) => {
    assert.equal(await p.inputValue('#action-form select[name="department"]'), '');
  });
  assert.equal(await page.textContent('#case-department'), '城市管理局');
  const events = await page.$$eval('#timeline .tl-item', (els) => els.map((e) => e.dataset.action));
  assert.deepEqual(events, ['report', 'accept', 'dispatch']);
  await assertButtonsMatchServer(page);
  await shoot(page, 'case-desktop');
});

test('the department handler signs for the case and reports the result', async (t) => {
  const page = await as(t, 'department_handler');
  await page.click('#nav-cases');
  await ready(page, 'cases');
  await page.waitForSelector(`#case-table tr[data-number="${shared.number}"]`);
  await openCase(page);
  assert.equal(await statusText(page), '已派遣');
  const shown = await assertButtonsMatchServer(page);
  assert.ok(!shown.includes('accept'), 'the handler sees no accept button');
  assert.ok(!shown.includes('dispatch'));
  assert.equal((await page.textContent('.action-btn[data-action="start"]')).trim(), '签收');

  await act(page, 'start', '处置中');
  await assertButtonsMatchServer(page);

  // The result text is required: the form says so before anything is sent.
  await page.click('.action-btn[data-action="handle"]');
  await page.waitForSelector('#action-form[data-action="handle"]');
  await page.click('#action-submit');
  await page.waitForSelector('#action-form .field-error:not([hidden])');
  assert.equal((await page.textContent('#action-form .field-error:not([hidden])')).trim(), '请填写“处置结果”');
  assert.equal(await statusText(page), '处置中');
  await page.getByLabel('处置结果').fill('已安排环卫工人清运垃圾，现场恢复整洁。');
  await page.click('#action-submit');
  await page.waitForFunction(() => document.querySelector('#case-status')?.textContent === '已处置反馈');
  await ready(page, 'case');
  assert.match(await page.textContent('#timeline'), /已安排环卫工人清运垃圾/);
  await assertButtonsMatchServer(page);
});

test('a stale page gets a friendly error instead of acting', async (t) => {
  // The dispatcher's page still shows the case as dispatched, with "reassign" on offer.
  // (The browser itself logs the 409 answer.)
  const page = await as(t, 'dispatcher', { allow: /status of 409 .*\/actions$/ });
  assert.equal(await statusText(page), '已派遣');
  await page.click('.action-btn[data-action="assign"]');
  await page.waitForSelector('#action-form[data-action="assign"]');
  await page.click('#action-submit');
  await page.waitForSelector('#action-error:not([hidden])');
  await ready(page, 'case');
  assert.equal((await page.textContent('#action-error')).trim(), '当前状态不允许此操作');
  await page.click('#action-cancel');
  assert.equal(await page.locator('#action-form').count(), 0);
});

test('the grid worker verifies the result', async (t) => {
  const page = await as(t, 'grid_worker');
  await openCase(page);
  assert.equal(await statusText(page), '已处置反馈');
  const shown = await assertButtonsMatchServer(page);
  assert.ok(shown.includes('verify') && !shown.includes('close'));
  await act(page, 'verify', '已核查');
  await assertButtonsMatchServer(page);
});

test('the dispatcher closes the case as resolved', async (t) => {
  const page = await as(t, 'dispatcher');
  await openCase(page);
  assert.equal(await statusText(page), '已核查');
  await assertButtonsMatchServer(page);
  await act(page, 'close', '已结案', async (p) => {
    // "not resolved" asks for a reason; "resolved" does not.
    await p.getByLabel('办理结果').selectOption('not_resolved');
    assert.ok(await p.getByLabel('未解决原因').isVisible());
    await p.getByLabel('未解决原因').selectOption('other');
    assert.ok(await p.getByLabel('具体原因').isVisible());
    await p.getByLabel('办理结果').selectOption('resolved');
    assert.ok(!(await p.getByLabel('未解决原因').isVisible()));
  });
  assert.equal(await page.textContent('#case-outcome'), '已解决');
  assert.equal(await page.locator('#case-countdown').count(), 0, 'a closed case has no countdown');
  await assertButtonsMatchServer(page);
});

test('the resident rates the result with five stars in “my cases”', async (t) => {
  const page = await as(t, 'resident');
  await page.click('#nav-cases');
  await ready(page, 'cases');
  assert.equal((await page.textContent('#nav-cases')).trim(), '我的案件');
  assert.equal((await page.textContent('#page-title')).trim(), '我的案件');
  const row = page.locator(`#case-table tr[data-number="${shared.number}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /已结案/);
  await row.locator('.case-link').click();
  await ready(page, 'case');
  assert.equal(await statusText(page), '已结案');
  const shown = await assertButtonsMatchServer(page);
  assert.ok(shown.includes('evaluate') && shown.includes('reopen'));

  // The rating form is open already; the reopen button is offered next to it.
  assert.equal(await page.getAttribute('#action-form', 'data-action'), 'evaluate');
  assert.equal(await page.getAttribute('.action-btn[data-action="evaluate"]', 'aria-expanded'), 'true');
  await act(page, 'evaluate', '已评价', async (p) => {
    await p.click('label[for="rating-5"]');
    assert.ok(await p.isChecked('#rating-5'));
    await p.getByLabel('评价意见').fill('清理及时，非常满意！');
  });
  assert.equal(await page.getAttribute('#case-rating .stars', 'aria-label'), '5 星');
  const shownAfter = await assertButtonsMatchServer(page);
  assert.ok(!shownAfter.includes('evaluate') && shownAfter.includes('reopen'), 'rated once; reopen still offered');
  const events = await page.$$eval('#timeline .tl-item', (els) => els.map((e) => e.dataset.action));
  assert.deepEqual(events, ['report', 'accept', 'dispatch', 'start', 'handle', 'verify', 'close', 'evaluate']);

  // The same page in English.
  await page.click('#lang-btn');
  assert.equal(await statusText(page), 'Rated');
  assert.equal((await page.textContent('.action-btn[data-action="reopen"]')).trim(), 'Reopen');
  assert.match(await page.textContent('#case-category'), /Exposed garbage/);
  await page.click('#lang-btn');
  assert.equal(await statusText(page), '已评价');
});

test('a visitor reports a problem without signing in', async (t) => {
  const page = await openPage(t);
  await page.goto(env.base + '/');
  await ready(page, 'login');
  await page.click('.login-public-link[href="#/report"]');
  await ready(page, 'report');
  assert.equal(await page.locator('#logout-btn').count(), 0, 'not signed in');
  assert.equal(await page.locator('#report-channel').count(), 0, 'the public form has no channel choice');
  assert.equal(await page.locator('#report-photos').count(), 0, 'uploads need a session');
  assert.deepEqual(await page.$$eval('.topnav-link', (els) => els.map((e) => e.dataset.nav)), ['report', 'track']);
  await page.getByLabel('问题大类').selectOption('02');
  await page.getByLabel('问题小类').selectOption('0204');
  await page.getByLabel('问题描述').fill('路灯不亮，晚上出行不便。');
  await page.check('#report-anonymous');
  assert.ok(await page.isDisabled('#report-name'), 'anonymous: no name asked');
  // Keyboard alternative to clicking: the point at the centre of the map.
  await page.focus('#report-use-centre');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#report-location.is-ok');
  await page.click('#report-submit');
  await page.waitForSelector('#report-number');
  const number = (await page.textContent('#report-number')).trim();
  assert.match(number, /^\d{6}-\d{8}-\d{5}$/);
  assert.equal(await page.locator('#report-view-link').count(), 0, 'a visitor cannot open the case, only track it');
  await page.click('#report-track-link');
  await ready(page, 'track');
  await page.waitForSelector('#track-result');
  assert.equal(await page.textContent('#track-status'), '已上报');
});

test('anyone tracks the case by its number', async (t) => {
  const page = await openPage(t);
  await page.goto(env.base + '/#/track');
  await ready(page, 'track');
  assert.equal(await page.locator('#logout-btn').count(), 0, 'not signed in');
  await page.getByLabel('案件编号').fill(shared.number);
  await page.click('#track-submit');
  await page.waitForSelector('#track-result');
  await ready(page, 'track');
  assert.equal(await page.textContent('#track-status'), '已评价');
  const steps = await page.$$eval('#track-steps .step', (els) => els.map((e) => e.dataset.action));
  assert.deepEqual(steps, ['report', 'accept', 'dispatch', 'start', 'handle', 'verify', 'close', 'evaluate']);
  assert.match(await page.textContent('#track-steps'), /签收/);
  assert.match(page.url(), new RegExp(`#/track/${shared.number}$`));
  await shoot(page, 'track-desktop');

  // A number that does not exist: a friendly message (the browser logs the 404 itself).
  const { context, page: p2, problems } = await newPage();
  try {
    await p2.goto(`${env.base}/#/track/440605-20000101-00001`);
    await ready(p2, 'track');
    assert.equal((await p2.textContent('#track-error')).trim(), '未找到该编号的案件，请核对后重试');
    assert.ok(problems.every((m) => /status of 404/.test(m)), problems.join('\n'));
  } finally {
    await context.close();
  }
});

test('phone-sized screenshots of queue, case, report and track pages', async (t) => {
  // Phone-sized pages signed in with the sessions of the desktop pages (no new logins).
  const session = async (username) => ({ storageState: await sessions.get(username).context.storageState() });
  const disp = await openPage(t, PHONE, await session('dispatcher'));
  await disp.goto(env.base + '/#/cases');
  await ready(disp, 'cases');
  await disp.waitForSelector('#case-table');
  await noHorizontalScroll(disp, 'queue');
  await shoot(disp, 'queue-phone', { fullPage: false });
  await openCase(disp);
  await disp.waitForSelector('#case-map .map-pin');
  await noHorizontalScroll(disp, 'case');
  await shoot(disp, 'case-phone');

  const res = await openPage(t, PHONE, await session('resident'));
  await res.goto(env.base + '/#/report');
  await ready(res, 'report');
  await res.getByLabel('问题大类').selectOption('02');
  await noHorizontalScroll(res, 'report');
  await shoot(res, 'report-phone');

  const pub = await openPage(t, PHONE);
  await pub.goto(`${env.base}/#/track/${shared.number}`);
  await ready(pub, 'track');
  await pub.waitForSelector('#track-result');
  await noHorizontalScroll(pub, 'track');
  await shoot(pub, 'track-phone');
});
