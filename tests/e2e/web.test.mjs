// Browser tests of the web interface against the real gridgov server.
//
//   GRIDGOV_BIN  path of the gridgov binary (default <repo>/build/gridgov)
//   GRIDGOV_WEB  web root served by the binary (default <dir of GRIDGOV_BIN>/web)
//
// Run: node --test tests/e2e/
// Needs /usr/bin/chromium (Debian package) and playwright-core; never downloads a browser.
// Screenshots are written to <repo>/build/screenshots/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const execFileP = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const BIN = process.env.GRIDGOV_BIN || path.join(repo, 'build', 'gridgov');
const WEB = process.env.GRIDGOV_WEB || path.join(path.dirname(BIN), 'web');
const SHOTS = path.join(repo, 'build', 'screenshots');
const PASSWORD = 'demo-pass-123';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740 };

let tmp;
let server;
let serverLog = '';
let base;
let browser;

function startServer(db) {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--web', WEB], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let done = false;
    const timer = setTimeout(() => {
      if (!done) {
        done = true;
        proc.kill('SIGTERM');
        reject(new Error(`server did not print its port within 15 s\n${serverLog}`));
      }
    }, 15000);
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (chunk) => {
      serverLog += chunk;
      if (done) return;
      out += chunk;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        done = true;
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]) });
      }
    });
    proc.stderr.on('data', (chunk) => {
      serverLog += chunk;
    });
    proc.on('error', (e) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        reject(e);
      }
    });
    proc.on('exit', (code, signal) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        reject(new Error(`server exited early (code ${code}, signal ${signal})\n${serverLog}`));
      }
    });
  });
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `gridgov binary not found at ${BIN} (build it or set GRIDGOV_BIN)`);
  assert.ok(fs.existsSync(path.join(WEB, 'index.html')), `web root ${WEB} has no index.html (set GRIDGOV_WEB)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gridgov-e2e-'));
  const db = path.join(tmp, 'demo.db');
  await execFileP(BIN, ['demo', '--db', db, '--scale', 'small', '--seed', '1', '--password', PASSWORD], {
    timeout: 60000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const s = await startServer(db);
  server = s.proc;
  base = `http://127.0.0.1:${s.port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--disable-gpu', '--disable-quic'],
  });
  fs.mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    const timer = setTimeout(() => server.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// A fresh browser context (own cookies and storage) whose page fails the test on any
// uncaught exception or console error. The browser itself logs "Failed to load resource"
// for the expected 401 answers of /api/v1/me (not signed in) and of a wrong login: those are allowed.
async function openPage(t, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = (msg.location() && msg.location().url) || '';
    const expected401 =
      /status of 401/.test(msg.text()) && /\/api\/v1\/(me|auth\/login)(\?|$)/.test(url);
    if (!expected401) problems.push(`console error: ${msg.text()} ${url}`);
  });
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems, [], 'page reported errors');
  });
  return page;
}

async function ready(page, view) {
  await page.waitForSelector(`body[data-view="${view}"][data-ready="1"]`, { state: 'attached', timeout: 10000 });
}

async function gotoLogin(page) {
  await page.goto(base + '/');
  await ready(page, 'login');
}

async function login(page, username, password = PASSWORD) {
  await gotoLogin(page);
  await page.getByLabel('用户名', { exact: true }).fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}

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

// Decode a PNG in a blank page and count its distinct colours (blank ≈ 1).
async function distinctColours(png) {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bmp, 0, 0);
      const data = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
      const seen = new Set();
      for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return seen.size;
    }, png.toString('base64'));
  } finally {
    await page.close();
  }
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
  const res = (await page.request.get(base + '/api/v1/areas/440605')).status();
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
