// User administration over HTTP (issue 8): listing and creating users, disabling and enabling
// an account (its sessions end, it cannot log in), resetting a password; admin only, within the
// admin's subtree; 401 anonymous, 403 for other roles; bad input answered 400 with a message;
// every change written to the server log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  tempDir, removeDir, makeDatabase, startServer, login, mustGridgov, PASSWORD,
} from './helpers.mjs';

let dir;
let db;
let server;
const tokens = {};
const ids = {};

async function req(method, path, token, body) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.url}${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: parsed };
}

async function tryLogin(username, password = PASSWORD) {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, body: await res.json() };
}

before(async () => {
  dir = tempDir();
  db = makeDatabase(dir);
  // An admin of one street only: may not touch users elsewhere.
  mustGridgov('user', 'add', '--db', db, '--username', 'streetadmin', '--password', PASSWORD,
    '--role', 'admin', '--area', '440605002');
  server = await startServer(db, [], { GRIDGOV_LOG_LEVEL: 'info' });
  for (const u of ['admin', 'leader', 'worker1', 'worker2', 'dispatcher', 'resident', 'streetadmin']) {
    tokens[u] = (await login(server.url, u)).token;
  }
  let cursor = null;
  do {
    const r = await req('GET', `/api/v1/users?limit=3${cursor ? '&cursor=' + cursor : ''}`, tokens.admin);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    for (const u of r.body.items) ids[u.username] = u.id;
    cursor = r.body.next_cursor;
  } while (cursor);
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

test('the user list is paged, carries the disabled flag and is for admins only', async () => {
  const p1 = await req('GET', '/api/v1/users?limit=2', tokens.admin);
  assert.equal(p1.status, 200);
  assert.equal(p1.body.items.length, 2);
  assert.equal(typeof p1.body.next_cursor, 'string');
  assert.equal(p1.body.items[0].disabled, false);
  const p2 = await req('GET', `/api/v1/users?limit=2&cursor=${p1.body.next_cursor}`, tokens.admin);
  assert.equal(p2.status, 200);
  assert.ok(p2.body.items[0].username > p1.body.items[1].username);
  assert.ok(Object.keys(ids).length >= 12);
  assert.equal((await req('GET', '/api/v1/users', tokens.leader)).status, 403);
  assert.equal((await req('GET', '/api/v1/users', null)).status, 401);
});

test('disable and enable: admin only, 401 anonymous, 403 other roles, 404 unknown or out of scope', async () => {
  const id = ids.worker2;
  for (const who of ['leader', 'worker1', 'dispatcher', 'resident']) {
    for (const action of ['disable', 'enable']) {
      const r = await req('POST', `/api/v1/users/${id}/${action}`, tokens[who]);
      assert.equal(r.status, 403, `${who} ${action}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'forbidden');
    }
    const pw = await req('POST', `/api/v1/users/${id}/password`, tokens[who], { password: 'another-password-9' });
    assert.equal(pw.status, 403);
  }
  for (const action of ['disable', 'enable']) {
    assert.equal((await req('POST', `/api/v1/users/${id}/${action}`, null)).status, 401);
  }
  assert.equal((await req('POST', `/api/v1/users/${id}/password`, null, { password: 'another-password-9' })).status, 401);
  assert.equal((await req('POST', '/api/v1/users/999999/disable', tokens.admin)).status, 404);
  assert.equal((await req('POST', '/api/v1/users/abc/disable', tokens.admin)).status, 404);
  assert.equal((await req('POST', '/api/v1/users/0/enable', tokens.admin)).status, 404);
  // The street admin may not reach a user of another street (answered as not found).
  const out = await req('POST', `/api/v1/users/${id}/disable`, tokens.streetadmin);
  assert.equal(out.status, 404);
  // Nothing changed by any of these.
  const still = await tryLogin('worker2');
  assert.equal(still.status, 200);
});

test('a disabled user loses their sessions and cannot log in; enabled again, they can', async () => {
  const id = ids.worker1;
  const session = tokens.worker1;
  assert.equal((await req('GET', '/api/v1/me', session)).status, 200);
  const r = await req('POST', `/api/v1/users/${id}/disable`, tokens.admin);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.disabled, true);
  assert.equal(r.body.username, 'worker1');
  assert.equal(r.body.password_hash, undefined);
  assert.equal((await req('GET', '/api/v1/me', session)).status, 401);
  const denied = await tryLogin('worker1');
  assert.equal(denied.status, 401);
  // The list shows it.
  const list = await req('GET', '/api/v1/users?limit=500', tokens.admin);
  assert.equal(list.body.items.find((u) => u.username === 'worker1').disabled, true);
  // Disabling twice is harmless.
  assert.equal((await req('POST', `/api/v1/users/${id}/disable`, tokens.admin)).status, 200);

  const en = await req('POST', `/api/v1/users/${id}/enable`, tokens.admin);
  assert.equal(en.status, 200);
  assert.equal(en.body.disabled, false);
  const back = await tryLogin('worker1');
  assert.equal(back.status, 200);
  tokens.worker1 = back.body.token;
  // The old session stays gone.
  assert.equal((await req('GET', '/api/v1/me', session)).status, 401);
  // Logged: who did what to whom.
  const log = server.stderr();
  assert.match(log, new RegExp(`user_id=${ids.admin} disabled user_id=${id} \\(worker1\\)`));
  assert.match(log, new RegExp(`user_id=${ids.admin} enabled user_id=${id} \\(worker1\\)`));
});

test('an admin cannot disable their own account', async () => {
  const r = await req('POST', `/api/v1/users/${ids.admin}/disable`, tokens.admin);
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'conflict');
  assert.equal((await req('GET', '/api/v1/me', tokens.admin)).status, 200);
});

test('a password reset ends the sessions; bad input is refused with a message', async () => {
  const id = ids.resident2;
  const s = (await login(server.url, 'resident2')).token;
  for (const body of [{}, { password: 'short' }, { password: 5 }, { password: 'long-enough-1', extra: 1 }]) {
    const r = await req('POST', `/api/v1/users/${id}/password`, tokens.admin, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.error.code, 'invalid_argument');
    assert.ok(r.body.error.message.length > 0);
  }
  assert.equal((await req('GET', '/api/v1/me', s)).status, 200, 'refused resets change nothing');
  const r = await req('POST', `/api/v1/users/${id}/password`, tokens.admin, { password: 'brand-new-pass-7' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((await req('GET', '/api/v1/me', s)).status, 401);
  assert.equal((await tryLogin('resident2')).status, 401);
  assert.equal((await tryLogin('resident2', 'brand-new-pass-7')).status, 200);
  assert.doesNotMatch(server.stderr(), /brand-new-pass-7/);
  assert.match(server.stderr(), new RegExp(`reset the password of user_id=${id}`));
});

test('creating a user: admin only, inside the admin\'s subtree, bad input named', async () => {
  const spec = { username: 'newworker', password: 'new-worker-pass', role: 'grid_worker', area_code: '440605001001002' };
  assert.equal((await req('POST', '/api/v1/users', tokens.leader, spec)).status, 403);
  assert.equal((await req('POST', '/api/v1/users', null, spec)).status, 401);
  assert.equal((await req('POST', '/api/v1/users', tokens.streetadmin, spec)).status, 403);
  const bad = await req('POST', '/api/v1/users', tokens.admin, { ...spec, role: 'king' });
  assert.equal(bad.status, 400);
  const ok = await req('POST', '/api/v1/users', tokens.admin, spec);
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.disabled, false);
  assert.equal((await tryLogin('newworker', 'new-worker-pass')).status, 200);
  const dup = await req('POST', '/api/v1/users', tokens.admin, spec);
  assert.equal(dup.status, 409);
});
