// POST /api/v1/cases with an Idempotency-Key header (the web's offline queue): the same key
// from the same user gives the first case back (200, "replayed") instead of a second case,
// also when the copies race; keys are per user; malformed keys are refused; anonymous
// reports ignore the header.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, removeDir, makeDatabase, startServer, login, getJson } from './helpers.mjs';

let dir;
let server;
let url;
const tokens = {};

before(async () => {
  dir = tempDir();
  const db = makeDatabase(dir);
  server = await startServer(db);
  url = server.url;
  for (const u of ['worker1', 'worker2', 'staff']) tokens[u] = (await login(url, u)).token;
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

const body = (text) => ({ channel: 'patrol', category: '0204', description: text, lon: 113.07, lat: 23.05 });
const inArea = (text, area) => ({ channel: 'patrol', category: '0204', description: text, area_code: area });

async function report(token, key, b) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (key !== undefined) headers['idempotency-key'] = key;
  const res = await fetch(`${url}/api/v1/cases`, { method: 'POST', headers, body: JSON.stringify(b) });
  return { status: res.status, body: await res.json() };
}

async function countWith(token, text) {
  const r = await getJson(`${url}/api/v1/cases?limit=100`, token);
  assert.equal(r.status, 200);
  return r.body.items.filter((c) => c.description === text).length;
}

test('the same key gives the same case once', async () => {
  const key = 'offline-0001-abcdefgh';
  const text = '井盖缺失 idem-1';
  const first = await report(tokens.worker1, key, body(text));
  assert.equal(first.status, 201);
  assert.equal(first.body.replayed, undefined);
  const again = await report(tokens.worker1, key, body(text));
  assert.equal(again.status, 200);
  assert.equal(again.body.replayed, true);
  assert.equal(again.body.id, first.body.id);
  assert.equal(again.body.number, first.body.number);
  assert.equal(await countWith(tokens.worker1, text), 1);
  // A new key is a new report.
  const other = await report(tokens.worker1, 'offline-0002-abcdefgh', body(text));
  assert.equal(other.status, 201);
  assert.notEqual(other.body.id, first.body.id);
  assert.equal(await countWith(tokens.worker1, text), 2);
});

test('copies racing with one key make one case', async () => {
  const key = 'race-key-0123456789';
  const text = '路灯不亮 idem-race';
  const answers = await Promise.all(Array.from({ length: 8 }, () => report(tokens.worker1, key, body(text))));
  const ids = new Set(answers.map((a) => a.body.id));
  assert.equal(ids.size, 1, JSON.stringify(answers.map((a) => [a.status, a.body.id ?? a.body.error])));
  assert.equal(answers.filter((a) => a.status === 201).length, 1);
  assert.equal(answers.filter((a) => a.status === 200).length, 7);
  assert.equal(await countWith(tokens.worker1, text), 1);
});

test('keys are per user, checked, and ignored for anonymous reports', async () => {
  const key = 'shared-key-abcdefgh';
  const a = await report(tokens.worker1, key, inArea('idem-user-a', '440605001001001'));
  const b = await report(tokens.worker2, key, inArea('idem-user-b', '440605001001002'));
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.notEqual(a.body.id, b.body.id);
  for (const bad of ['short', 'has spaces in it 1234', 'x'.repeat(65), 'ünïcödé-key-1234567']) {
    const r = await report(tokens.worker1, bad, body('idem-bad'));
    assert.equal(r.status, 400, bad);
    assert.equal(r.body.error.code, 'invalid_argument');
  }
  const anon = { ...body('idem-anon'), channel: 'web', reporter_name: '张三', reporter_phone: '13800138000' };
  const x = await report(null, 'anon-key-abcdefghij', anon);
  const y = await report(null, 'anon-key-abcdefghij', anon);
  assert.equal(x.status, 201);
  assert.equal(y.status, 201);
  assert.notEqual(x.body.id, y.body.id);
});
