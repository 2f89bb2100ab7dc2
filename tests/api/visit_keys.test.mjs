// Household visits sent with an Idempotency-Key (issue 8: the grid worker's offline queue):
// a visit sent again with the same key is answered with the first visit (200, "replayed"),
// never stored twice, follow-up case included; concurrent sends make one visit; keys are per
// user; a malformed key is refused; a refused visit does not use up its key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, removeDir, makeDatabase, startServer, login } from './helpers.mjs';

const CELL1 = '440605001001001001';

let dir;
let server;
const tokens = {};
let household;

async function req(method, path, token, body, headers = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined) h['content-type'] = 'application/json';
  const res = await fetch(`${server.url}${path}`, {
    method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: parsed };
}

async function visitsOf(id) {
  const r = await req('GET', `/api/v1/visits?household_id=${id}&limit=1000`, tokens.worker1);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items;
}

before(async () => {
  dir = tempDir();
  const db = makeDatabase(dir);
  server = await startServer(db);
  for (const u of ['worker1', 'staff']) tokens[u] = (await login(server.url, u)).token;
  const h = await req('POST', '/api/v1/households', tokens.worker1,
    { area_code: CELL1, kind: 'registered_family', address: '南桂东路8号' });
  assert.equal(h.status, 201, JSON.stringify(h.body));
  household = h.body.id;
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

test('the same key twice: one visit and one follow-up case, the second answer replays the first', async () => {
  const key = 'v-0123456789abcdef0123';
  const body = {
    household_id: household, findings: '屋顶漏水',
    follow_up_case: { category: '0101', description: '屋顶漏水需维修' },
  };
  const first = await req('POST', '/api/v1/visits', tokens.worker1, body, { 'Idempotency-Key': key });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.replayed, undefined);
  const again = await req('POST', '/api/v1/visits', tokens.worker1, body, { 'Idempotency-Key': key });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.replayed, true);
  assert.equal(again.body.id, first.body.id);
  assert.equal(again.body.follow_up_case.id, first.body.follow_up_case.id);
  assert.equal(again.body.follow_up_case.number, first.body.follow_up_case.number);
  assert.equal((await visitsOf(household)).length, 1);
  const cases = await req('GET', '/api/v1/cases?limit=100', tokens.worker1);
  assert.equal(cases.body.items.filter((c) => c.channel === 'visit').length, 1);

  // Without a key, or with another, a second visit is a second visit.
  const other = await req('POST', '/api/v1/visits', tokens.worker1,
    { household_id: household, findings: '复查' }, { 'Idempotency-Key': 'v-ffffffffffffffff0000' });
  assert.equal(other.status, 201);
  assert.notEqual(other.body.id, first.body.id);
  assert.equal((await visitsOf(household)).length, 2);
});

test('concurrent sends with one key make one visit', async () => {
  const key = 'v-race-race-race-race-1';
  const body = { household_id: household, findings: '并发' };
  const all = await Promise.all(Array.from({ length: 6 }, () =>
    req('POST', '/api/v1/visits', tokens.worker1, body, { 'Idempotency-Key': key })));
  for (const r of all) assert.ok(r.status === 201 || r.status === 200, JSON.stringify(r.body));
  assert.equal(new Set(all.map((r) => r.body.id)).size, 1);
  assert.equal(all.filter((r) => r.status === 201).length, 1);
  assert.equal((await visitsOf(household)).filter((v) => v.findings === '并发').length, 1);
});

test('keys are per user; malformed keys are refused; a refused visit leaves its key unused', async () => {
  const key = 'v-shared-key-000000001';
  const a = await req('POST', '/api/v1/visits', tokens.worker1,
    { household_id: household, findings: 'A' }, { 'Idempotency-Key': key });
  assert.equal(a.status, 201);
  const b = await req('POST', '/api/v1/visits', tokens.staff,
    { household_id: household, findings: 'B' }, { 'Idempotency-Key': key });
  assert.equal(b.status, 201, JSON.stringify(b.body));
  assert.notEqual(b.body.id, a.body.id);

  for (const bad of ['short', 'x'.repeat(65), 'has space in it 0000', 'ünïcödé-0000000000']) {
    const r = await req('POST', '/api/v1/visits', tokens.worker1,
      { household_id: household, findings: 'bad key' }, { 'Idempotency-Key': bad });
    assert.equal(r.status, 400, bad);
    assert.match(r.body.error.message, /Idempotency-Key/);
  }
  assert.equal((await visitsOf(household)).filter((v) => v.findings === 'bad key').length, 0);

  const k2 = 'v-refused-first-000001';
  const refused = await req('POST', '/api/v1/visits', tokens.worker1,
    { household_id: 999999, findings: 'nobody' }, { 'Idempotency-Key': k2 });
  assert.equal(refused.status, 404);
  const ok = await req('POST', '/api/v1/visits', tokens.worker1,
    { household_id: household, findings: 'after refusal' }, { 'Idempotency-Key': k2 });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
});
