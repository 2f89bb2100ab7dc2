// Browser tests of the leader's dashboard: indicator cards, the map coloured by the chosen
// indicator, drill-down from the district to a cell, trend and forecast charts, alerts.
// Set-up is in harness.mjs. Screenshots go to <repo>/build/screenshots/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { env, setUp, tearDown, openPage, ready, login, SHOTS, PHONE } from './harness.mjs';

before(setUp);
after(tearDown);

async function openDashboard(page) {
  await login(page, 'leader');
  await ready(page, 'map');
  await page.click('#nav-dashboard');
  await ready(page, 'dashboard');
  await page.waitForSelector('.dash-kpi');
}

const rowCodes = (page) => page.$$eval('.dash-table-card tbody tr', (els) => els.map((e) => e.dataset.code));

async function apiJson(page, url) {
  return page.evaluate(async (u) => {
    const r = await fetch(u, { credentials: 'same-origin' });
    return { status: r.status, body: await r.json() };
  }, url);
}

test('dashboard shows cards, map, charts and alerts, and drills down to a cell', async (t) => {
  const page = await openPage(t);
  await openDashboard(page);
  assert.equal(await page.textContent('#dash-title'), '领导驾驶舱');
  // The cards agree with the API.
  const total = await apiJson(page, '/api/v1/stats/indicators?area=440605&by=total');
  assert.equal(total.status, 200);
  const c = total.body.rows[0].counters;
  assert.equal((await page.textContent('[data-kpi="collected"] .dash-kpi-value')).replace(/[,\s]/g, ''), String(c.collected));
  assert.equal((await page.textContent('[data-kpi="overdue"] .dash-kpi-value')).replace(/[,\s]/g, ''), String(c.closed - c.closed_on_time));

  // One table row and one polygon per child street.
  const kids = await apiJson(page, '/api/v1/areas?parent=440605');
  const codes = kids.body.items.map((a) => a.code);
  assert.deepEqual(await rowCodes(page), codes);
  assert.ok((await page.$$eval('#dash-map .leaflet-overlay-pane path', (e) => e.length)) >= codes.length);
  // The charts are drawn (ECharts renders SVG) and the forecast data table has bands.
  await page.waitForSelector('#dash-trend svg');
  await page.waitForSelector('#dash-forecast svg');
  const fcText = await page.textContent('#dash-forecast ~ .dash-chart-data');
  assert.match(fcText, /80% 区间/);
  assert.match(fcText, /\d+–\d+/);
  // Alerts as in the API, in words.
  const alerts = await apiJson(page, '/api/v1/alerts?area=440605');
  assert.equal(await page.$$eval('.dash-alert', (e) => e.length), alerts.body.items.length);
  assert.equal(await page.locator('.dash-alerts').textContent().then((s) => s.includes('{')), false, 'no raw JSON');

  // Colouring by satisfaction: the legend and the column follow the choice.
  await page.getByLabel('着色指标').selectOption('satisfaction');
  await page.waitForSelector('.map-legend-title:text("满意率")');
  const firstVal = await page.textContent('.dash-table-card tbody tr .dash-value');
  assert.match(firstVal, /^\d+\.\d%$/);
  await page.screenshot({ path: path.join(SHOTS, 'dashboard-desktop.png'), fullPage: true });

  // Drill down with the keyboard: street -> community -> grid -> cells.
  const levels = [];
  for (;;) {
    const btn = page.locator('.dash-drill').first();
    if ((await btn.count()) === 0) break;
    const code = await btn.getAttribute('data-code');
    await btn.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.dash-crumbs .crumb[data-code="${code}"] .crumb-current`);
    await ready(page, 'dashboard');
    levels.push(await page.getAttribute(`.dash-crumbs .crumb[data-code="${code}"]`, 'data-level'));
    assert.match(page.url(), new RegExp(`area=${code}`));
    const sub = await rowCodes(page);
    for (const s of sub) assert.ok(s.startsWith(code), `${s} lies in ${code}`);
  }
  assert.deepEqual(levels, ['street', 'community', 'grid']);
  const cells = await page.$$eval('.dash-table-card tbody tr', (e) => e.length);
  assert.ok(cells > 0, 'the grid lists its cells');
  // Back to the district through the breadcrumb.
  await page.click('.dash-crumbs .crumb[data-code="440605"] button');
  await page.waitForSelector('.dash-crumbs .crumb[data-code="440605"] .crumb-current');
});

test('dashboard in English and on a phone', async (t) => {
  const page = await openPage(t, PHONE);
  await openDashboard(page);
  await page.click('#lang-btn');
  await page.waitForSelector('#dash-title:text("Leader\'s dashboard")');
  const text = await page.textContent('#main');
  assert.doesNotMatch(text, /(统计期间|着色指标|下级区域|预警|按期办结率)/);
  await page.waitForSelector('#dash-forecast svg');
  await page.screenshot({ path: path.join(SHOTS, 'dashboard-phone-en.png'), fullPage: true });
  await page.click('#lang-btn');
  await page.waitForSelector('#dash-title:text("领导驾驶舱")');
  await page.waitForSelector('#dash-forecast svg');
  await page.screenshot({ path: path.join(SHOTS, 'dashboard-phone.png'), fullPage: true });
  await page.click('#lang-btn');
  await page.waitForSelector('#dash-title:text("Leader\'s dashboard")');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width + 1, `no horizontal scrolling on a phone (${width}px)`);
  await page.click('#lang-btn');
});

test('a grid worker has no dashboard', async (t) => {
  const page = await openPage(t);
  await login(page, 'grid_worker');
  await ready(page, 'map');
  assert.equal(await page.locator('#nav-dashboard').count(), 0);
  await page.goto(env.base + '/#/dashboard');
  await ready(page, 'map');
});
