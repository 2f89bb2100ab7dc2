// API tests of the foundation: health, errors, login/logout/me, sessions and CSRF, area
// scoping (a grid worker gets 403 on another grid), GeoJSON, locate, limits, static files,
// graceful shutdown. The real `gridgov serve` runs on a free 127.0.0.1 port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  tempDir, removeDir, makeDatabase, startServer, login, getJson, IS_PG, PASSWORD,
} from './helpers.mjs';

let dir;
let server;
let url;
let admin;

before(async () => {
  dir = tempDir();
  const db = makeDatabase(dir);
  server = await startServer(db);
  url = server.url;
  admin = await login(url, 'admin');
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

test('healthz answers ok with the backend', async () => {
  const r = await getJson(`${url}/healthz`);
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ok');
  assert.equal(r.body.backend, IS_PG ? 'postgresql' : 'sqlite');
  assert.ok(r.body.schema_version >= 1);
});

test('unknown endpoint and wrong method are JSON errors', async () => {
  let r = await getJson(`${url}/api/v1/nope`, admin.token);
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, 'not_found');
  assert.match(r.headers.get('content-type'), /application\/json/);
  const res = await fetch(`${url}/api/v1/me`, { method: 'DELETE', headers: { authorization: `Bearer ${admin.token}` } });
  assert.equal(res.status, 405);
  r = await res.json();
  assert.equal(r.error.code, 'method_not_allowed');
});

test('login answers a token, an expiry and an HttpOnly SameSite=Strict cookie', async () => {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'leader', password: PASSWORD }),
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.match(body.token, /^[A-Za-z0-9_-]{40,}$/);
  assert.match(body.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Date.parse(body.expires_at) > Date.now());
  assert.equal(body.user.role, 'leader');
  assert.equal(body.user.password_hash, undefined);
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /gridgov_session=/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
});

test('wrong password and unknown user get the same 401', async () => {
  for (const username of ['leader', 'nobody']) {
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'wrong-password' }),
    });
    assert.equal(res.status, 401);
    const body = await res.json();
    assert.equal(body.error.code, 'bad_credentials');
  }
});

