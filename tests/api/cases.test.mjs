// Cases over HTTP: report, the whole lifecycle by the people who do each step, precise errors
// (400/403/409), listing with filters and keyset paging, the hash-chained history and its
// verification, attachments, public tracking, the sweep, and webhook notifications delivered
// despite a failing receiver.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  tempDir, removeDir, makeDatabase, startServer, login, getJson, postJson, gridgov, rawSql, IS_PG,
  PASSWORD,
} from './helpers.mjs';

let dir;
let db;
let server;
let url;
const tokens = {};
const received = [];
let failuresLeft = 2;
let receiver;

before(async () => {
  dir = tempDir();
  db = makeDatabase(dir);
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      if (failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(503).end('try later');
        return;
      }
      received.push({ key: req.headers['idempotency-key'], topic: req.headers['x-gridgov-topic'], body: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${receiver.address().port}/hook`;
  server = await startServer(db, [], { GRIDGOV_WEBHOOK_URLS: hook, GRIDGOV_SWEEP_INTERVAL_S: '3600' });
  url = server.url;
  for (const u of ['admin', 'worker1', 'worker2', 'staff', 'dispatcher', 'handler', 'waterman',
    'resident', 'resident2', 'leader']) {
    tokens[u] = (await login(url, u)).token;
  }
});

after(async () => {
  if (server) await server.stop();
  receiver?.close();
  removeDir(dir);
});

const report = (token, body) => postJson(`${url}/api/v1/cases`, token, body);
const act = (token, id, body) => postJson(`${url}/api/v1/cases/${id}/actions`, token, body);

test('a report is located, numbered, given a deadline and answered 201', async () => {
  const r = await report(tokens.worker1, {
    channel: 'patrol', category: '0204', description: '路灯不亮，已经三天了', lon: 113.07, lat: 23.05,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.match(r.body.number, /^440605-\d{8}-\d{5}$/);
  assert.equal(r.body.status, 'reported');
  assert.equal(r.body.area_code, '440605001001001002');
  assert.equal(r.body.queue_level, 6);
  assert.equal(r.body.deadlines.step, 'accept');
  assert.ok(Date.parse(r.body.deadlines.due_at) > Date.parse(r.body.created_at));
  assert.ok(Array.isArray(r.body.duplicates));
  // A second report of the same thing nearby suggests the first as a duplicate.
  const again = await report(tokens.worker1, {
    channel: 'patrol', category: '0204', description: '这盏路灯还是不亮', lon: 113.0701, lat: 23.0501,
  });
  assert.equal(again.status, 201);
  assert.ok(again.body.duplicates.some((d) => d.number === r.body.number));
});

test('bad reports get 400 naming the field, 404 outside every area, 403 outside scope', async () => {
  const base = { channel: 'patrol', category: '0204', description: 'x', lon: 113.07, lat: 23.05 };
  const cases = [
    [{ ...base, channel: 'carrier-pigeon' }, 400, /channel/],
    [{ ...base, category: '9999' }, 400, /category/],
    [{ ...base, description: '' }, 400, /description/],
    [{ ...base, lon: 'east' }, 400, /'lon' must be a number/],
    [{ ...base, lat: undefined }, 400, /both 'lon' and 'lat'/],
    [{ ...base, urgency: 'whenever' }, 400, /urgency/],
    [{ ...base, extra: 1 }, 400, /unknown field 'extra'/],
    [{ ...base, lon: 120, lat: 30 }, 404, /outside every area/],
    [{ ...base, lon: 113.05, lat: 23.15 }, 403, /may not report/], // worker2's grid
  ];
  for (const [body, status, message] of cases) {
    const r = await report(tokens.worker1, body);
    assert.equal(r.status, status, JSON.stringify(body));
    assert.match(r.body.error.message, message);
  }
});

test('anonymous reports use the public web form only', async () => {
  let r = await report(null, { channel: 'web', category: '0101', description: '楼下垃圾没人清理', area_code: '440605001001001' });
  assert.equal(r.status, 201);
  assert.equal(r.body.reporter, undefined);
  r = await report(null, { channel: 'phone', category: '0101', description: 'x', area_code: '440605001001001' });
  assert.equal(r.status, 403);
});

test('the whole lifecycle through the API, each step by its role', async () => {
  let r = await report(tokens.resident, {
    channel: 'web', category: '0101', description: '小区门口暴露垃圾', lon: 113.02, lat: 23.05,
    reporter_name: '陈小明', reporter_phone: '13800138000',
  });
  assert.equal(r.status, 201);
  const id = r.body.id;
  assert.equal(r.body.reporter.name, '陈小明'); // the reporter sees their own details

  // Not allowed yet: 409 with a precise code; wrong role: 403; missing field: 400.
  r = await act(tokens.staff, id, { action: 'verify' });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'invalid_transition');
  r = await act(tokens.handler, id, { action: 'accept' });
  assert.equal(r.status, 403);
  r = await act(tokens.staff, id, { action: 'reject' });
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /reason/);
  r = await act(tokens.staff, id, { action: 'fly' });
  assert.equal(r.status, 400);

  r = await act(tokens.staff, id, { action: 'accept' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'accepted');
  assert.equal(r.body.deadlines.step, 'dispatch');
  assert.ok(r.body.allowed_actions.includes('dispatch'));
  assert.ok(!r.body.allowed_actions.includes('verify'));

  // An unknown unit is refused; the list of units is public.
  r = await act(tokens.staff, id, { action: 'dispatch', department: 'nonexistent' });
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /department/);
  const units = await getJson(`${url}/api/v1/departments`);
  assert.ok(units.body.items.some((u) => u.code === 'urban_management' && u.name_zh));
  // Dispatch without a unit: routing proposes the category's department.
  r = await act(tokens.staff, id, { action: 'dispatch' });
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'dispatched');
  assert.equal(r.body.department, 'urban_management');

  // A handler of another department cannot see it; the right one signs for it.
  r = await getJson(`${url}/api/v1/cases/${id}`, tokens.waterman);
  assert.equal(r.status, 403);
  r = await act(tokens.waterman, id, { action: 'start' });
  assert.equal(r.status, 403);
  r = await act(tokens.handler, id, { action: 'start' });
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'in_progress');
  assert.equal(r.body.reporter?.name, '陈小明'); // staff of the area see the reporter
  r = await act(tokens.handler, id, { action: 'handle', text: '已清运' });
  assert.equal(r.body.status, 'handled');
  r = await act(tokens.worker1, id, { action: 'rework', reason: '还有残留' });
  assert.equal(r.body.status, 'rework');
  r = await act(tokens.handler, id, { action: 'start' });
  r = await act(tokens.handler, id, { action: 'handle', text: '已彻底清理' });
  r = await act(tokens.worker1, id, { action: 'verify' });
  assert.equal(r.body.status, 'verified');
  r = await act(tokens.staff, id, { action: 'close' });
  assert.equal(r.status, 400); // an outcome is required
  r = await act(tokens.staff, id, { action: 'close', outcome: 'resolved' });
  assert.equal(r.body.status, 'closed');
  assert.equal(r.body.outcome, 'resolved');

  // Another resident cannot rate it; the reporter can. A rating of 2 reopens the case.
  r = await act(tokens.resident2, id, { action: 'evaluate', rating: 5 });
  assert.equal(r.status, 403);
  r = await act(tokens.resident, id, { action: 'evaluate', rating: 7 });
  assert.equal(r.status, 400);
  r = await act(tokens.resident, id, { action: 'evaluate', rating: 2, text: '不满意' });
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'reopened');
  assert.equal(r.body.rating, 2);
  assert.equal(r.body.reopen_count, 1);

  // The history: every step, chained by hash.
  r = await getJson(`${url}/api/v1/cases/${id}/events`, tokens.staff);
  assert.equal(r.status, 200);
  const events = r.body.items;
  assert.deepEqual(events.map((e) => e.action), ['report', 'accept', 'dispatch', 'start',
    'handle', 'rework', 'start', 'handle', 'verify', 'close', 'evaluate']);
  assert.equal(events[0].prev_hash, '');
  for (let i = 1; i < events.length; i++) assert.equal(events[i].prev_hash, events[i - 1].hash);
  assert.equal(events[5].payload.reason, '还有残留');

  // The public sees the steps by number, with nothing personal.
  const number = (await getJson(`${url}/api/v1/cases/${id}`, tokens.staff)).body.number;
  r = await getJson(`${url}/api/v1/track/${number}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'reopened');
  assert.ok(!JSON.stringify(r.body).includes('陈小明'));
  assert.ok(!JSON.stringify(r.body).includes('13800138000'));
  r = await getJson(`${url}/api/v1/track/440605-19990101-00001`);
  assert.equal(r.status, 404);
});

test('anonymous reporters stay anonymous to handlers', async () => {
  let r = await report(tokens.resident, {
    channel: 'web', category: '0101', description: '匿名反映噪音', area_code: '440605001001001',
    reporter_name: '王某', reporter_phone: '13900139000', anonymous: true,
  });
  assert.equal(r.status, 201);
  assert.equal(r.body.reporter.name, '王某'); // the reporter still sees it
  r = await getJson(`${url}/api/v1/cases/${r.body.id}`, tokens.staff);
  assert.equal(r.status, 200);
  assert.equal(r.body.reporter, undefined);
  assert.equal(r.body.anonymous, true);
});

test('listing: scope, filters, full text and keyset paging', async () => {
  for (let i = 0; i < 7; i++) {
    const r = await report(tokens.staff, {
      channel: 'phone', category: '0801', description: `工厂拖欠工资第${i}批`, area_code: '440605001001002',
    });
    assert.equal(r.status, 201);
  }
  let r = await getJson(`${url}/api/v1/cases?category=08`, tokens.staff);
  assert.equal(r.status, 200);
  assert.equal(r.body.items.length, 7);
  // The search index is refreshed in the background, within about a second.
  for (let i = 0; i < 40; i++) {
    r = await getJson(`${url}/api/v1/cases?q=${encodeURIComponent('拖欠工资')}`, tokens.staff);
    if (r.body.items.length === 7) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(r.body.items.length, 7);
  r = await getJson(`${url}/api/v1/cases?q=${encodeURIComponent('第3批')}`, tokens.staff);
  assert.equal(r.body.items.length, 1);
  r = await getJson(`${url}/api/v1/cases?status=reported,reopened&channel=phone`, tokens.admin);
  assert.ok(r.body.items.length >= 7);
  assert.ok(r.body.items.every((c) => c.channel === 'phone' && ['reported', 'reopened'].includes(c.status)));
  // Paging: 3 at a time, newest first, every case once.
  const seen = new Set();
  let cursor = null;
  let pages = 0;
  do {
    r = await getJson(`${url}/api/v1/cases?category=08&limit=3${cursor ? `&cursor=${cursor}` : ''}`, tokens.admin);
    assert.equal(r.status, 200);
    for (const c of r.body.items) { assert.ok(!seen.has(c.id)); seen.add(c.id); }
    cursor = r.body.next_cursor;
    pages++;
  } while (cursor && pages < 10);
  assert.equal(seen.size, 7);
  // Scope: a grid worker sees only their grid; another area is 403; bad parameters 400.
  r = await getJson(`${url}/api/v1/cases`, tokens.worker2);
  assert.ok(r.body.items.every((c) => c.area_code.startsWith('440605001001002')));
  r = await getJson(`${url}/api/v1/cases?area=440605001001001`, tokens.worker2);
  assert.equal(r.status, 403);
  for (const q of ['status=flying', 'limit=0', 'limit=100000', 'from=yesterday', 'cursor=abc', 'area=12345']) {
    r = await getJson(`${url}/api/v1/cases?${q}`, tokens.admin);
    assert.equal(r.status, 400, q);
  }
  // Residents see only their own cases; handlers only their department's.
  r = await getJson(`${url}/api/v1/cases?limit=200`, tokens.resident2);
  assert.equal(r.body.items.length, 0);
  r = await getJson(`${url}/api/v1/cases?limit=200`, tokens.handler);
  assert.ok(r.body.items.every((c) => c.department === 'urban_management'));
});

test('attachments: uploaded by content hash, type-checked, linked to a case', async () => {
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('fake image body')]);
  let res = await fetch(`${url}/api/v1/attachments`, {
    method: 'POST', headers: { authorization: `Bearer ${tokens.worker1}`, 'content-type': 'image/png' }, body: png,
  });
  assert.equal(res.status, 201);
  const up = await res.json();
  assert.match(up.hash, /^[0-9a-f]{64}$/);
  res = await fetch(`${url}/api/v1/attachments`, {
    method: 'POST', headers: { authorization: `Bearer ${tokens.worker1}`, 'content-type': 'image/png' }, body: 'not a png',
  });
  assert.equal(res.status, 415);
  res = await fetch(`${url}/api/v1/attachments`, {
    method: 'POST', headers: { authorization: `Bearer ${tokens.worker1}`, 'content-type': 'text/html' }, body: '<script>',
  });
  assert.equal(res.status, 415);
  const r = await report(tokens.worker1, {
    channel: 'patrol', category: '0206', description: '井盖缺失，有危险', lon: 113.03, lat: 23.02, attachments: [up.hash],
  });
  assert.equal(r.status, 201);
  const c = await getJson(`${url}/api/v1/cases/${r.body.id}`, tokens.worker1);
  assert.deepEqual(c.body.attachments.map((a) => a.hash), [up.hash]);
  res = await fetch(`${url}${c.body.attachments[0].url}`, { headers: { authorization: `Bearer ${tokens.worker1}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), png);
  const bad = await report(tokens.worker1, {
    channel: 'patrol', category: '0206', description: 'x', lon: 113.03, lat: 23.02, attachments: ['0'.repeat(64)],
  });
  assert.equal(bad.status, 404);
});

test('escalation moves a case up the ladder; merging needs a real case', async () => {
  let r = await report(tokens.worker1, { channel: 'patrol', category: '0901', description: '征地补偿纠纷', area_code: '440605001001001' });
  const id = r.body.id;
  r = await act(tokens.worker1, id, { action: 'escalate' });
  assert.equal(r.status, 400);
  r = await act(tokens.worker1, id, { action: 'escalate', reason: '网格无法解决' });
  assert.equal(r.status, 200);
  assert.equal(r.body.queue_level, 5);
  r = await act(tokens.staff, id, { action: 'merge', merge_into: '440605-19990101-00001' });
  assert.equal(r.status, 400);
});

test('notifications reach the webhook despite failures, each with its idempotency key', async () => {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline && received.length < 5) await new Promise((r) => setTimeout(r, 250));
  assert.ok(received.length >= 5, `only ${received.length} notifications arrived`);
  assert.equal(failuresLeft, 0);
  for (const m of received) {
    assert.match(m.key, /^case-440605-\d{8}-\d{5}-event-\d+$/);
    assert.match(m.topic, /^case\./);
    assert.equal(m.body.case, m.key.replace(/^case-/, '').replace(/-event-\d+$/, ''));
  }
  // A key is never delivered twice in a healthy run.
  assert.equal(new Set(received.map((m) => m.key)).size, received.length);
});

test('the CLI sweep is idempotent and verify catches an edited event', async () => {
  const future = new Date(Date.now() + 40 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  let s = gridgov('sweep', '--db', db, '--now', future);
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /sweep: \d+ cases examined/);
  assert.doesNotMatch(s.stdout, /sweep: 0 cases examined/);
  s = gridgov('sweep', '--db', db, '--now', future);
  assert.match(s.stdout, /sweep: 0 cases examined, 0 yellow cards, 0 red cards, 0 escalated/);
  let v = gridgov('verify', '--db', db);
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /every hash chain is intact/);
  // Rewrite history behind gridgov's back: verify names the case and the event.
  const e = rawSql(db, (IS_PG
    ? 'DROP TRIGGER case_events_no_change ON case_events; '
    : 'DROP TRIGGER case_events_no_update; ')
    + "UPDATE case_events SET payload = '{\"text\":\"forged\"}' WHERE case_id = 1 AND seq = 2;");
  assert.equal(e.status, 0, e.stderr);
  v = gridgov('verify', '--db', db);
  assert.equal(v.status, 1);
  assert.match(v.stderr, /BROKEN: case 440605-\d{8}-00001 \(id 1\), event 2: the event was altered/);
});

test('a case the sweep cannot act on is skipped and logged, and stops no other case', async () => {
  const made = [];
  for (const text of ['状态损坏的案件', '照常督办的案件']) {
    const r = await report(tokens.worker1, {
      channel: 'patrol', category: '0204', description: text, lon: 113.07, lat: 23.05,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    made.push(r.body.id);
  }
  const [bad, good] = made;
  // A record the workflow cannot read (written by something other than gridgov).
  let e = rawSql(db, `UPDATE cases SET status = 'no_such_state' WHERE id = ${bad}`);
  assert.equal(e.status, 0, e.stderr);
  const at = (days, hours = 0) => new Date(Date.now() + days * 86400000 + hours * 3600000)
    .toISOString().replace(/\.\d+Z$/, 'Z');
  let s = gridgov('sweep', '--db', db, '--now', at(80));
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /, 1 skipped in/);
  assert.match(s.stderr, new RegExp(`case id ${bad}: .*skipped, looked at again in an hour`));
  // The other case was supervised all the same.
  const g = await getJson(`${url}/api/v1/cases/${good}/events`, tokens.admin);
  assert.equal(g.status, 200);
  const automatic = g.body.items.filter((ev) => ev.payload && ev.payload.automatic === true);
  assert.ok(automatic.length > 0, JSON.stringify(g.body));
  // Within the hour the skipped case is left alone; after it, it is tried (and skipped) again.
  s = gridgov('sweep', '--db', db, '--now', at(80, 0.5));
  assert.equal(s.status, 0, s.stderr);
  assert.doesNotMatch(s.stdout, /, 1 skipped/);
  s = gridgov('sweep', '--db', db, '--now', at(80, 2));
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /, 1 skipped in/);
  e = rawSql(db, `UPDATE cases SET status = 'reported' WHERE id = ${bad}`);
  assert.equal(e.status, 0, e.stderr);
});

test('two actors at once on one case: exactly one wins, nothing is lost or doubled', async () => {
  for (let round = 0; round < 6; round++) {
    const r = await report(tokens.worker1, {
      channel: 'patrol', category: '0204', description: `同时处理 ${round}`, lon: 113.07, lat: 23.05,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.id;
    // The community accepts it while the dispatcher rejects it, in the same instant.
    const [a, b] = await Promise.all([
      act(tokens.staff, id, { action: 'accept' }),
      act(tokens.dispatcher, id, { action: 'reject', reason: '重复上报' }),
    ]);
    const statuses = [a.status, b.status].sort();
    assert.deepEqual(statuses, [200, 409], `${JSON.stringify(a.body)} ${JSON.stringify(b.body)}`);
    const loser = a.status === 409 ? a : b;
    assert.equal(loser.body.error.code, 'invalid_transition');
    const winner = a.status === 200 ? a : b;
    const events = await getJson(`${url}/api/v1/cases/${id}/events`, tokens.admin);
    assert.equal(events.status, 200);
    const actions = events.body.items.map((e) => e.action);
    assert.deepEqual(actions.slice(1), [winner === a ? 'accept' : 'reject']);
    const got = await getJson(`${url}/api/v1/cases/${id}`, tokens.admin);
    assert.equal(got.body.status, winner === a ? 'accepted' : 'rejected');
  }
});
