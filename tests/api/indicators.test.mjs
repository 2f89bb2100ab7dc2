// Indicators over HTTP: a small scripted set of cases driven through the API, then
// GET /api/v1/stats/indicators checked against figures computed by hand from the script
// (docs/INDICATORS.md), by total, child, category and day, as JSON and CSV; access (401/403)
// and bad parameters (400); and the public statistics with small counts suppressed (k).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  tempDir, removeDir, makeDatabase, startServer, login, getJson, postJson, gridgov,
} from './helpers.mjs';

let dir;
let db;
let server;
let url;
const tokens = {};

// The cohort day is the report's date in UTC+8; the run may straddle midnight, so ask for
// yesterday..tomorrow (no other cases exist in this database).
function cityDate(offsetDays) {
  const d = new Date(Date.now() + 8 * 3600e3 + offsetDays * 86400e3);
  return d.toISOString().slice(0, 10);
}
const FROM = cityDate(-1);
const TO = cityDate(1);

const report = (token, body) => postJson(`${url}/api/v1/cases`, token, body);
async function act(who, id, body) {
  const r = await postJson(`${url}/api/v1/cases/${id}/actions`, tokens[who], body);
  assert.equal(r.status, 200, `${who} ${body.action}: ${JSON.stringify(r.body)}`);
  return r.body;
}
async function newCase(who, body) {
  const r = await report(tokens[who], { area_code: '440605001001001', category: '0101', ...body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

before(async () => {
  dir = tempDir();
  db = makeDatabase(dir);
  server = await startServer(db, [], { GRIDGOV_SWEEP_INTERVAL_S: '3600' });
  url = server.url;
  for (const u of ['admin', 'worker1', 'staff', 'dispatcher', 'handler', 'resident', 'resident2']) {
    tokens[u] = (await login(url, u)).token;
  }

  // A: the full path, rated 5.
  const a = await newCase('resident', { channel: 'web', description: '小区门口暴露垃圾' });
  await act('staff', a, { action: 'accept' });
  await act('staff', a, { action: 'dispatch' });
  await act('handler', a, { action: 'start' });
  await act('handler', a, { action: 'handle', text: '已清运' });
  await act('worker1', a, { action: 'verify' });
  await act('staff', a, { action: 'close', outcome: 'resolved' });
  await act('resident', a, { action: 'evaluate', rating: 5 });
  // B: found on patrol, resolved on site, closed.
  const b = await newCase('worker1', { channel: 'patrol', description: '井盖松动' });
  await act('worker1', b, { action: 'resolve_on_site', evidence: '已固定' });
  await act('staff', b, { action: 'close', outcome: 'resolved' });
  // C: rejected (another category).
  const c = await newCase('staff', { channel: 'phone', category: '0204', description: '咨询' });
  await act('staff', c, { action: 'reject', reason: '不属于受理范围' });
  // D: answered, closed as answered, rated 3.
  const d = await newCase('resident', { channel: 'web', description: '垃圾清运时间？' });
  await act('staff', d, { action: 'answer', text: '每天早上七点' });
  await act('staff', d, { action: 'close', outcome: 'answered' });
  await act('resident', d, { action: 'evaluate', rating: 3 });
  // E: found on patrol, accepted, escalated to the community; still open.
  const e = await newCase('worker1', { channel: 'patrol', description: '违章搭建' });
  await act('staff', e, { action: 'accept' });
  await act('staff', e, { action: 'escalate', reason: '网格无法解决' });
  // F: reworked once, closed not resolved, then rated 2: reopened, so not closed any more.
  const f = await newCase('resident2', { channel: 'web', description: '路面垃圾' });
  await act('staff', f, { action: 'accept' });
  await act('staff', f, { action: 'dispatch' });
  await act('handler', f, { action: 'start' });
  await act('handler', f, { action: 'handle', text: '已处理' });
  await act('worker1', f, { action: 'rework', reason: '还有残留' });
  await act('handler', f, { action: 'start' });
  await act('handler', f, { action: 'handle', text: '再次处理' });
  await act('worker1', f, { action: 'verify' });
  await act('staff', f, { action: 'close', outcome: 'not_resolved', outcome_reason: 'not_feasible' });
  const reopened = await act('resident2', f, { action: 'evaluate', rating: 2 });
  assert.equal(reopened.status, 'reopened');
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

const stats = (token, query) => getJson(`${url}/api/v1/stats/indicators?${query}`, token);
const near = (actual, expected) => assert.ok(Math.abs(actual - expected) < 1e-9,
  `${actual} != ${expected}`);

test('totals and rates of the district equal the hand count of the script', async () => {
  const r = await stats(tokens.dispatcher, `area=440605&from=${FROM}&to=${TO}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.rows.length, 1);
  const { counters: n, indicators: v } = r.body.rows[0];
  const expected = {
    collected: 6, patrol_found: 2, accepted: 3, rejected: 1, resolved_on_site: 1, answered: 1,
    merged: 0, suspended: 0, responded: 6, responded_on_time: 6, dispatched: 2, signed: 3,
    handled: 3, verified: 2, reworks: 1, extensions: 0, escalations: 1, escalated_cases: 1,
    closed: 3, closed_on_time: 3, closed_resolved: 2, closed_answered: 1, closed_not_resolved: 0,
    closed_low_level: 3, reopened: 1, evaluated: 3, satisfied: 1, rating_sum: 10,
    yellow_cards: 0, red_cards: 0,
  };
  for (const [k, want] of Object.entries(expected)) assert.equal(n[k], want, k);
  assert.equal(n.handling_histogram.reduce((s, x) => s + x, 0), 3); // one entry per close in force
  assert.equal(v.due_to_close, 5); // 6 collected - 1 rejected
  near(v.closure_rate, 3 / 5);
  near(v.on_time_closure_rate, 3 / 5);
  near(v.response_rate, 1);
  near(v.resolution_rate, 2 / 3);
  near(v.resolved_or_answered_rate, 1);
  near(v.rework_rate, 1 / 3);
  near(v.extension_rate, 0);
  near(v.escalation_rate, 1 / 6);
  near(v.low_level_share, 1);
  near(v.satisfaction_rate, 1 / 3);
  near(v.mean_rating, 10 / 3);
  near(v.on_time_verification_rate, 1);
  near(v.patrol_found_share, 2 / 6);
  near(v.points, 100);
  // Kept by the server's group-commit writer, they equal a recount of the history.
  const verify = gridgov('rollups', 'verify', '--db', db);
  assert.equal(verify.status, 0, verify.stderr);
  assert.match(verify.stdout, /6 cases, \d+ events: roll-ups equal a full recount/);
  assert.ok(v.mean_handling_hours >= 0);
  assert.ok(v.median_handling_hours >= 0 && v.p90_handling_hours >= v.median_handling_hours);
});

test('by child, by category and by day split the same cases', async () => {
  let r = await stats(tokens.dispatcher, `area=440605&from=${FROM}&to=${TO}&by=child`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.rows.map((x) => [x.key, x.counters.collected]), [['440605001', 6]]);
  r = await stats(tokens.dispatcher, `area=440605&from=${FROM}&to=${TO}&by=category`);
  assert.deepEqual(r.body.rows.map((x) => [x.key, x.counters.collected]), [['0101', 5], ['0204', 1]]);
  assert.equal(r.body.rows[1].counters.rejected, 1);
  assert.equal(r.body.rows[1].indicators.closure_rate, null); // 0 due to close: undefined, not 0
  r = await stats(tokens.dispatcher, `area=440605&from=${FROM}&to=${TO}&by=day`);
  assert.equal(r.body.rows.reduce((s, x) => s + x.counters.collected, 0), 6);
  assert.match(r.body.rows[0].key, /^\d{4}-\d{2}-\d{2}$/);
  r = await stats(tokens.dispatcher, `area=440605&from=${FROM}&to=${TO}&category=02`);
  assert.equal(r.body.rows[0].counters.collected, 1);
  // The grid itself, and a community with nothing: zeros, undefined rates.
  r = await stats(tokens.staff, `area=440605001001001&from=${FROM}&to=${TO}`);
  assert.equal(r.body.rows[0].counters.collected, 6);
  r = await stats(tokens.staff, `area=440605001001002&from=${FROM}&to=${TO}`);
  assert.equal(r.body.rows[0].counters.collected, 0);
  assert.equal(r.body.rows[0].indicators.satisfaction_rate, null);
});

test('format=csv gives the same figures', async () => {
  const res = await fetch(`${url}/api/v1/stats/indicators?area=440605&from=${FROM}&to=${TO}&format=csv`,
    { headers: { authorization: `Bearer ${tokens.dispatcher}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/csv/);
  const [header, row] = (await res.text()).trim().split('\n').map((l) => l.split(','));
  const col = (name) => row[header.indexOf(name)];
  assert.equal(header[0], 'total');
  assert.equal(col('collected'), '6');
  assert.equal(col('closure_rate'), '0.600000');
  assert.equal(col('satisfaction_rate'), '0.333333');
  const empty = await fetch(`${url}/api/v1/stats/indicators?area=440605001002&from=${FROM}&to=${TO}&format=csv`,
    { headers: { authorization: `Bearer ${tokens.dispatcher}` } });
  const [h2, r2] = (await empty.text()).trim().split('\n').map((l) => l.split(','));
  assert.equal(r2[h2.indexOf('closure_rate')], ''); // undefined: an empty field
});

test('gridgov report indicators writes the same figures as CSV, and a workbook', async () => {
  const csvPath = join(dir, 'report.csv');
  let r = gridgov('report', 'indicators', '--db', db, '--area', '440605', '--from', FROM, '--to', TO,
    '--csv', csvPath);
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(csvPath, 'utf8').trim().split('\n').map((l) => l.split(','));
  const header = lines[0];
  const total = lines.find((l) => l[0] === 'total');
  const col = (row, name) => row[header.indexOf(name)];
  assert.equal(col(total, 'collected'), '6');
  assert.equal(col(total, 'closure_rate'), '0.600000');
  assert.equal(col(total, 'rework_rate'), '0.333333');
  const street = lines.find((l) => l[0] === 'street');
  assert.equal(col(street, 'key'), '440605001');
  assert.equal(col(street, 'name'), '桂城街道');
  assert.equal(col(street, 'collected'), '6');
  assert.deepEqual(lines.filter((l) => l[0] === 'category').map((l) => [col(l, 'key'), col(l, 'collected')]),
    [['0101', '5'], ['0204', '1']]);

  const xlsxPath = join(dir, 'report.xlsx');
  r = gridgov('report', 'indicators', '--db', db, '--area', '440605', '--from', FROM, '--to', TO,
    '--xlsx', xlsxPath);
  assert.equal(r.status, 0, r.stderr);
  const book = readFileSync(xlsxPath);
  assert.equal(book.subarray(0, 4).toString('latin1'), 'PK\x03\x04'); // a zip (OOXML) file
  assert.ok(book.length > 5000);

  // Usage errors and bad input: nothing written.
  r = gridgov('report', 'indicators', '--db', db, '--area', '440605');
  assert.equal(r.status, 2);
  const bad = join(dir, 'bad.xlsx');
  r = gridgov('report', 'indicators', '--db', db, '--area', '440699', '--xlsx', bad);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /does not exist/);
  r = gridgov('report', 'indicators', '--db', db, '--area', '440605', '--from', '2025-02-30', '--xlsx', bad);
  assert.equal(r.status, 1);
  assert.ok(!existsSync(bad) && !existsSync(`${bad}.tmp`));
});

test('access: login required, staff only, inside their subtree; bad parameters are 400', async () => {
  let r = await stats(null, `area=440605&from=${FROM}&to=${TO}`);
  assert.equal(r.status, 401);
  r = await stats(tokens.worker1, `area=440605&from=${FROM}&to=${TO}`);
  assert.equal(r.status, 403);
  r = await stats(tokens.resident, `area=440605001001&from=${FROM}&to=${TO}`);
  assert.equal(r.status, 403);
  r = await stats(tokens.worker1, `from=${FROM}&to=${TO}`); // defaults to the user's own area
  assert.equal(r.status, 200);
  assert.equal(r.body.area, '440605001001001');
  for (const q of ['area=44x605', 'area=440605&from=2025-02-30', 'area=440605&from=2025-03-02&to=2025-03-01',
    'area=440605&by=year', 'area=440605&format=xml', 'area=440605&category=ab',
    'area=440605&from=2001-01-01&to=2025-01-01']) {
    r = await stats(tokens.admin, q);
    assert.equal(r.status, 400, q);
    assert.equal(r.body.error.code, 'invalid_argument');
  }
});

test('public statistics suppress counts below k, and rates built on them', async () => {
  let r = await getJson(`${url}/api/v1/public/stats?area=440605&from=${FROM}&to=${TO}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.min_count, 5);
  const row = r.body.rows[0];
  assert.equal(row.counts.collected, 6);
  assert.equal(row.counts.accepted, null); // 3 < 5
  assert.equal(row.counts.rejected, null); // 1 < 5
  assert.equal(row.counts.closed, null);
  assert.equal(row.rates.closure_rate, null); // 3 of 5
  assert.equal(row.rates.satisfaction_rate, null);
  assert.equal(row.suppressed, true);
  assert.equal(row.counts.closed_resolved, undefined); // not published at all
  r = await getJson(`${url}/api/v1/public/stats?area=440605&from=${FROM}&to=${TO}&by=category`);
  assert.deepEqual(r.body.rows.map((x) => [x.key, x.counts.collected]), [['0101', 5], ['0204', null]]);
  for (const q of ['area=440605&by=day', 'from=2025-01-01', 'area=440605&format=csv']) {
    r = await getJson(`${url}/api/v1/public/stats?${q}`);
    assert.equal(r.status, 400, q);
  }
  r = await getJson(`${url}/api/v1/public/stats?area=440699`);
  assert.equal(r.status, 404);

  // With k = 2 (configuration), 3 of 5 closed shows; 1 rejected still does not.
  await server.stop();
  server = await startServer(db, [], { GRIDGOV_PUBLIC_STATS_MIN_COUNT: '2' });
  url = server.url;
  r = await getJson(`${url}/api/v1/public/stats?area=440605&from=${FROM}&to=${TO}`);
  assert.equal(r.body.min_count, 2);
  assert.equal(r.body.rows[0].counts.accepted, 3);
  assert.equal(r.body.rows[0].counts.rejected, null);
  near(r.body.rows[0].rates.closure_rate, 3 / 5);
  assert.equal(r.body.rows[0].rates.satisfaction_rate, null); // 1 of 3: one satisfied resident
});
