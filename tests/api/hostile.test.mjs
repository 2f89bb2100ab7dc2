// Hostile values in every parameter of every route, table-driven from the source: the route
// table of src/api/api.c gives every method and path; each handler's query parameters are read
// from its body in src/api/*.c (every literal key passed to an api_query*/query_*/param-style
// reader, following the static helpers it calls). Each path segment and each query parameter
// gets SQL injection, path traversal, NUL bytes, wildcards, huge and odd values, as an admin
// and as community staff (and anonymously on public routes). Every answer must be below 500,
// an /api error must be the JSON error shape, and nothing may leak: no file content, no SQL
// error text, no record of another district (fixtures hold markers there).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  tempDir, removeDir, makeDatabase, startServer, login, postJson, mustGridgov, feature, rect,
  PASSWORD,
} from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const API_DIR = resolve(here, '../../src/api');

// [method, pattern, handler, isPublic] for every row of the route table.
function routeTable() {
  const src = readFileSync(join(API_DIR, 'api.c'), 'utf8');
  return [...src.matchAll(/\{"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)",\s*(\w+),\s*([^}]*)\}/g)]
    .map((m) => [m[1], m[2], m[3], /API_PUBLIC/.test(m[4])]);
}

// Function name -> body, for every top-level function of src/api/*.c (STYLE.md layout:
// the signature, then "{" and "}" alone on their lines).
function functionBodies() {
  const fns = new Map();
  for (const f of readdirSync(API_DIR).filter((n) => n.endsWith('.c'))) {
    const text = readFileSync(join(API_DIR, f), 'utf8');
    for (const m of text.matchAll(/^[a-z][\w *]*?\b(\w+)\(([^;{]*?)\)\n\{\n([\s\S]*?)\n\}$/gm)) {
      fns.set(m[1], m[3]);
    }
  }
  return fns;
}

// The query parameters a handler reads, through the helpers it calls.
function queryKeys(fns, name, seen = new Set()) {
  const keys = new Set();
  if (seen.has(name) || !fns.has(name)) return keys;
  seen.add(name);
  const body = fns.get(name);
  for (const m of body.matchAll(/\b\w*(?:query|param)\w*\s*\([^;]*?"([a-z_]+)"/g)) keys.add(m[1]);
  for (const m of body.matchAll(/\b(\w+)\s*\(/g)) for (const k of queryKeys(fns, m[1], seen)) keys.add(k);
  return keys;
}

const PAYLOADS = [
  "' OR 1=1--", "' OR '1'='1' --", '1; DROP TABLE cases;--', "440605' OR 'x'='x",
  '1 UNION SELECT password_hash FROM users--', '../../../../etc/passwd', '..%2f..%2fetc%2fpasswd',
  '..\\..\\windows\\win.ini', 'a\u0000b', '%00', '%', '-1', '9'.repeat(30), '1e999',
  'x'.repeat(3000), '😀', '\uFFFF', '<x>&amp;',
];
const OUTSIDE = 'OUTSIDE-DISTRICT-MARKER';
const LEAKS = [
  [/root:x:0:0/, 'the content of /etc/passwd'],
  [/sqlite|syntax error|no such (table|column)|SQL logic/i, 'a database error'],
  [new RegExp(OUTSIDE), 'a record of another district'],
  [/\$argon2|\$7\$/, 'a password hash'], // (the payloads name password_hash; errors may echo them)
];

let dir;
let server;
let url;
const tok = {};

before(async () => {
  dir = tempDir();
  const db = makeDatabase(dir);
  const other = join(dir, 'other.geojson');
  writeFileSync(other, JSON.stringify({
    type: 'FeatureCollection',
    features: [feature('440606', '顺德区', rect(113.5, 23.0, 113.7, 23.2), { level: 'district' })],
  }));
  mustGridgov('import', 'areas', other, '--db', db);
  for (const [name, role] of [['outsider', 'dispatcher'], ['outworker', 'grid_worker']]) {
    mustGridgov('user', 'add', '--db', db, '--username', name, '--password', PASSWORD,
      '--role', role, '--area', '440606');
  }
  server = await startServer(db);
  url = server.url;
  for (const n of ['admin', 'staff', 'outsider', 'outworker']) tok[n] = (await login(url, n)).token;
  // Records of the other district carry the marker; nobody of 440605 may ever see it.
  let r = await postJson(`${url}/api/v1/cases`, tok.outsider, {
    channel: 'phone', category: '0204', description: `${OUTSIDE} case`, area_code: '440606',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await postJson(`${url}/api/v1/households`, tok.outworker, {
    area_code: '440606', household_no: `${OUTSIDE}-HH`, kind: '户籍家庭', address: `${OUTSIDE} road 1`,
    head_name: `${OUTSIDE}`,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

async function send(method, path, name) {
  const headers = {};
  if (name) headers.authorization = `Bearer ${tok[name]}`;
  let body;
  if (method !== 'GET' && method !== 'DELETE') {
    headers['content-type'] = 'application/json';
    body = '{}';
  }
  const res = await fetch(`${url}${path}`, { method, headers, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

function check(r, label) {
  assert.ok(r.status < 500, `${label}: ${r.status} ${r.text.slice(0, 200)}`);
  for (const [re, what] of LEAKS) assert.ok(!re.test(r.text), `${label} answered ${what}`);
  if (r.status >= 400 && label.includes(' /api/')) {
    let parsed = null;
    try { parsed = JSON.parse(r.text); } catch { /* checked below */ }
    assert.ok(parsed?.error?.code, `${label}: ${r.status} without a JSON error: ${r.text.slice(0, 120)}`);
  }
}

const callersOf = (isPublic) => (isPublic ? ['admin', 'staff', undefined] : ['admin', 'staff']);
// A benign value for each path parameter, so that hostile values go into one segment at a time.
const BENIGN = { id: '1', code: '440605001001', number: 'GG000000000', hash: 'a'.repeat(64), file: 'requests.json' };

test('the route table and every handler are found, with their query parameters', () => {
  const routes = routeTable();
  const fns = functionBodies();
  assert.ok(routes.length >= 100, `found ${routes.length} routes`);
  for (const [m, p, h] of routes) assert.ok(fns.has(h), `${m} ${p}: handler ${h} not found in src/api`);
  const keysOf = (p) => queryKeys(fns, routes.find((r) => r[1] === p && r[0] === 'GET')[2]);
  // Spot checks that the reader works (these parameters are documented in README.md).
  for (const k of ['area', 'status', 'category', 'q', 'cursor', 'limit']) assert.ok(keysOf('/api/v1/cases').has(k), k);
  for (const k of ['area', 'from', 'to', 'by', 'format']) assert.ok(keysOf('/api/v1/stats/indicators').has(k), k);
  for (const k of ['service_code', 'start_date', 'page_size']) assert.ok(keysOf('/open311/v2/{file}').has(k), k);
  const total = routes.reduce((n, [, , h]) => n + queryKeys(fns, h).size, 0);
  assert.ok(total >= 150, `only ${total} route x parameter pairs found`);
});

test('hostile values in every path segment of every route: 4xx or nothing, never 5xx or a leak', async () => {
  let sent = 0;
  for (const [method, pattern, , isPublic] of routeTable()) {
    const params = [...pattern.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const target of params) {
      for (const p of PAYLOADS) {
        const path = pattern.replace(/\{(\w+)\}/g, (_, name) => (name === target ? encodeURIComponent(p) : BENIGN[name]));
        for (const n of callersOf(isPublic)) {
          const r = await send(method, path, n);
          check(r, `${n ?? 'anonymous'} ${method} ${path.slice(0, 120)}`);
          sent++;
        }
      }
    }
  }
  assert.ok(sent > 1000, `only ${sent} requests`);
});

test('hostile values in every query parameter of every route: never 5xx or a leak', async () => {
  const fns = functionBodies();
  let sent = 0;
  for (const [method, pattern, handler, isPublic] of routeTable()) {
    if (pattern === '/api/v1/auth/logout') continue; // would end the callers' sessions
    const base = pattern.replace(/\{(\w+)\}/g, (_, name) => BENIGN[name]);
    for (const k of queryKeys(fns, handler)) {
      for (const p of PAYLOADS) {
        const path = `${base}?${k}=${encodeURIComponent(p)}`;
        for (const n of callersOf(isPublic)) {
          const r = await send(method, path, n);
          check(r, `${n ?? 'anonymous'} ${method} ${base}?${k}=${p.slice(0, 40)}`);
          sent++;
        }
      }
    }
  }
  assert.ok(sent > 5000, `only ${sent} requests`);
  // The callers' sessions and the server are unharmed.
  for (const n of ['admin', 'staff']) assert.equal((await send('GET', '/api/v1/me', n)).status, 200);
});