test('bad request bodies get 400 naming the problem', async () => {
  const post = (body) => fetch(`${url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body,
  });
  let res = await post('{"username": ');
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, 'malformed_json');
  res = await post('{"username": 42, "password": "x"}');
  assert.equal(res.status, 400);
  let body = await res.json();
  assert.equal(body.error.code, 'invalid_argument');
  assert.match(body.error.message, /'username' must be a string/);
  res = await post('{"username": "a", "password": "b", "role": "admin"}');
  assert.equal(res.status, 400);
  assert.match((await res.json()).error.message, /unknown field 'role'/);
  res = await post('[]');
  assert.equal(res.status, 400);
  res = await post('');
  assert.equal(res.status, 400);
});

test('a body over the limit gets 413', async () => {
  const big = 'x'.repeat(2 * 1024 * 1024);
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: big, password: big }),
  });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, 'payload_too_large');
});

test('me needs a valid token', async () => {
  let r = await getJson(`${url}/api/v1/me`);
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, 'unauthorized');
  r = await getJson(`${url}/api/v1/me`, 'not-a-token');
  assert.equal(r.status, 401);
  r = await getJson(`${url}/api/v1/me`, admin.token);
  assert.equal(r.status, 200);
  assert.equal(r.body.username, 'admin');
  assert.equal(r.body.area_code, '440605');
  assert.equal(r.body.area_name, '南海区');
  assert.equal(r.body.csrf_token, admin.csrf_token);
});

test('areas: the admin sees the district and its children', async () => {
  let r = await getJson(`${url}/api/v1/areas`, admin.token);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.items.map((a) => a.code), ['440605']);
  assert.equal(r.body.items[0].children, 2);
  r = await getJson(`${url}/api/v1/areas?parent=440605`, admin.token);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.items.map((a) => a.code), ['440605001', '440605002']);
  assert.equal(r.body.items[0].name, '桂城街道');
  assert.equal(r.body.items[0].level_name, 'street');
  r = await getJson(`${url}/api/v1/areas/440605001001001`, admin.token);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.path.map((p) => p.code),
    ['440605', '440605001', '440605001001', '440605001001001']);
  assert.deepEqual(r.body.bbox, [113.0, 23.0, 113.1, 23.1]);
  r = await getJson(`${url}/api/v1/areas/440605009`, admin.token);
  assert.equal(r.status, 404);
  r = await getJson(`${url}/api/v1/areas/44060x`, admin.token);
  assert.equal(r.status, 400);
});

test('areas: a grid worker gets 403 on another grid and above their own', async () => {
  const w = await login(url, 'worker1');
  let r = await getJson(`${url}/api/v1/areas/440605001001001`, w.token);
  assert.equal(r.status, 200);
  r = await getJson(`${url}/api/v1/areas/440605001001001001`, w.token);
  assert.equal(r.status, 200);
  for (const other of ['440605001001002', '440605001001', '440605', '440605002']) {
    r = await getJson(`${url}/api/v1/areas/${other}`, w.token);
    assert.equal(r.status, 403, other);
    assert.equal(r.body.error.code, 'forbidden');
    r = await getJson(`${url}/api/v1/areas/${other}/geojson`, w.token);
    assert.equal(r.status, 403, other);
    r = await getJson(`${url}/api/v1/areas?parent=${other}`, w.token);
    assert.equal(r.status, 403, other);
  }
  r = await getJson(`${url}/api/v1/areas`, w.token);
  assert.deepEqual(r.body.items.map((a) => a.code), ['440605001001001']);
  // The other grid worker is the mirror image.
  const w2 = await login(url, 'worker2');
  r = await getJson(`${url}/api/v1/areas/440605001001001`, w2.token);
  assert.equal(r.status, 403);
});

test('areas: GeoJSON of children and of the area itself', async () => {
  let r = await getJson(`${url}/api/v1/areas/440605001/geojson?depth=1`, admin.token);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /geo\+json/);
  assert.equal(r.body.type, 'FeatureCollection');
  assert.deepEqual(r.body.features.map((f) => f.properties.code), ['440605001001', '440605001002']);
  assert.equal(r.body.features[0].geometry.type, 'Polygon');
  r = await getJson(`${url}/api/v1/areas/440605001/geojson?depth=0`, admin.token);
  assert.equal(r.body.features.length, 1);
  assert.equal(r.body.features[0].properties.name, '桂城街道');
  r = await getJson(`${url}/api/v1/areas/440605/geojson?depth=4`, admin.token);
  assert.deepEqual(r.body.features.map((f) => f.properties.code),
    ['440605001001001001', '440605001001001002']);
  r = await getJson(`${url}/api/v1/areas/440605/geojson?depth=x`, admin.token);
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /'depth'/);
});

test('locate: the deepest area and its path; errors for bad or outside points', async () => {
  let r = await getJson(`${url}/api/v1/locate?lon=113.07&lat=23.05`);
  assert.equal(r.status, 200);
  assert.equal(r.body.code, '440605001001001002');
  assert.equal(r.body.name, '2栋');
  assert.deepEqual(r.body.path.map((p) => p.code),
    ['440605', '440605001', '440605001001', '440605001001001', '440605001001001002']);
  r = await getJson(`${url}/api/v1/locate?lon=113.15&lat=23.15`);
  assert.equal(r.body.code, '440605001002');
  r = await getJson(`${url}/api/v1/locate?lon=120&lat=30`);
  assert.equal(r.status, 404);
  r = await getJson(`${url}/api/v1/locate?lon=113.1&lat=95`);
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /'lat'/);
  r = await getJson(`${url}/api/v1/locate?lon=abc&lat=23`);
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /'lon'/);
  r = await getJson(`${url}/api/v1/locate?lat=23`);
  assert.equal(r.status, 400);
});

test('cookie sessions: state changes need the CSRF token; logout ends the session', async () => {
  const l = await login(url, 'leader');
  const cookie = `gridgov_session=${l.token}`;
  let res = await fetch(`${url}/api/v1/me`, { headers: { cookie } });
  assert.equal(res.status, 200);
  res = await fetch(`${url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } });
  assert.equal(res.status, 403);
  assert.equal((await res.json()).error.code, 'csrf_failed');
  res = await fetch(`${url}/api/v1/auth/logout`, {
    method: 'POST', headers: { cookie, 'x-csrf-token': 'f'.repeat(64) },
  });
  assert.equal(res.status, 403);
  res = await fetch(`${url}/api/v1/auth/logout`, {
    method: 'POST', headers: { cookie, 'x-csrf-token': l.csrf_token },
  });
  assert.equal(res.status, 204);
  assert.match(res.headers.get('set-cookie'), /Max-Age=0/);
  res = await fetch(`${url}/api/v1/me`, { headers: { cookie } });
  assert.equal(res.status, 401);
  const r = await getJson(`${url}/api/v1/me`, l.token);
  assert.equal(r.status, 401);
});

