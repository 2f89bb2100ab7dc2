// Browser tests of the login screen and the area map against the real gridgov server.
// Set-up (demo database, server, Chromium) is in harness.mjs; see there for GRIDGOV_BIN and
// GRIDGOV_WEB. Run: node --test tests/e2e/
// Screenshots are written to <repo>/build/screenshots/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  env,
  setUp,
  tearDown,
  openPage,
  ready,
  gotoLogin,
  login,
  distinctColours,
  SHOTS,
  PASSWORD,
  DESKTOP,
  PHONE,
} from './harness.mjs';

before(setUp);
after(tearDown);

async function loginToMap(page, username) {
  await login(page, username);
  await ready(page, 'map');
  await page.waitForSelector('.breadcrumb .crumb');
}

const crumbs = (page) => page.$$eval('.breadcrumb .crumb', (els) => els.map((e) => ({ code: e.dataset.code, level: e.dataset.level, name: e.textContent })));
const listItems = (page) =>
  page.$$eval('.child-list .child-item', (els) =>
    els.map((e) => ({ code: e.dataset.code, level: e.dataset.level, children: Number(e.dataset.children) })),
  );
const pathCount = (page) => page.$$eval('.leaflet-overlay-pane svg path', (els) => els.length);

// Click a control and wait until the view it triggers has finished rendering.
async function clickAndWait(page, locator) {
  await locator.click();
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached', timeout: 10000 });
}

test('wrong password shows a friendly error', async (t) => {
  const page = await openPage(t);
  await login(page, 'admin', 'definitely-wrong');
  const err = page.locator('#login-error');
  await err.waitFor({ state: 'visible' });
  assert.equal((await err.textContent()).trim(), '用户名或密码错误');
  assert.equal(await page.evaluate(() => document.body.dataset.view), 'login');
  assert.equal(await page.inputValue('#login-password'), '', 'password field is cleared');
});

test('admin sees the map of the district with its children', async (t) => {
  const page = await openPage(t);
  await loginToMap(page, 'admin');
  assert.equal(await page.textContent('.product-name'), '网格化基层治理平台');
  assert.equal(await page.getAttribute('.user-name', 'data-username'), 'admin');
  assert.equal(await page.textContent('.role-badge'), '管理员');
  const c = await crumbs(page);
  assert.equal(c.length, 1, 'breadcrumb starts at the user area');
  assert.equal(c[0].code, '440605');
  assert.equal(c[0].level, 'district');
  const items = await listItems(page);
  assert.ok(items.length > 0, 'district has children');
  for (const it of items) assert.ok(it.code.startsWith('440605'), `child ${it.code} lies in the district`);
  // one SVG path per child polygon plus the outline of the district
  assert.ok((await pathCount(page)) >= items.length, 'child polygons are drawn');
  assert.match(await page.textContent('.area-summary'), /户数/);
});

test('drill down twice via the list and back via the breadcrumb', async (t) => {
  const page = await openPage(t);
  await loginToMap(page, 'admin');
  const top = await crumbs(page);

  for (let depth = 2; depth <= 3; depth++) {
    const items = await listItems(page);
    const target = items.find((it) => it.children > 0 && it.level !== 'cell');
    assert.ok(target, `a child with children exists at depth ${depth}`);
    await clickAndWait(page, page.locator(`.child-item[data-code="${target.code}"]`));
    const c = await crumbs(page);
    assert.equal(c.length, depth);
    assert.equal(c[depth - 1].code, target.code);
    assert.ok((await listItems(page)).length > 0);
    assert.ok((await pathCount(page)) > 0);
  }

  // Back one level, then to the top.
  const mid = (await crumbs(page))[1];
  await clickAndWait(page, page.locator(`.breadcrumb .crumb[data-code="${mid.code}"] button`));
  assert.equal((await crumbs(page)).length, 2);
  await clickAndWait(page, page.locator(`.breadcrumb .crumb[data-code="${top[0].code}"] button`));
  const back = await crumbs(page);
  assert.equal(back.length, 1);
  assert.equal(back[0].code, top[0].code);
  assert.equal(await page.locator('.breadcrumb button').count(), 0, 'nothing above the user area is offered');
});

test('language switch to English and back', async (t) => {
  const page = await openPage(t);
  await loginToMap(page, 'admin');
  const lang = page.locator('#lang-btn');
  assert.equal((await lang.textContent()).trim(), 'English');
  await lang.click();
  assert.equal(await page.textContent('.product-name'), 'Grid Governance Platform');
  assert.equal(await page.textContent('.role-badge'), 'Administrator');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal((await page.textContent('#logout-btn')).trim(), 'Sign out');
  assert.match(await page.textContent('.area-summary'), /Households/);
  assert.equal(await page.title(), 'Grid Governance Platform');

  // The choice persists across a reload.
  await page.reload();
  await ready(page, 'map');
  assert.equal(await page.textContent('.product-name'), 'Grid Governance Platform');

  await page.locator('#lang-btn').click();
  assert.equal(await page.textContent('.product-name'), '网格化基层治理平台');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.equal((await page.textContent('#logout-btn')).trim(), '退出登录');

  // Logout returns to the login screen.
  await clickAndWait(page, page.locator('#logout-btn'));
  assert.equal(await page.evaluate(() => document.body.dataset.view), 'login');
});

test('a grid worker sees only their grid and its cells', async (t) => {
  const page = await openPage(t);
  await loginToMap(page, 'grid_worker');
  assert.equal(await page.textContent('.role-badge'), '网格员');
  const c = await crumbs(page);
  assert.equal(c.length, 1, 'breadcrumb starts at the grid');
  assert.equal(c[0].level, 'grid');
  const items = await listItems(page);
  assert.ok(items.length > 0, 'the grid has cells');
  for (const it of items) {
    assert.equal(it.level, 'cell');
    assert.ok(it.code.startsWith(c[0].code));
  }
  // Clicking a cell shows its details and does not navigate.
  await clickAndWait(page, page.locator(`.child-item[data-code="${items[0].code}"]`));
  await page.waitForSelector('#cell-detail');
  assert.match(await page.textContent('#cell-detail'), new RegExp(items[0].code));
  assert.equal((await crumbs(page)).length, 1);
  // The district above is not reachable.
  const res = (await page.request.get(env.base + '/api/v1/areas/440605')).status();
  assert.ok(res === 403 || res === 404, `area above the grid is refused (got ${res})`);
});

test('screenshots of login and map pages (desktop and phone)', async (t) => {
  for (const [name, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ]) {
    const page = await openPage(t, viewport);
    await gotoLogin(page);
    const loginPng = await page.screenshot({ path: path.join(SHOTS, `login-${name}.png`), fullPage: true });
    assert.ok((await distinctColours(loginPng)) > 20, `login-${name} is not blank`);

    await page.getByLabel('用户名', { exact: true }).fill('admin');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await ready(page, 'map');
    await page.waitForSelector('.child-list .child-item');
    assert.ok((await pathCount(page)) > 0, 'map has rendered polygons');
    // The pointer rests where the login button was, possibly over a polygon: move it away
    // and let the hover tooltip fade out so the screenshot shows the plain map.
    await page.mouse.move(0, 0);
    await page.waitForFunction(() => !document.querySelector('.leaflet-tooltip'), null, { timeout: 3000 });
    const mapPng = await page.screenshot({ path: path.join(SHOTS, `map-${name}.png`), fullPage: name === 'phone' });
    assert.ok((await distinctColours(mapPng)) > 20, `map-${name} is not blank`);
  }
});
