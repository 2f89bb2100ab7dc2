// Browser tests of the household files: list of the grid's households, search by address,
// the household file with masked personal data, "reveal" with a reason (and the access-log
// entry it leaves, read through the API as an admin), and a role that may not reveal.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { setUp, tearDown, openPage, newPage, ready, login, SHOTS, PHONE } from './harness.mjs';

before(setUp);
after(tearDown);

async function apiJson(page, url) {
  return page.evaluate(async (u) => {
    const r = await fetch(u, { credentials: 'same-origin' });
    return { status: r.status, body: await r.json() };
  }, url);
}

async function openHouseholds(page, user) {
  await login(page, user);
  await ready(page, 'map');
  await page.click('#nav-households');
  await ready(page, 'households');
  await page.waitForSelector('.hh-table tbody tr');
}

test('grid worker finds a household, opens its file and reveals it with a reason', async (t) => {
  const page = await openPage(t);
  await openHouseholds(page, 'grid_worker');
  const api = await apiJson(page, '/api/v1/households?area=440605011001001&limit=50');
  assert.equal(api.status, 200);
  const ids = await page.$$eval('.hh-table tbody tr', (e) => e.map((r) => Number(r.dataset.id)));
  assert.deepEqual(ids, api.body.items.map((h) => h.id), 'the list is the first page of the API');
  await page.screenshot({ path: path.join(SHOTS, 'households-desktop.png'), fullPage: true });

  // Search by the street part of an address (unique enough, 3+ characters).
  const target = api.body.items[0];
  const needle = target.address.split(' ').slice(1).join(' ');
  await page.getByLabel('按姓名或地址搜索').fill(needle);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.hh-result');
  const link = page.locator(`.hh-result a[href="#/households/${target.id}"]`);
  assert.equal(await link.count(), 1, 'the household is among the results');
  // Too short a search is refused in words.
  await page.getByLabel('按姓名或地址搜索').fill('南桂');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.hh-search-out .panel-error:text("请至少输入 3 个字")');

  await page.goto(page.url().replace(/#.*$/, `#/households/${target.id}`));
  await ready(page, 'household');
  await page.waitForSelector('#hh-title');
  const members = await apiJson(page, `/api/v1/persons?household_id=${target.id}`);
  const rows = page.locator('.hh-members tbody tr');
  assert.equal(await rows.count(), members.body.items.length);
  for (const id of await page.$$eval('.hh-members .hh-id', (e) => e.map((x) => x.textContent))) assert.match(id, /\*/, 'masked');
  assert.match(await page.textContent('.hh-timeline'), /建档/);

  // Reveal: the reason is required, then the numbers are shown in full and the page says it is logged.
  await page.click('#hh-reveal-btn');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'hh-reason', 'focus moves to the reason');
  await page.getByRole('button', { name: '确认查看' }).click();
  await page.waitForSelector('.field-error:text("请填写至少 2 个字的原因")');
  await page.getByLabel('查看原因').fill('入户走访核对');
  await page.getByRole('button', { name: '确认查看' }).click();
  await page.waitForSelector('#hh-revealed');
  assert.match(await page.textContent('#hh-revealed'), /访问日志.*入户走访核对/);
  const shown = await page.$$eval('.hh-members .hh-id', (e) => e.map((x) => x.textContent));
  for (const id of shown) assert.match(id, /^\d{17}[\dX]$/, 'revealed ID number');
  await page.screenshot({ path: path.join(SHOTS, 'household-file-revealed-desktop.png'), fullPage: true });

  // The admin sees the reads in the access log, with the reason.
  const admin = await openPage(t);
  await login(admin, 'admin');
  await ready(admin, 'map');
  const log = await apiJson(admin, '/api/v1/access-log?area=440605');
  assert.equal(log.status, 200);
  const mine = log.body.items.filter((e) => e.username === 'grid_worker' && e.reason === '入户走访核对');
  assert.ok(mine.length >= 1, 'the reveal is logged');
  const logged = new Set(mine.filter((e) => e.subject_kind === 'person').map((e) => e.subject_id));
  for (const m of members.body.items) assert.ok(logged.has(m.id), `read of person ${m.id} logged`);
});

test('a leader may read the file but not reveal it; phone size and English', async (t) => {
  // The refused reveal is a 403 the browser logs as a failed load: the only error allowed.
  const { context, page, problems } = await newPage(PHONE);
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems.filter((p) => !/status of 403 .*\/file\?reveal=/.test(p)), [], 'page reported errors');
  });
  await openHouseholds(page, 'leader');
  const first = await page.getAttribute('.hh-table tbody tr', 'data-id');
  await page.click(`.hh-table tbody tr[data-id="${first}"] a`);
  await ready(page, 'household');
  await page.waitForSelector('#hh-reveal-btn');
  await page.click('#hh-reveal-btn');
  await page.getByLabel('查看原因').fill('检查');
  await page.getByRole('button', { name: '确认查看' }).click();
  await page.waitForSelector('.field-error:text("您的角色无权查看完整个人信息")');
  await page.screenshot({ path: path.join(SHOTS, 'household-file-phone.png'), fullPage: true });
  await page.click('#lang-btn');
  await page.waitForSelector('#hh-title:text("Household")');
  const text = await page.textContent('#main');
  assert.doesNotMatch(text, /(户信息|家庭成员|时间线|查看原因|建档)/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width + 1, `no horizontal scrolling on a phone (${width}px)`);
  await page.click('#lang-btn');
});
