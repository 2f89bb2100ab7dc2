// The grid worker's offline report: with the page's network cut (context.setOffline), a
// report with a photo is kept in the IndexedDB outbox and shown as waiting; when the network
// returns it is sent by itself. The first answer is made to get lost on the way back (the
// server made the case, the page saw a network error), so the page sends it again with the
// same idempotency key: the case reaches the server exactly once. Also: the service worker
// (installable app) is registered and caches the shell.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { env, setUp, tearDown, newPage, openPage, ready, login, SHOTS, PHONE } from './harness.mjs';

before(setUp);
after(tearDown);

// Cases with this description, as the dispatcher sees them (a second, always-online page).
async function casesWith(page, text) {
  return page.evaluate(async (d) => {
    const r = await fetch('/api/v1/cases?limit=100', { credentials: 'same-origin' });
    const b = await r.json();
    return b.items.filter((c) => c.description === d).map((c) => c.number);
  }, text);
}

test('a report made offline reaches the server once when the network returns', async (t) => {
  // Offline, the browser logs failed loads; those (and only those) are expected.
  const { context, page, problems } = await newPage(PHONE);
  t.after(async () => {
    await context.close();
    const other = problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|ERR_FAILED|net::/.test(p));
    assert.deepEqual(other, [], 'page reported errors');
  });
  const office = await openPage(t);
  await login(office, 'dispatcher');
  await ready(office, 'map');

  await login(page, 'grid_worker');
  await ready(page, 'map');
  // The installable app: the service worker takes control of the shell.
  const sw = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return !!reg.active;
  });
  assert.ok(sw, 'service worker active');
  await page.click('#nav-report');
  await ready(page, 'report');
  const grid = page.locator('#report-map path[class*="ref-440605011001001"]').last();
  await grid.waitFor({ state: 'attached' });

  await context.setOffline(true);
  const text = `网格巡查发现路灯损坏（离线）e2e${Date.now()}`;
  await page.getByLabel('问题大类').selectOption('01');
  await page.getByLabel('问题小类').selectOption('0101');
  await page.getByLabel('问题描述').fill(text);
  const photo = await page.locator('.page-title').screenshot();
  await page.setInputFiles('#report-photos', { name: 'lamp.png', mimeType: 'image/png', buffer: photo });
  await page.waitForSelector('#report-photo-list[data-count="1"] .is-local');
  await page.getByRole('button', { name: '使用地图中心点' }).click();
  await page.waitForSelector('#report-location:not(.is-pending)');
  await page.click('#report-submit');
  await page.waitForSelector('#report-queued');
  await ready(page, 'report');
  await page.waitForSelector('#outbox-count:text("1")');
  assert.deepEqual(await casesWith(office, text), [], 'nothing reached the server while offline');

  await page.click('#report-outbox-link');
  await ready(page, 'outbox');
  await page.waitForSelector('.outbox-item');
  assert.match(await page.textContent('.outbox-net'), /没有网络/);
  assert.match(await page.textContent('.outbox-item'), /1 张照片/);
  await page.screenshot({ path: path.join(SHOTS, 'outbox-phone.png'), fullPage: true });

  // The network returns, but the first answer to the report is lost on its way back.
  let attempts = 0;
  await page.route('**/api/v1/cases', async (route) => {
    attempts++;
    if (attempts === 1) {
      await route.fetch(); // the server gets it and makes the case ...
      await route.abort('connectionreset'); // ... the page never hears back
    } else await route.continue();
  });
  await context.setOffline(false);
  for (let i = 0; i < 200 && attempts < 1; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(attempts, 1, 'the page sends by itself when the network returns');
  // The lost answer leaves the report waiting; its attempt count grows.
  await page.waitForSelector('.outbox-item[data-attempts="2"]');
  assert.equal((await casesWith(office, text)).length, 1, 'the case was made by the first attempt');
  assert.equal(await page.locator('.outbox-item').count(), 1, 'still waiting: the page did not hear back');

  // Sent again (here by the button; the 30 s timer would do it too): same key, no second case.
  await page.click('#outbox-send');
  await page.waitForSelector('.outbox-empty');
  assert.equal(attempts, 2);
  assert.equal(await page.locator('#outbox-count').isHidden(), true);
  const numbers = await casesWith(office, text);
  assert.equal(numbers.length, 1, 'exactly one case');
  // The photo went with it.
  const c = await office.evaluate(async (n) => (await fetch(`/api/v1/cases/${n}`)).json(), numbers[0]);
  assert.equal((c.attachments || []).length, 1);
  await page.screenshot({ path: path.join(SHOTS, 'outbox-sent-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: path.join(SHOTS, 'outbox-desktop.png'), fullPage: true });
});

test('the app shell opens from the service worker without a network', async (t) => {
  const { context, page, problems } = await newPage(PHONE);
  t.after(async () => {
    await context.close();
    const other = problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|net::/.test(p));
    assert.deepEqual(other, [], 'page reported errors');
  });
  await page.goto(env.base + '/');
  await ready(page, 'login');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // Reload once so the worker controls the page and has the shell cached.
  await page.reload();
  await ready(page, 'login');
  await page.waitForFunction(() => !!navigator.serviceWorker.controller);
  await context.setOffline(true);
  await page.reload();
  await ready(page);
  assert.equal(await page.textContent('.login-product'), '网格化基层治理平台');
  await context.setOffline(false);
});
