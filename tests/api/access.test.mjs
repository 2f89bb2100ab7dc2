// The access matrix: every route in src/api/api.c × every role of makeDatabase (plus a user of
// another district, plus anonymous) × records inside and outside the caller's scope, checked
// against the rule in SPEC section 12 (role capability + area subtree; residents see their own
// reports; department handlers their department's). Lists must never carry a record the caller
// may not see. Then hostile input on every parameter (SQL injection, path traversal, NUL bytes,
// over-long values): answers are 4xx JSON errors or empty results, never 500, never data from
// outside the scope; static files never come from outside the web root. Finally sessions:
// they expire, and logout ends them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  tempDir, removeDir, makeDatabase, startServer, login, getJson, postJson, mustGridgov,
  feature, rect, PASSWORD,
} from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));

// The users of makeDatabase (tests/api/helpers.mjs), plus `outsider`, a dispatcher of another
// district, so that "outside the scope" exists for the users at the top of the tree.
const USERS = {
  admin: { role: 'admin', scope: '440605' },
  leader: { role: 'leader', scope: '440605' },
  worker1: { role: 'grid_worker', scope: '440605001001001' },
  worker2: { role: 'grid_worker', scope: '440605001001002' },
  resident: { role: 'resident', scope: '440605001001' },
  staff: { role: 'community_staff', scope: '440605001001' },
  dispatcher: { role: 'dispatcher', scope: '440605' },
  handler: { role: 'department_handler', scope: '440605', dept: 'urban_management' },
  waterman: { role: 'department_handler', scope: '440605', dept: 'water_affairs' },
  resident2: { role: 'resident', scope: '440605001001' },
  outsider: { role: 'dispatcher', scope: '440606' },
};
const NAMES = Object.keys(USERS);
const CASE_READERS = new Set(['grid_worker', 'community_staff', 'station_cadre', 'dispatcher',
  'department_handler', 'mediator', 'leader', 'admin']);

let dir;
let server;
let url;
let port;
const tok = {};
const ids = {}; // user name -> user id
const fx = {}; // fixture cases by name: { id, number, area_code, department, reporter, hash }

const inSubtree = (code, root) => code === root || (code.startsWith(root) && code.length > root.length);

// May `name` (undefined = anonymous) see case c? The rule of cases_can_see, restated.
function canSee(name, c) {
  if (!name) return false;
  const u = USERS[name];
  if (u.role === 'resident') return c.reporter === name;
  if (!CASE_READERS.has(u.role) || !inSubtree(c.area_code, u.scope)) return false;
  if (u.role === 'department_handler') return c.department === u.dept;
  return true;
}

const get = (path, name) => getJson(`${url}${path}`, name ? tok[name] : undefined);
const post = (path, name, body) => postJson(`${url}${path}`, name ? tok[name] : undefined, body);

async function upload(name, bytes) {
  const res = await fetch(`${url}/api/v1/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tok[name]}`, 'content-type': 'image/png' },
    body: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(bytes)]),
  });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body.hash;
}

async function report(name, body, reporter) {
  const r = await post('/api/v1/cases', name, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id, number: r.body.number, area_code: r.body.area_code, reporter };
}

