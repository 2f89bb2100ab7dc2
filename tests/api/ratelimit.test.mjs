// Per-address rate limiting of public routes: anonymous calls to routes declared
// API_RATE_LIMITED (login, anonymous reporting, tracking, locate, Open311, published
// statistics, published council decisions; each is checked) share one token bucket per
// client address; past the burst they get 429 rate_limited with Retry-After, and the bucket
// refills at the configured rate. Calls with a session and routes not declared limited are
// not counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  tempDir, removeDir, makeDatabase, startServer, login, getJson, postJson,
} from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));

let dir;
let server;
let url;
let token;
const BURST = 4;

before(async () => {
  dir = tempDir();
  const db = makeDatabase(dir);
  // 60 a minute = one token a second.
  server = await startServer(db, [], {
    GRIDGOV_RATELIMIT_PER_MIN: '60', GRIDGOV_RATELIMIT_BURST: String(BURST),
  });
  url = server.url;
  token = (await login(url, 'resident')).token; // takes one token
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const track = () => getJson(`${url}/api/v1/track/440605-19990101-00001`);

test('anonymous public calls get 429 with Retry-After past the burst, then recover', async () => {
  await sleep(1200); // the login's token back
  const seen = [];
  for (let i = 0; i < BURST + 3; i++) seen.push(await track());
  const statuses = seen.map((r) => r.status);
  // A second may pass during the loop, so allow one extra success.
  const ok = statuses.filter((s) => s === 404).length;
  assert.ok(ok >= BURST && ok <= BURST + 1, statuses.join(','));
  const limited = seen.filter((r) => r.status === 429);
  assert.ok(limited.length >= 2, statuses.join(','));
  for (const r of limited) {
    assert.equal(r.body.error.code, 'rate_limited');
    assert.match(r.body.error.message, /too many/);
    assert.equal(r.headers.get('retry-after'), '1');
    assert.match(r.headers.get('content-type'), /application\/json/);
  }
  // Every route declared rate limited shares the bucket: login and anonymous reports too.
  let r = await postJson(`${url}/api/v1/auth/login`, null, { username: 'resident', password: 'x' });
  assert.equal(r.status, 429);
  r = await postJson(`${url}/api/v1/cases`, null, {
    channel: 'web', category: '0204', description: '路灯不亮', lon: 113.07, lat: 23.05,
  });
  assert.equal(r.status, 429);
  // Routes not declared limited still answer.
  r = await getJson(`${url}/api/v1/categories`);
  assert.equal(r.status, 200);
  r = await getJson(`${url}/healthz`);
  assert.equal(r.status, 200);
  // After Retry-After, one token is back: one call passes and the next is refused again.
  await sleep(1100);
  const t0 = Date.now();
  assert.equal((await track()).status, 404);
  const next = await track();
  if (Date.now() - t0 < 900) assert.equal(next.status, 429); // (unless a whole second passed)
  // After the whole burst's worth of time the full burst is available again.
  await sleep(BURST * 1000 + 200);
  const again = [];
  for (let i = 0; i < BURST; i++) again.push((await track()).status);
  assert.deepEqual(again, Array(BURST).fill(404));
});

test('callers with a session are not counted against their address', async () => {
  // Drain the address's bucket anonymously first.
  for (let i = 0; i < BURST + 2; i++) await track();
  assert.equal((await track()).status, 429);
  for (let i = 0; i < BURST * 3; i++) {
    const r = await getJson(`${url}/api/v1/track/440605-19990101-00001`, token);
    assert.equal(r.status, 404);
  }
  const r = await postJson(`${url}/api/v1/cases`, token, {
    channel: 'web', category: '0204', description: '路灯不亮', lon: 113.07, lat: 23.05,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
});

test('every route declared API_RATE_LIMITED in src/api/api.c answers 429 once the bucket is empty', async () => {
  const src = readFileSync(resolve(here, '../../src/api/api.c'), 'utf8');
  const limited = [...src.matchAll(/\{"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)",\s*\w+,\s*([^}]*)\}/g)]
    .filter((m) => /API_RATE_LIMITED/.test(m[3])).map((m) => [m[1], m[2]]);
  // Resident reporting, Open311 and the published statistics are among them (SPEC section 12).
  for (const p of ['/api/v1/cases', '/api/v1/public/stats', '/open311/v2/{file}', '/api/v1/auth/login']) {
    assert.ok(limited.some(([, q]) => q === p), `${p} is not declared API_RATE_LIMITED`);
  }
  const fill = { file: 'requests.json', hash: 'a'.repeat(64), id: '1', number: '440605-19990101-00001' };
  for (const [method, pattern] of limited) {
    const path = pattern.replace(/\{(\w+)\}/g, (_, n) => fill[n]);
    for (let i = 0; i < BURST + 2; i++) await track(); // empty the bucket
    const res = await fetch(`${url}${path}`, {
      method, headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : '{}',
    });
    assert.equal(res.status, 429, `${method} ${path}: ${res.status}`);
    assert.ok(Number(res.headers.get('retry-after')) >= 1, `${method} ${path}: no Retry-After`);
  }
  assert.equal((await getJson(`${url}/api/v1/categories`)).status, 200);
});

test('rate limiting is off when ratelimit_per_min is 0', async () => {
  const d = tempDir();
  const s = await startServer(makeDatabase(d), [], { GRIDGOV_RATELIMIT_PER_MIN: '0', GRIDGOV_RATELIMIT_BURST: '1' });
  try {
    for (let i = 0; i < 10; i++) {
      const r = await getJson(`${s.url}/api/v1/track/440605-19990101-00001`);
      assert.equal(r.status, 404);
    }
  } finally {
    await s.stop();
    removeDir(d);
  }
});

test('a locked account answers 429 with Retry-After until the lock ends', async () => {
  const d = tempDir();
  const s = await startServer(makeDatabase(d), [], {
    GRIDGOV_RATELIMIT_PER_MIN: '0', GRIDGOV_LOGIN_MAX_FAILURES: '2', GRIDGOV_LOGIN_LOCK_S: '100',
  });
  try {
    const attempt = (password) => postJson(`${s.url}/api/v1/auth/login`, null, { username: 'locked', password });
    assert.equal((await attempt('wrong-1')).status, 401);
    assert.equal((await attempt('wrong-2')).status, 401); // the second failure locks for 100 s
    const r = await attempt('test-password-1'); // even the right password waits
    assert.equal(r.status, 429);
    assert.equal(r.body.error.code, 'rate_limited');
    const secs = Number(r.headers.get('retry-after'));
    assert.ok(secs >= 98 && secs <= 100, `Retry-After ${secs}`);
    assert.match(r.body.error.message, new RegExp(`try again in ${secs} seconds`));
  } finally {
    await s.stop();
    removeDir(d);
  }
});