test('bearer logout needs no CSRF token and invalidates the token', async () => {
  const l = await login(url, 'leader');
  const res = await fetch(`${url}/api/v1/auth/logout`, {
    method: 'POST', headers: { authorization: `Bearer ${l.token}` },
  });
  assert.equal(res.status, 204);
  const r = await getJson(`${url}/api/v1/me`, l.token);
  assert.equal(r.status, 401);
});

test('repeated failed logins lock the account (429) even for the right password', async () => {
  const post = (password) => fetch(`${url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'locked', password }),
  });
  for (let i = 0; i < 5; i++) assert.equal((await post('wrong-password')).status, 401);
  const res = await post(PASSWORD);
  assert.equal(res.status, 429);
  assert.ok(res.headers.get('retry-after'));
  assert.equal((await res.json()).error.code, 'rate_limited');
});

test('users: admins create users inside their subtree only', async () => {
  const create = (token, body) => fetch(`${url}/api/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  let res = await create(admin.token, {
    username: 'worker3', password: PASSWORD, role: 'grid_worker', area_code: '440605001002',
  });
  assert.equal(res.status, 201);
  const u = await res.json();
  assert.equal(u.role, 'grid_worker');
  res = await create(admin.token, {
    username: 'worker3', password: PASSWORD, role: 'grid_worker', area_code: '440605001002',
  });
  assert.equal(res.status, 409);
  res = await create(admin.token, {
    username: 'x1', password: PASSWORD, role: 'wizard', area_code: '440605',
  });
  assert.equal(res.status, 400);
  res = await create(admin.token, {
    username: 'x2', password: PASSWORD, role: 'admin', area_code: '440606',
  });
  assert.equal(res.status, 403);
  const w = await login(url, 'worker1');
  res = await create(w.token, {
    username: 'x3', password: PASSWORD, role: 'resident', area_code: '440605001001001',
  });
  assert.equal(res.status, 403);
  const list = await getJson(`${url}/api/v1/users`, admin.token);
  assert.equal(list.status, 200);
  assert.ok(list.body.items.some((x) => x.username === 'worker3'));
  assert.ok(list.body.items.every((x) => x.password_hash === undefined));
  assert.equal((await getJson(`${url}/api/v1/users`, w.token)).status, 403);
});

test('static files: index, MIME types, no path traversal', async () => {
  let res = await fetch(`${url}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/html/);
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  res = await fetch(`${url}/app.js`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /javascript/);
  res = await fetch(`${url}/vendor/leaflet/leaflet.js`);
  assert.equal(res.status, 200);
  for (const path of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/.git/config',
    '/vendor/../../meson.build', '/missing.js']) {
    const raw = await rawGet(path);
    assert.match(raw, /^HTTP\/1\.1 404/, path);
  }
});

// fetch normalises "..", so send the request line as written.
function rawGet(path) {
  return new Promise((resolve, reject) => {
    const s = net.connect(server.port, '127.0.0.1', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
}

test('keep-alive: several requests on one connection', async () => {
  const raw = await new Promise((resolve, reject) => {
    const s = net.connect(server.port, '127.0.0.1', () => {
      s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
  assert.equal(raw.match(/HTTP\/1\.1 200/g)?.length, 2);
});

test('metrics in the Prometheus text format: requests and latency per route, cases, outbox', async () => {
  await getJson(`${url}/healthz`);
  await getJson(`${url}/api/v1/nope`, admin.token);
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  assert.match(text, /^gridgov_http_requests_total\{route="GET \/healthz",code="2xx"\} [1-9]\d*$/m);
  assert.match(text, /^gridgov_http_requests_total\{route="other",code="4xx"\} [1-9]\d*$/m);
  assert.match(text, /^gridgov_http_request_duration_seconds_bucket\{route="GET \/healthz",le="\+Inf"\} [1-9]\d*$/m);
  assert.match(text, /^gridgov_http_request_duration_seconds_count\{route="GET \/healthz"\} [1-9]\d*$/m);
  assert.match(text, /^# TYPE gridgov_cases gauge$/m);
  assert.match(text, /^gridgov_cases_overdue \d+$/m);
  assert.match(text, /^gridgov_outbox_backlog \d+$/m);
  assert.match(text, /^gridgov_database_bytes [1-9]\d*$/m);
  assert.match(text, /^gridgov_sweep_duration_seconds [\d.]+$/m);
  // Every sample line is "name{labels} value" or "name value".
  for (const line of text.trim().split('\n')) {
    if (line.startsWith('#')) continue;
    assert.match(line, /^[a-z_]+(\{.*\})? [-+\d.e]+$/, line);
  }
});