before(async () => {
  dir = tempDir();
  const db = makeDatabase(dir);
  const other = `${dir}/other.geojson`;
  writeFileSync(other, JSON.stringify({
    type: 'FeatureCollection',
    features: [feature('440606', '顺德区', rect(113.5, 23.0, 113.7, 23.2), { level: 'district' })],
  }));
  mustGridgov('import', 'areas', other, '--db', db);
  mustGridgov('user', 'add', '--db', db, '--username', 'outsider', '--password', PASSWORD,
    '--role', 'dispatcher', '--area', '440606');
  server = await startServer(db);
  url = server.url;
  port = server.port;
  for (const n of NAMES) {
    const l = await login(url, n);
    tok[n] = l.token;
    ids[n] = l.user.id;
  }
  // Fixtures in two subtrees of 440605 and in the other district, each with an attachment.
  const hashA = await upload('resident', 'case A photo');
  fx.A = await report('resident', {
    channel: 'web', category: '0204', description: '路灯不亮 fixture A', area_code: '440605001001001',
    attachments: [hashA],
  }, 'resident');
  fx.A.hash = hashA;
  // Dispatched to urban_management, so its handler sees it and the water handler does not.
  let r = await post(`/api/v1/cases/${fx.A.id}/actions`, 'dispatcher', { action: 'accept' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await post(`/api/v1/cases/${fx.A.id}/actions`, 'dispatcher', { action: 'dispatch', department: 'urban_management' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  fx.A.department = r.body.department;
  assert.equal(fx.A.department, 'urban_management');

  const hashB = await upload('dispatcher', 'case B photo');
  fx.B = await report('dispatcher', {
    channel: 'phone', category: '0204', description: '井盖缺失 fixture B', area_code: '440605001002',
    attachments: [hashB],
  });
  fx.B.hash = hashB;
  fx.B.department = null;

  const hashC = await upload('outsider', 'case C photo');
  fx.C = await report('outsider', {
    channel: 'phone', category: '0204', description: '道路破损 fixture C', area_code: '440606',
    attachments: [hashC],
  });
  fx.C.hash = hashC;
  fx.C.department = null;
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

const FIXTURES = () => [fx.A, fx.B, fx.C];
const CALLERS = [...NAMES, undefined];
const who = (n) => n ?? 'anonymous';

// The route table as data: [method, pattern, isPublic] for every row of src/api/api.c.
function routeTable() {
  const src = readFileSync(resolve(here, '../../src/api/api.c'), 'utf8');
  return [...src.matchAll(/\{"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)",\s*\w+,\s*([^}]*)\}/g)]
    .map((m) => [m[1], m[2], /API_PUBLIC/.test(m[3])]);
}

// Routes whose scope rules the tests below check one by one; every other route still gets
// the generic walk (no 5xx for anyone, 401 for anonymous callers unless public, no case
// leaked to a caller who may not see it).
const COVERED = new Set([
  'GET /healthz', 'GET /metrics', 'POST /api/v1/auth/login', 'POST /api/v1/auth/logout',
  'GET /api/v1/me', 'GET /api/v1/users', 'POST /api/v1/users', 'GET /api/v1/areas',
  'GET /api/v1/areas/{code}', 'GET /api/v1/areas/{code}/geojson', 'GET /api/v1/locate',
  'POST /api/v1/cases', 'GET /api/v1/cases', 'GET /api/v1/cases/{id}',
  'POST /api/v1/cases/{id}/actions', 'GET /api/v1/cases/{id}/events',
  'POST /api/v1/attachments', 'GET /api/v1/attachments/{hash}', 'GET /api/v1/categories',
  'GET /api/v1/departments', 'GET /api/v1/track/{number}',
]);

test('the route table is read whole, and the routes with their own checks are in it', () => {
  const routes = routeTable().map(([m, p]) => `${m} ${p}`);
  assert.ok(routes.length >= 21, `found ${routes.length} routes`);
  for (const r of COVERED) assert.ok(routes.includes(r), `${r} is no longer a route`);
  const generic = routes.filter((r) => !COVERED.has(r));
  if (generic.length) console.log(`# routes checked by the generic walk only: ${generic.join(', ')}`);
});

// A concrete path for a pattern: {id}/{number}/{hash}/{code} filled with a record of fixture
// case `c` (so the walk touches real data the caller may or may not see).
function concrete(pattern, c) {
  return pattern.replace(/\{(\w+)\}/g, (_, name) => {
    if (name === 'code') return c.area_code;
    if (name === 'number') return c.number;
    if (name === 'hash') return c.hash;
    return String(c.id);
  });
}

test('the generic walk: every route x every caller x every fixture case', async () => {
  const markers = { A: 'fixture A', B: 'fixture B', C: 'fixture C' };
  for (const [method, pattern, isPublic] of routeTable()) {
    if (pattern === '/api/v1/auth/logout') continue; // ends sessions: checked on its own below
    // Disabling a user (fixture ids are user ids too) ends that caller's sessions for the rest of
    // the walk: its access rules are checked in users.test.mjs.
    if (pattern === '/api/v1/users/{id}/disable') continue;
    for (const n of CALLERS) {
      for (const key of ['A', 'B', 'C']) {
        const c = fx[key];
        const path = concrete(pattern, c);
        const headers = { 'content-type': 'application/json' };
        if (n) headers.authorization = `Bearer ${tok[n]}`;
        const res = await fetch(`${url}${path}`, { method, headers, body: method === 'GET' || method === 'DELETE' ? undefined : '{}' });
        const text = await res.text();
        const label = `${who(n)} ${method} ${path}`;
        assert.ok(res.status < 500, `${label}: ${res.status} ${text.slice(0, 200)}`);
        if (!n && !isPublic) assert.equal(res.status, 401, label);
        for (const [k, marker] of Object.entries(markers)) {
          if (canSee(n, fx[k])) continue;
          assert.ok(!text.includes(marker), `${label} leaked case ${k}`);
          assert.ok(!text.includes(`case ${k} photo`), `${label} leaked case ${k}'s attachment`);
        }
        if (!pattern.includes('{')) break; // the same request for every fixture
      }
    }
  }
});

test('public routes answer everyone, private ones 401 without a session', async () => {
  for (const n of CALLERS) {
    for (const p of ['/healthz', '/metrics', '/api/v1/categories', '/api/v1/departments',
      '/api/v1/locate?lon=113.07&lat=23.05', `/api/v1/track/${fx.A.number}`]) {
      const r = await get(p, n);
      assert.equal(r.status, 200, `${who(n)} GET ${p}: ${r.status}`);
    }
  }
  for (const p of ['/api/v1/me', '/api/v1/users', '/api/v1/areas', '/api/v1/areas/440605',
    '/api/v1/areas/440605/geojson', '/api/v1/cases', `/api/v1/cases/${fx.A.id}`,
    `/api/v1/cases/${fx.A.id}/events`, `/api/v1/attachments/${fx.A.hash}`]) {
    const r = await get(p, undefined);
    assert.equal(r.status, 401, `anonymous GET ${p}: ${r.status}`);
    assert.equal(r.body.error.code, 'unauthorized');
  }
  for (const [p, body] of [['/api/v1/auth/logout', {}], ['/api/v1/users', {}],
    [`/api/v1/cases/${fx.A.id}/actions`, { action: 'comment', text: 'x' }]]) {
    const r = await post(p, undefined, body);
    assert.equal(r.status, 401, `anonymous POST ${p}: ${r.status}`);
  }
  const res = await fetch(`${url}/api/v1/attachments`, { method: 'POST', body: 'x' });
  assert.equal(res.status, 401);
  // The tracking page shows nothing personal or internal.
  const t = await get(`/api/v1/track/${fx.A.number}`);
  assert.ok(!JSON.stringify(t.body).includes('fixture A'));
});

test('one case, its history, its attachments and acting on it: inside scope or not at all', async () => {
  for (const n of CALLERS) {
    for (const c of FIXTURES()) {
      const ok = canSee(n, c);
      const label = `${who(n)} on case ${c.area_code}`;
      for (const p of [`/api/v1/cases/${c.id}`, `/api/v1/cases/${c.number}`,
        `/api/v1/cases/${c.id}/events`, `/api/v1/attachments/${c.hash}`]) {
        const r = await get(p, n);
        const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
        if (!n) {
          assert.equal(r.status, 401, `${label} GET ${p}`);
        } else if (ok) {
          assert.equal(r.status, 200, `${label} GET ${p}: ${text}`);
        } else {
          assert.ok(r.status === 403 || r.status === 404, `${label} GET ${p}: ${r.status} ${text}`);
          assert.ok(r.body.error, `${label} GET ${p}: not a JSON error`);
          assert.ok(!text.includes('fixture'), `${label} GET ${p} leaked the case`);
        }
      }
      const r = await post(`/api/v1/cases/${c.id}/actions`, n, { action: 'comment', text: `note by ${who(n)}` });
      if (!n) assert.equal(r.status, 401, label);
      else if (ok) assert.ok([200, 403, 409].includes(r.status) && !/outside/.test(r.body.error?.message ?? ''), `${label} comment: ${r.status} ${JSON.stringify(r.body)}`);
      else assert.ok(r.status === 403 || r.status === 404, `${label} comment: ${r.status}`);
    }
  }
  // Comments by callers who may not see the case left no trace in its history.
  const ev = await get(`/api/v1/cases/${fx.C.id}/events`, 'outsider');
  for (const e of ev.body.items) {
    if (e.action === 'comment') assert.equal(e.payload.text, 'note by outsider');
  }
});

test('case lists never carry a case the caller may not see, and carry those they may', async () => {
  for (const n of NAMES) {
    const r = await get('/api/v1/cases?limit=200', n);
    if (!CASE_READERS.has(USERS[n].role) && USERS[n].role !== 'resident') {
      assert.equal(r.status, 403, n);
      continue;
    }
    assert.equal(r.status, 200, `${n}: ${JSON.stringify(r.body)}`);
    for (const item of r.body.items) {
      const c = FIXTURES().find((f) => f.id === item.id) ?? { ...item, reporter: undefined };
      assert.ok(canSee(n, { ...c, department: item.department }), `${n} listed case ${item.number} in ${item.area_code}`);
    }
    for (const c of FIXTURES()) {
      assert.equal(r.body.items.some((i) => i.id === c.id), canSee(n, c), `${n} and case ${c.area_code} in the list`);
    }
    // Filters never widen the scope: another subtree is 403, a subtree inside is a subset.
    for (const area of ['440605', '440605001002', '440606', '440605001001001']) {
      const f = await get(`/api/v1/cases?area=${area}`, n);
      if (USERS[n].role === 'resident') {
        assert.equal(f.status, 200);
        assert.ok(f.body.items.every((i) => FIXTURES().find((x) => x.id === i.id)?.reporter === n));
      } else if (inSubtree(area, USERS[n].scope)) {
        assert.equal(f.status, 200, `${n} area=${area}`);
        assert.ok(f.body.items.every((i) => inSubtree(i.area_code, area) && canSee(n, { ...i, reporter: undefined })));
      } else {
        assert.equal(f.status, 403, `${n} area=${area}: ${f.status}`);
        assert.equal(f.body.error.code, 'forbidden');
      }
    }
  }
});

test('areas: inside the scope 200, beside or above it 403', async () => {
  for (const n of NAMES) {
    const own = await get('/api/v1/areas', n);
    assert.equal(own.status, 200);
    assert.deepEqual(own.body.items.map((a) => a.code), [USERS[n].scope]);
    for (const code of ['440605', '440605001', '440605001001', '440605001001001', '440605001002', '440606']) {
      const expect = inSubtree(code, USERS[n].scope) ? 200 : 403;
      for (const p of [`/api/v1/areas/${code}`, `/api/v1/areas/${code}/geojson`, `/api/v1/areas?parent=${code}`]) {
        const r = await get(p, n);
        assert.equal(r.status, expect, `${n} GET ${p}`);
        if (expect === 200 && r.body.items) {
          assert.ok(r.body.items.every((a) => inSubtree(a.code, USERS[n].scope)));
        }
        if (expect === 200 && r.body.features) {
          assert.ok(r.body.features.every((f) => inSubtree(f.properties.code, USERS[n].scope)));
        }
      }
    }
  }
});

test('users: only admins list and create, and only inside their subtree', async () => {
  for (const n of NAMES) {
    const r = await get('/api/v1/users', n);
    if (USERS[n].role !== 'admin') {
      assert.equal(r.status, 403, n);
      continue;
    }
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length >= 10);
    assert.ok(r.body.items.every((u) => inSubtree(u.area_code, USERS[n].scope)));
    assert.ok(!r.body.items.some((u) => u.username === 'outsider'));
    assert.ok(!JSON.stringify(r.body).includes('password'));
  }
  let i = 0;
  for (const n of NAMES) {
    for (const area of ['440605001001', '440606']) {
      const r = await post('/api/v1/users', n, {
        username: `new${i++}`, password: 'another-password-1', role: 'resident', area_code: area,
      });
      const expect = USERS[n].role === 'admin' && inSubtree(area, USERS[n].scope) ? 201 : 403;
      assert.equal(r.status, expect, `${n} creates a user in ${area}: ${JSON.stringify(r.body)}`);
    }
  }
});

test('reporting: staff only inside their scope; residents and the public via public channels', async () => {
  const body = (area) => ({ channel: 'phone', category: '0204', description: 'matrix report', area_code: area });
  for (const n of NAMES) {
    for (const area of ['440605001001001', '440605001002', '440606']) {
      const r = await post('/api/v1/cases', n, body(area));
      const u = USERS[n];
      let expect;
      if (u.role === 'resident') expect = 403; // phone is not a resident's channel
      else if (u.role === 'department_handler') expect = 403; // may read, not report
      else expect = inSubtree(area, u.scope) ? 201 : 403;
      assert.equal(r.status, expect, `${n} reports in ${area}: ${JSON.stringify(r.body)}`);
    }
  }
  const anon = await post('/api/v1/cases', undefined, { ...body('440605001001001'), channel: 'web' });
  assert.equal(anon.status, 201);
  assert.equal(anon.body.reporter, undefined);
  const anonPhone = await post('/api/v1/cases', undefined, body('440605001001001'));
  assert.equal(anonPhone.status, 403);
});

// ---- hostile input ----

const PAYLOADS = [
  "' OR 1=1--", "' OR '1'='1", '" OR ""="', '1; DROP TABLE cases;--', "440605' OR 'x'='x",
  '../../etc/passwd', '..%2f..%2fetc%2fpasswd', '%2e%2e%2f%2e%2e%2f', '..\\..\\windows',
  'a\u0000b', '%00', '\u0000', '*', '%', '_', '\\', 'NULL', '-1', '0', '9'.repeat(30),
  'x'.repeat(5000), '<script>alert(1)</script>', '{"$ne":null}', '😀', '\uFFFF',
];

function assertSafe(r, label, name = 'staff') {
  assert.ok(r.status < 500, `${label}: ${r.status} ${JSON.stringify(r.body)}`);
  if (r.status >= 400) {
    assert.equal(typeof r.body, 'object', `${label}: not JSON`);
    assert.ok(r.body.error?.code, `${label}: not a JSON error`);
  }
  const text = JSON.stringify(r.body);
  assert.ok(!text.includes('root:x:'), `${label}: file content`);
  for (const c of FIXTURES()) {
    if (!canSee(name, c)) assert.ok(!text.includes(`fixture ${c === fx.A ? 'A' : c === fx.B ? 'B' : 'C'}`), `${label}: leaked a case`);
  }
}

test('hostile path parameters: 4xx JSON errors, never 500, never data', async () => {
  for (const p of PAYLOADS) {
    const e = encodeURIComponent(p);
    for (const path of [`/api/v1/cases/${e}`, `/api/v1/cases/${e}/events`, `/api/v1/areas/${e}`,
      `/api/v1/areas/${e}/geojson`, `/api/v1/attachments/${e}`, `/api/v1/track/${e}`]) {
      const r = await get(path, 'staff');
      assertSafe(r, `GET ${path}`);
      assert.ok(r.status >= 400, `GET ${path}: ${r.status}`);
    }
    const r = await post(`/api/v1/cases/${e}/actions`, 'staff', { action: 'comment', text: 'x' });
    assertSafe(r, `POST actions ${p}`);
    assert.ok(r.status >= 400);
  }
  // A NUL byte does not cut a parameter short: case A's id followed by %00 and junk is not A.
  for (const suffix of ['%00', '%00junk', '%00%2f..%2f1']) {
    for (const path of [`/api/v1/cases/${fx.A.id}${suffix}`, `/api/v1/track/${fx.A.number}${suffix}`,
      `/api/v1/attachments/${fx.A.hash}${suffix}`]) {
      const r = await get(path, 'dispatcher');
      assert.ok(r.status === 404 || r.status === 400, `GET ${path}: ${r.status}`);
      assert.ok(r.body.error, `GET ${path}`);
    }
  }
});

test('hostile query parameters: 400 or results inside the scope only', async () => {
  const keys = ['area', 'status', 'category', 'channel', 'q', 'cursor', 'limit', 'from', 'to',
    'overdue', 'supervised'];
  for (const p of PAYLOADS) {
    const e = encodeURIComponent(p);
    for (const k of keys) {
      const r = await get(`/api/v1/cases?${k}=${e}`, 'staff');
      assertSafe(r, `cases ${k}=${p}`);
      if (r.status === 200) {
        assert.ok(r.body.items.every((i) => canSee('staff', { ...i, reporter: undefined })), `cases ${k}=${p}`);
      }
    }
    // Full text search takes the text as a phrase: nothing matches these.
    const q = await get(`/api/v1/cases?q=${e}`, 'staff');
    if (q.status === 200) assert.ok(q.body.items.every((i) => i.description.includes(p)), `q=${p}`);
    for (const path of [`/api/v1/areas?parent=${e}`, `/api/v1/areas/440605001001/geojson?depth=${e}`,
      `/api/v1/locate?lon=${e}&lat=23.05`, `/api/v1/locate?lon=113.07&lat=${e}`]) {
      const r = await get(path, 'staff');
      assertSafe(r, `GET ${path}`);
      if (p !== '0') assert.ok(r.status >= 400, `GET ${path}: ${r.status}`); // depth=0 is valid
    }
    // A resident cannot widen their list with a hostile area either.
    const res = await get(`/api/v1/cases?area=${e}`, 'resident2');
    assertSafe(res, `resident2 area=${p}`, 'resident2');
  }
});

test('hostile JSON fields: 4xx, never 500', async () => {
  for (const p of PAYLOADS) {
    let r = await post('/api/v1/auth/login', undefined, { username: p, password: p });
    assertSafe(r, `login ${p}`);
    assert.ok(r.status === 400 || r.status === 401, `login ${p}: ${r.status}`);
    r = await post('/api/v1/auth/login', undefined, { username: 'admin', password: p });
    assert.ok(r.status === 400 || r.status === 401 || r.status === 429, `login admin/${p}: ${r.status}`);
    r = await post('/api/v1/cases', 'staff', { channel: 'phone', category: '0204', description: 'x', area_code: p });
    assertSafe(r, `report area_code ${p}`);
    assert.ok(r.status >= 400);
    r = await post('/api/v1/cases', 'staff', { channel: p, category: p, description: 'x', area_code: '440605001001' });
    assertSafe(r, `report channel ${p}`);
    assert.ok(r.status >= 400);
    r = await post('/api/v1/users', 'admin', { username: `u${p}`.slice(0, 40), password: 'another-password-1', role: p, area_code: '440605001' });
    assertSafe(r, `user role ${p}`, 'admin');
    assert.ok(r.status >= 400);
    r = await post('/api/v1/users', 'admin', { username: 'zz', password: 'another-password-1', role: 'resident', area_code: p });
    assertSafe(r, `user area ${p}`, 'admin');
    assert.ok(r.status >= 400);
    r = await post(`/api/v1/cases/${fx.A.id}/actions`, 'dispatcher', { action: p, text: p, department: p, merge_into: p });
    assertSafe(r, `action ${p}`, 'dispatcher');
    assert.ok(r.status >= 400);
  }
  // The admin account still works: the injection attempts did not lock or change it.
  const r = await post('/api/v1/auth/login', undefined, { username: 'admin', password: PASSWORD });
  assert.ok(r.status === 200 || r.status === 429);
  const h = await get('/healthz');
  assert.equal(h.status, 200);
});

// A raw GET of path (not normalised by a client library); resolves { status, text }.
function rawGet(path) {
  return new Promise((resolvePromise, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let data = '';
    s.on('data', (d) => { data += d.toString('latin1'); });
    s.on('end', () => {
      const m = data.match(/^HTTP\/1\.1 (\d+)/);
      resolvePromise({ status: m ? Number(m[1]) : 0, text: data });
    });
    s.on('error', reject);
    s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
}

test('static files never come from outside the web root', async () => {
  // build/web's parent holds build.ninja; the system holds /etc/passwd.
  const paths = [
    '/../../../../etc/passwd', '/..%2f..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/..%5c..%5c..%5cetc%5cpasswd',
    '/../build.ninja', '/%2e%2e/build.ninja', '/%2e%2e%2fbuild.ninja', '/.%2e/build.ninja',
    '/....//....//build.ninja', '/index.html%00/../../build.ninja', '/%00', '/index.html%00.png',
    '//etc/passwd', '/.%00./build.ninja', '/%252e%252e/build.ninja', '/web/../../build.ninja',
    '/.git/config', '/.env',
  ];
  for (const p of paths) {
    const r = await rawGet(p);
    assert.ok(r.status >= 200 && r.status < 500, `${p}: ${r.status}`);
    assert.ok(!r.text.includes('root:x:'), `${p} served /etc/passwd`);
    assert.ok(!r.text.includes('ninja_required_version'), `${p} served build.ninja`);
    assert.ok(!/\[core\]/.test(r.text), `${p} served a git config`);
  }
  // Same through the API prefix.
  for (const p of ['/api/v1/../../etc/passwd', '/api/%2e%2e/%2e%2e/etc/passwd', '/api/v1/cases/..%2f..%2f..%2fetc%2fpasswd']) {
    const r = await rawGet(p);
    assert.ok(r.status >= 400 && r.status < 500, `${p}: ${r.status}`);
    assert.ok(!r.text.includes('root:x:'));
  }
});

// ---- sessions ----

test('logout ends the session: the token and the cookie stop working', async () => {
  const l = await login(url, 'worker1');
  let r = await getJson(`${url}/api/v1/me`, l.token);
  assert.equal(r.status, 200);
  const cookie = `gridgov_session=${l.token}`;
  let res = await fetch(`${url}/api/v1/me`, { headers: { cookie } });
  assert.equal(res.status, 200);
  r = await postJson(`${url}/api/v1/auth/logout`, l.token, {});
  assert.equal(r.status, 204);
  r = await getJson(`${url}/api/v1/me`, l.token);
  assert.equal(r.status, 401);
  r = await getJson(`${url}/api/v1/cases`, l.token);
  assert.equal(r.status, 401);
  res = await fetch(`${url}/api/v1/me`, { headers: { cookie } });
  assert.equal(res.status, 401);
  // Logging out again with the dead token is 401, and other sessions of the user live on.
  r = await postJson(`${url}/api/v1/auth/logout`, l.token, {});
  assert.equal(r.status, 401);
  r = await getJson(`${url}/api/v1/me`, tok.worker1);
  assert.equal(r.status, 200);
});

test('sessions expire after session_ttl_s', async () => {
  const d = tempDir();
  const s = await startServer(makeDatabase(d), [], { GRIDGOV_SESSION_TTL_S: '2' });
  try {
    const l = await login(s.url, 'staff');
    assert.ok(Date.parse(l.expires_at) - Date.now() <= 2500);
    let r = await getJson(`${s.url}/api/v1/me`, l.token);
    assert.equal(r.status, 200);
    await new Promise((x) => setTimeout(x, 2600));
    r = await getJson(`${s.url}/api/v1/me`, l.token);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'unauthorized');
    const res = await fetch(`${s.url}/api/v1/cases`, { headers: { cookie: `gridgov_session=${l.token}` } });
    assert.equal(res.status, 401);
  } finally {
    await s.stop();
    removeDir(d);
  }
});
