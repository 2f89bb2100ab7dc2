// Shared set-up of the browser tests: a demo database, a gridgov server on a free port and
// one headless Chromium per test file (each *.test.mjs runs in its own process).
//
//   GRIDGOV_BIN  path of the gridgov binary (default <repo>/build/gridgov)
//   GRIDGOV_WEB  web root served by the binary (default <dir of GRIDGOV_BIN>/web)
//
// Needs /usr/bin/chromium (Debian package) and playwright-core; never downloads a browser.

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
export const repo = path.resolve(here, '../..');
export const BIN = process.env.GRIDGOV_BIN || path.join(repo, 'build', 'gridgov');
export const WEB = process.env.GRIDGOV_WEB || path.join(path.dirname(BIN), 'web');
export const SHOTS = path.join(repo, 'build', 'screenshots');
export const PASSWORD = 'demo-pass-123';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 740 };

export const env = { tmp: null, server: null, serverLog: '', base: null, browser: null, chief: null };

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
        reject(new Error(`server did not print its port within 15 s\n${env.serverLog}`));
      }
    }, 15000);
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (chunk) => {
      env.serverLog += chunk;
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
      env.serverLog += chunk;
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
        reject(new Error(`server exited early (code ${code}, signal ${signal})\n${env.serverLog}`));
      }
    });
  });
}

export async function setUp() {
  assert.ok(fs.existsSync(BIN), `gridgov binary not found at ${BIN} (build it or set GRIDGOV_BIN)`);
  assert.ok(fs.existsSync(path.join(WEB, 'index.html')), `web root ${WEB} has no index.html (set GRIDGOV_WEB)`);
  env.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gridgov-e2e-'));
  const db = path.join(env.tmp, 'demo.db');
  const [demo, browser] = await Promise.all([
    execFileP(BIN, ['demo', '--db', db, '--scale', 'small', '--seed', '1', '--password', PASSWORD], {
      timeout: 240000, // about 50 s alone; several times that on a loaded 2-core CI machine
      maxBuffer: 16 * 1024 * 1024,
    }),
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--disable-gpu', '--disable-quic'],
    }),
  ]);
  env.browser = browser;
  // A building/lane/street chief's login, as the demo prints it: which residents become chiefs
  // follows the demo's random draws over who is of age on the day it runs, so it is read, not
  // assumed (a fixed name held until the day the draws moved).
  const chief = /\(login (chief_\d+)\)/.exec(demo.stdout);
  assert.ok(chief, 'the demo names a chief login');
  env.chief = chief[1];
  const s = await startServer(db);
  env.server = s.proc;
  env.base = `http://127.0.0.1:${s.port}`;
  fs.mkdirSync(SHOTS, { recursive: true });
}

export async function tearDown() {
  if (env.browser) await env.browser.close().catch(() => {});
  const server = env.server;
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    const timer = setTimeout(() => server.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  if (env.tmp) fs.rmSync(env.tmp, { recursive: true, force: true });
}

// A fresh browser context (own cookies and storage) whose page records every uncaught
// exception and console error in `problems`. The browser itself logs "Failed to load
// resource" for the expected 401 answers of /api/v1/me (not signed in) and of a wrong
// login: those are allowed.
// storageState: the cookies of another context, to reuse its session without a new login.
// contextOptions: more Playwright context options (geolocation, permissions, ...).
export async function newPage(viewport = DESKTOP, { storageState, contextOptions = {} } = {}) {
  const context = await env.browser.newContext({ viewport, locale: 'zh-CN', storageState, ...contextOptions });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = (msg.location() && msg.location().url) || '';
    const expected401 = /status of 401/.test(msg.text()) && /\/api\/v1\/(me|auth\/login)(\?|$)/.test(url);
    if (!expected401) problems.push(`console error: ${msg.text()} ${url}`);
  });
  return { context, page, problems };
}

// newPage() closed and checked at the end of test t.
export async function openPage(t, viewport = DESKTOP, options = {}) {
  const { context, page, problems } = await newPage(viewport, options);
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems, [], 'page reported errors');
  });
  return page;
}

export async function ready(page, view) {
  const sel = view ? `body[data-view="${view}"][data-ready="1"]` : 'body[data-ready="1"]';
  await page.waitForSelector(sel, { state: 'attached', timeout: 10000 });
}

export async function gotoLogin(page) {
  await page.goto(env.base + '/');
  await ready(page, 'login');
}

export async function login(page, username, password = PASSWORD) {
  await gotoLogin(page);
  await page.getByLabel('用户名', { exact: true }).fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}

// Decode a PNG in a blank page and count its distinct colours (blank ≈ 1).
export async function distinctColours(png) {
  const page = await env.browser.newPage();
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
