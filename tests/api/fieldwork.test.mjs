// Field work over HTTP (issue 5): patrols (start, batched GPS upload with idempotent retries,
// points outside the grid flagged, end with distance and duration from the track, listing
// and reading with scope), cases found on a patrol; household visits (follow-up cases, the
// household file's timeline, no partial writes), cadence rules, task lists and campaigns.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  tempDir, removeDir, makeDatabase, startServer, login, mustGridgov, rawSql, PASSWORD,
} from './helpers.mjs';

const GRID1 = '440605001001001'; // worker1's grid: lon 113.0-113.1, lat 23.0-23.1
const COMMUNITY = '440605001001';
const R = 6371008.8;

let dir;
let db;
let server;
const tokens = {};

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
  return { status: res.status, body: parsed, headers: res.headers };
}

function haversine(a, b) {
  const rad = Math.PI / 180;
  const dp = (b.lat - a.lat) * rad;
  const dl = (b.lon - a.lon) * rad;
  const h = Math.sin(dp / 2) ** 2
    + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dl / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

before(async () => {
  dir = tempDir();
  db = makeDatabase(dir);
  for (const [name, area] of [['cadre1', '440605001'], ['cadre2', '440605002']]) {
    mustGridgov('user', 'add', '--db', db, '--username', name, '--password', PASSWORD, '--role',
      'station_cadre', '--area', area);
  }
  server = await startServer(db);
  for (const u of ['admin', 'leader', 'worker1', 'worker2', 'staff', 'dispatcher', 'resident',
    'cadre1', 'cadre2']) {
    tokens[u] = (await login(server.url, u)).token;
  }
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

let patrolId;
let t0;
const points = [];

test('a grid worker starts a patrol of their own grid; one at a time', async () => {
  const r = await req('POST', '/api/v1/patrols', tokens.worker1);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.grid_code, GRID1);
  assert.equal(r.body.status, 'running');
  assert.equal(r.body.ended_at, null);
  patrolId = r.body.id;
  t0 = Date.parse(r.body.started_at);

  const again = await req('POST', '/api/v1/patrols', tokens.worker1, { grid_code: GRID1 });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'conflict');
  assert.match(again.body.error.message, new RegExp(`patrol ${patrolId}`));
});

test('patrol start: scope and bad input', async () => {
  // another worker's grid
  let r = await req('POST', '/api/v1/patrols', tokens.worker2, { grid_code: GRID1 });
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'forbidden');
  // residents and leaders do not patrol
  r = await req('POST', '/api/v1/patrols', tokens.resident, { grid_code: GRID1 });
  assert.equal(r.status, 403);
  r = await req('POST', '/api/v1/patrols', tokens.leader, { grid_code: GRID1 });
  assert.equal(r.status, 403);
  // not a grid: a community, a cell, garbage
  for (const grid_code of [COMMUNITY, `${GRID1}001`, 'abc']) {
    r = await req('POST', '/api/v1/patrols', tokens.staff, { grid_code });
    assert.equal(r.status, 400, grid_code);
    assert.equal(r.body.error.code, 'invalid_argument');
  }
  // community staff without a grid of their own must name one
  r = await req('POST', '/api/v1/patrols', tokens.staff);
  assert.equal(r.status, 400);
  r = await req('POST', '/api/v1/patrols', tokens.worker2, { grid_code: '440605001001009' });
  assert.equal(r.status, 404);
  r = await req('POST', '/api/v1/patrols', tokens.worker2, { grid: GRID1 });
  assert.equal(r.status, 400);
  r = await req('POST', '/api/v1/patrols', undefined, {});
  assert.equal(r.status, 401);
});

test('GPS points upload in batches; outside points are kept and flagged; retries are not duplicated',
  async () => {
    const base = Math.max(t0, Date.now() - 60000);
    points.push({ t: new Date(base).toISOString(), lon: 113.096, lat: 23.01, accuracy: 5 });
    points.push({ t: base + 30000, lon: 113.098, lat: 23.011, accuracy: 6 });
    points.push({ t: base + 60000, lon: 113.101, lat: 23.011, accuracy: 8 }); // next community
    points.push({ t: base + 90000, lon: 113.097, lat: 23.012 });
    const r = await req('POST', `/api/v1/patrols/${patrolId}/points`, tokens.worker1,
      { batch_id: 'q-1', points: points.slice(0, 3) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.duplicate, false);
    assert.equal(r.body.accepted, 3);
    assert.equal(r.body.outside, 1);
    assert.equal(r.body.patrol.points, 3);
    assert.equal(r.body.patrol.outside_points, 1);

    const retry = await req('POST', `/api/v1/patrols/${patrolId}/points`, tokens.worker1,
      { batch_id: 'q-1', points: points.slice(0, 3) });
    assert.equal(retry.status, 200);
    assert.equal(retry.body.duplicate, true);
    assert.equal(retry.body.accepted, 0);
    assert.equal(retry.body.patrol.points, 3);

    const next = await req('POST', `/api/v1/patrols/${patrolId}/points`, tokens.worker1,
      { batch_id: 'q-2', points: points.slice(3) });
    assert.equal(next.status, 201);
    assert.equal(next.body.patrol.points, 4);
  });

test('point upload: bad input and scope', async () => {
  const url = `/api/v1/patrols/${patrolId}/points`;
  const p = { t: Date.now(), lon: 113.02, lat: 23.02 };
  const cases = [
    [{ points: [p] }, /batch_id/],
    [{ batch_id: 'x', points: [] }, /points/],
    [{ batch_id: 'x', points: Array(501).fill(p) }, /1\.\.500/],
    [{ batch_id: 'x', points: [{ ...p, lon: 200 }] }, /point 0/],
    [{ batch_id: 'x', points: [p, { ...p, t: 'yesterday' }] }, /point 1/],
    [{ batch_id: 'x', points: [{ ...p, speed: 3 }] }, /speed/],
    [{ batch_id: 'x', points: [{ ...p, accuracy: -2 }] }, /point 0/],
    [{ batch_id: 'x', points: [{ ...p, t: Date.now() + 3600000 }] }, /future/],
    [{ batch_id: 'x', points: [{ ...p, t: t0 - 3600000 }] }, /before the patrol started/],
    [{ batch_id: 'has space', points: [p] }, /batch_id/],
  ];
  for (const [body, message] of cases) {
    const r = await req('POST', url, tokens.worker1, body);
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
    assert.equal(r.body.error.code, 'invalid_argument');
    assert.match(r.body.error.message, message);
  }
  // nothing of the bad batches was kept, not even their batch id
  let r = await req('GET', `/api/v1/patrols/${patrolId}`, tokens.worker1);
  assert.equal(r.body.track.length, 4);
  r = await req('POST', url, tokens.worker2, { batch_id: 'w2', points: [p] });
  assert.equal(r.status, 403);
  r = await req('POST', '/api/v1/patrols/999999/points', tokens.worker1,
    { batch_id: 'x', points: [p] });
  assert.equal(r.status, 404);
  r = await req('POST', url, tokens.worker1, '[1,2]');
  assert.equal(r.status, 400);
});

let caseNumber;

test('a case reported on the patrol links to it', async () => {
  let r = await req('POST', '/api/v1/cases', tokens.worker1, {
    channel: 'patrol', category: '0101', description: '巡查发现井盖缺失', lon: 113.013,
    lat: 23.011, patrol_id: patrolId,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  caseNumber = r.body.number;
  // patrol_id goes with the patrol channel, and only the worker's own patrol
  r = await req('POST', '/api/v1/cases', tokens.worker1, {
    channel: 'phone', category: '0101', description: 'x', area_code: GRID1, patrol_id: patrolId,
  });
  assert.equal(r.status, 400);
  r = await req('POST', '/api/v1/cases', tokens.worker2, {
    channel: 'patrol', category: '0101', description: 'x', area_code: '440605001001002',
    patrol_id: patrolId,
  });
  assert.equal(r.status, 403);
  r = await req('POST', '/api/v1/cases', tokens.worker1, {
    channel: 'patrol', category: '0101', description: 'x', area_code: GRID1, patrol_id: 424242,
  });
  assert.equal(r.status, 404);
});

test('ending a patrol computes distance and duration from the track', async () => {
  const r = await req('POST', `/api/v1/patrols/${patrolId}/end`, tokens.worker1);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'ended');
  const ts = points.map((p) => (typeof p.t === 'number' ? p.t : Date.parse(p.t)));
  let expected = 0;
  for (let i = 1; i < points.length; i++) expected += haversine(points[i - 1], points[i]);
  assert.ok(Math.abs(r.body.distance_m - expected) < 0.02, `${r.body.distance_m} vs ${expected}`);
  assert.equal(r.body.duration_s, (ts[3] - ts[0]) / 1000);
  assert.equal(r.body.points, 4);
  assert.equal(r.body.outside_points, 1);
  // once
  let again = await req('POST', `/api/v1/patrols/${patrolId}/end`, tokens.worker1);
  assert.equal(again.status, 409);
  again = await req('POST', `/api/v1/patrols/${patrolId}/points`, tokens.worker1,
    { batch_id: 'late', points: [{ t: Date.now(), lon: 113.02, lat: 23.02 }] });
  assert.equal(again.status, 409);
  // a retried batch is still acknowledged after the end
  again = await req('POST', `/api/v1/patrols/${patrolId}/points`, tokens.worker1,
    { batch_id: 'q-2', points: points.slice(3) });
  assert.equal(again.status, 200);
  assert.equal(again.body.duplicate, true);
  // and a new patrol may start
  const next = await req('POST', '/api/v1/patrols', tokens.worker1);
  assert.equal(next.status, 201);
  const end = await req('POST', `/api/v1/patrols/${next.body.id}/end`, tokens.worker1);
  assert.equal(end.body.distance_m, 0);
  assert.equal(end.body.points, 0);
});

test('a GPS jump is flagged and left out of the distance', async () => {
  const start = await req('POST', '/api/v1/patrols', tokens.worker2);
  assert.equal(start.status, 201);
  const id = start.body.id;
  const b = Date.parse(start.body.started_at);
  const pts = [
    { t: b, lon: 113.05, lat: 23.15 },
    { t: b + 60000, lon: 113.05, lat: 23.151 },
    { t: b + 61000, lon: 113.09, lat: 23.19 }, // 5.7 km in a second
    { t: b + 120000, lon: 113.05, lat: 23.152 },
  ];
  const up = await req('POST', `/api/v1/patrols/${id}/points`, tokens.worker2,
    { batch_id: 'j', points: pts });
  assert.equal(up.status, 201);
  assert.equal(up.body.outside, 0);
  assert.equal(up.body.patrol.fast_points, 1);
  const end = await req('POST', `/api/v1/patrols/${id}/end`, tokens.worker2);
  const expected = haversine(pts[0], pts[1]) + haversine(pts[1], pts[3]);
  assert.ok(Math.abs(end.body.distance_m - expected) < 0.02);
  const got = await req('GET', `/api/v1/patrols/${id}`, tokens.worker2);
  assert.deepEqual(got.body.track.map((p) => p.fast), [false, false, true, false]);
});

test('reading patrols: the track, the cases found, scope and filters', async () => {
  let r = await req('GET', `/api/v1/patrols/${patrolId}`, tokens.staff);
  assert.equal(r.status, 200);
  assert.equal(r.body.track.length, 4);
  assert.deepEqual(r.body.track.map((p) => p.outside), [false, false, true, false]);
  assert.equal(r.body.track[0].lon, 113.096);
  assert.equal(r.body.cases.length, 1);
  assert.equal(r.body.cases[0].number, caseNumber);
  // outside the grid of worker2; residents and handlers see no patrols
  r = await req('GET', `/api/v1/patrols/${patrolId}`, tokens.worker2);
  assert.equal(r.status, 403);
  r = await req('GET', `/api/v1/patrols/${patrolId}`, tokens.resident);
  assert.equal(r.status, 403);
  r = await req('GET', '/api/v1/patrols/77777', tokens.leader);
  assert.equal(r.status, 404);

  r = await req('GET', `/api/v1/patrols?area=${COMMUNITY}`, tokens.leader);
  assert.equal(r.status, 200);
  assert.equal(r.body.items.length, 3);
  assert.ok(r.body.items[0].id > r.body.items[1].id);
  r = await req('GET', '/api/v1/patrols', tokens.worker2);
  assert.equal(r.body.items.length, 1);
  assert.equal(r.body.items[0].grid_code, '440605001001002');
  r = await req('GET', `/api/v1/patrols?area=${GRID1}`, tokens.worker2);
  assert.equal(r.status, 403);
  // tomorrow in the city's time (UTC+8), as the server reads the date: from 16:00 UTC on, the
  // UTC date is the city's yesterday
  const tomorrow = new Date(Date.now() + 8 * 3600000 + 86400000).toISOString().slice(0, 10);
  r = await req('GET', `/api/v1/patrols?area=${COMMUNITY}&from=${tomorrow}`, tokens.leader);
  assert.equal(r.body.items.length, 0);
  r = await req('GET', `/api/v1/patrols?area=${COMMUNITY}&to=${tomorrow}&limit=2`, tokens.leader);
  assert.equal(r.body.items.length, 2);
  assert.notEqual(r.body.next, null);
  r = await req('GET', `/api/v1/patrols?area=${COMMUNITY}&before=${r.body.next}`, tokens.leader);
  assert.equal(r.body.items.length, 1);
  r = await req('GET', `/api/v1/patrols?area=${COMMUNITY}&from=soon`, tokens.leader);
  assert.equal(r.status, 400);
  r = await req('GET', '/api/v1/patrols?area=12x', tokens.leader);
  assert.equal(r.status, 400);
});

// ---- household visits, cadence, tasks, campaigns -----------------------------------------

const CELL1 = '440605001001001001';
const CELL2 = '440605001001001002';
const GRID2 = '440605001001002';
const DAY = 86400000;
const ids = {};

function sql(statement) {
  const r = rawSql(db, statement);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('base data for the visits: households, a tagged member, an organisation', async () => {
  const mk = async (token, path, body) => {
    const r = await req('POST', path, token, body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };
  ids.h1 = await mk(tokens.worker1, '/api/v1/households',
    { area_code: CELL1, kind: 'registered_family', address: '南桂东路1号' });
  ids.h2 = await mk(tokens.worker1, '/api/v1/households',
    { area_code: CELL1, kind: 'registered_family', address: '南桂东路2号' });
  ids.h3 = await mk(tokens.worker1, '/api/v1/households',
    { area_code: CELL2, kind: 'non_registered_family', address: '南桂东路3号' });
  ids.h4 = await mk(tokens.worker2, '/api/v1/households',
    { area_code: GRID2, kind: 'registered_family', address: '夏北路4号' });
  ids.p1 = await mk(tokens.worker1, '/api/v1/persons', {
    area_code: CELL1, name: '陈伯', sex: 'M', birth_date: '1940-01-01', is_registered: true,
    household_id: ids.h1, tags: ['elderly_alone'],
  });
  ids.o1 = await mk(tokens.worker1, '/api/v1/organisations',
    { area_code: CELL1, name: '平洲五金厂', kind: 'business' });
});

let visitId;
let followUpNumber;

test('a visit with a follow-up case lands in the household file timeline', async () => {
  const r = await req('POST', '/api/v1/visits', tokens.worker1, {
    household_id: ids.h1, findings: '老人独居，屋顶漏水', follow_up_case: {
      category: '0101', description: '独居老人家中屋顶漏水，需维修',
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  visitId = r.body.id;
  assert.equal(r.body.subject_kind, 'household');
  assert.equal(r.body.area_code, CELL1);
  assert.equal(r.body.follow_up_case.channel, 'visit');
  assert.equal(r.body.follow_up_case_id, r.body.follow_up_case.id);
  followUpNumber = r.body.follow_up_case.number;
  const c = await req('GET', `/api/v1/cases/${r.body.follow_up_case.id}`, tokens.worker1);
  assert.equal(c.status, 200);
  assert.equal(c.body.area_code, CELL1);

  const file = await req('GET', `/api/v1/households/${ids.h1}/file`, tokens.worker1);
  assert.equal(file.status, 200);
  const visit = file.body.timeline.find((e) => e.kind === 'visit');
  assert.ok(visit, JSON.stringify(file.body.timeline));
  assert.equal(visit.id, visitId);
  assert.equal(visit.summary, '老人独居，屋顶漏水');
  const kase = file.body.timeline.find((e) => e.kind === 'case');
  assert.equal(kase.number, followUpNumber);

  const got = await req('GET', `/api/v1/visits/${visitId}`, tokens.staff);
  assert.equal(got.status, 200);
  assert.equal(got.body.findings, '老人独居，屋顶漏水');

  const org = await req('POST', '/api/v1/visits', tokens.worker1,
    { organisation_id: ids.o1, findings: '消防通道畅通' });
  assert.equal(org.status, 201);
  assert.equal(org.body.subject_kind, 'organisation');
  assert.equal(org.body.follow_up_case, null);
});

test('visits: scope, bad input, and nothing half-written', async () => {
  const count = () => Number(sql('SELECT count(*) FROM visits'));
  const cases = () => Number(sql('SELECT count(*) FROM cases'));
  const before = [count(), cases()];
  let r = await req('POST', '/api/v1/visits', tokens.worker1,
    { household_id: ids.h4, findings: 'x' });
  assert.equal(r.status, 403);
  r = await req('POST', '/api/v1/visits', tokens.leader, { household_id: ids.h1, findings: 'x' });
  assert.equal(r.status, 403);
  r = await req('POST', '/api/v1/visits', tokens.worker1, { household_id: 99999, findings: 'x' });
  assert.equal(r.status, 404);
  const bad = [
    { household_id: ids.h1, organisation_id: ids.o1, findings: 'x' },
    { findings: 'x' },
    { household_id: ids.h1 },
    { household_id: ids.h1, findings: '' },
    { household_id: ids.h1, findings: 'x'.repeat(2001) },
    { household_id: ids.h1, findings: 'x', visited_at: new Date(Date.now() + DAY).toISOString() },
    { household_id: ids.h1, findings: 'x', visited_at: '2020-01-01' },
    { household_id: ids.h1, findings: 'x', visited_at: 'last week' },
    { household_id: ids.h1, findings: 'x', mood: 'fine' },
    { household_id: ids.h1, findings: 'x', follow_up_case: 'fix it' },
    { household_id: ids.h1, findings: 'x', follow_up_case: { description: 'no category' } },
    // a category the taxonomy does not know: the case fails, so the visit is not kept either
    { household_id: ids.h1, findings: 'x', follow_up_case: { category: '9999', description: 'y' } },
  ];
  for (const body of bad) {
    r = await req('POST', '/api/v1/visits', tokens.worker1, body);
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 100));
    assert.equal(r.body.error.code, 'invalid_argument');
  }
  assert.deepEqual([count(), cases()], before);
  const file = await req('GET', `/api/v1/households/${ids.h1}/file`, tokens.worker1);
  assert.equal(file.body.timeline.filter((e) => e.kind === 'visit').length, 1);

  r = await req('GET', `/api/v1/visits/${visitId}`, tokens.worker2);
  assert.equal(r.status, 403);
  r = await req('GET', `/api/v1/visits?household_id=${ids.h1}`, tokens.worker1);
  assert.equal(r.status, 200);
  assert.equal(r.body.items.length, 1);
  r = await req('GET', '/api/v1/visits', tokens.staff);
  assert.equal(r.body.items.length, 2);
  r = await req('GET', '/api/v1/visits', tokens.worker2);
  assert.equal(r.body.items.length, 0);
  r = await req('GET', `/api/v1/visits?area=${CELL1}`, tokens.worker2);
  assert.equal(r.status, 403);
});

test('visit cadence rules: defaults, replaced by an administrator', async () => {
  let r = await req('GET', '/api/v1/visit-rules', tokens.worker1);
  assert.equal(r.status, 200);
  assert.equal(r.body.default_days, 182);
  const rule = (name) => r.body.rules.find((x) => x.rule === name)?.interval_days;
  assert.equal(rule('elderly_alone'), 30);
  assert.equal(rule('community_correction'), 30);
  assert.equal(rule('kind:non_registered_family'), 30);
  r = await req('PUT', '/api/v1/visit-rules', tokens.staff, { csv: 'rule,interval_days\n' });
  assert.equal(r.status, 403);
  for (const csv of ['', 'tag,days\nelderly_alone,7\n', 'rule,interval_days\nrich,7\n',
    'rule,interval_days\nelderly_alone,0\n', 'rule,interval_days\nelderly_alone,7,8\n']) {
    r = await req('PUT', '/api/v1/visit-rules', tokens.admin, { csv });
    assert.equal(r.status, 400, csv);
  }
  r = await req('PUT', '/api/v1/visit-rules', tokens.admin,
    { csv: 'rule,interval_days\ndefault,182\nelderly_alone,30\nkind:non_registered_family,30\n' });
  assert.equal(r.status, 200);
  assert.equal(r.body.rules.length, 2);
  r = await req('GET', '/api/v1/visit-rules', tokens.resident);
  assert.equal(r.status, 403);
});

test('the task list: overdue visits worst first, by risk interval', async () => {
  const now = Date.now();
  // the households' files were opened 200 days ago; h1 was just visited
  sql(`UPDATE households SET created_ms = ${now - 200 * DAY} WHERE id IN (${ids.h1}, ${ids.h2}, ${ids.h3}, ${ids.h4})`);
  let r = await req('GET', '/api/v1/tasks', tokens.worker1);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // h3 (non-registered: 30 days) is 170 days overdue, h2 (ordinary: 182) 18; h1 was visited
  assert.equal(r.body.overdue_total, 2);
  assert.deepEqual(r.body.overdue_visits.map((t) => t.subject_id), [ids.h3, ids.h2]);
  assert.equal(r.body.overdue_visits[0].days_overdue, 170);
  assert.equal(r.body.overdue_visits[0].rule, 'kind:non_registered_family');
  assert.equal(r.body.overdue_visits[1].days_overdue, 18);
  assert.equal(r.body.overdue_visits[1].last_visit_at, null);
  assert.deepEqual(r.body.to_verify, []);
  // a case of the grid handled by its department waits for the grid worker's verification
  sql(`UPDATE cases SET status = 'handled' WHERE number = '${caseNumber}'`);
  r = await req('GET', '/api/v1/tasks', tokens.worker1);
  assert.deepEqual(r.body.to_verify.map((t) => [t.task, t.number, t.status]),
    [['verify', caseNumber, 'handled']]);
  r = await req('GET', '/api/v1/tasks', tokens.worker2);
  assert.deepEqual(r.body.to_verify, []);
  sql(`UPDATE cases SET status = 'reported' WHERE number = '${caseNumber}'`);
  // h1's visit backdated 40 days: elderly_alone (30 days) makes it 10 days overdue
  sql(`UPDATE visits SET visited_ms = ${now - 40 * DAY} WHERE id = ${visitId}`);
  r = await req('GET', '/api/v1/tasks?limit=2', tokens.worker1);
  assert.equal(r.body.overdue_total, 3);
  assert.deepEqual(r.body.overdue_visits.map((t) => t.subject_id), [ids.h3, ids.h2]);
  r = await req('GET', '/api/v1/tasks', tokens.worker1);
  assert.equal(r.body.overdue_visits[2].subject_id, ids.h1);
  assert.equal(r.body.overdue_visits[2].rule, 'elderly_alone');
  assert.equal(r.body.overdue_visits[2].days_overdue, 10);
  r = await req('GET', '/api/v1/tasks', tokens.worker2);
  assert.deepEqual(r.body.overdue_visits.map((t) => t.subject_id), [ids.h4]);
  r = await req('GET', `/api/v1/tasks?area=${GRID1}`, tokens.worker2);
  assert.equal(r.status, 403);
  r = await req('GET', '/api/v1/tasks?limit=0', tokens.worker1);
  assert.equal(r.status, 400);
  sql(`UPDATE visits SET visited_ms = ${now} WHERE id = ${visitId}`);
});

test('a visit campaign: every household and organisation of the area, coverage per grid',
  async () => {
    const today = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    const later = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
    let r = await req('POST', '/api/v1/campaigns', tokens.worker1,
      { name: '四万走访', area: COMMUNITY, from: today, to: later });
    assert.equal(r.status, 403);
    for (const body of [{ name: '', area: COMMUNITY, from: today, to: later },
      { name: 'x', area: COMMUNITY, from: later, to: today },
      { name: 'x', area: COMMUNITY, from: 'soon', to: later },
      { name: 'x', area: COMMUNITY, from: '2020-01-01', to: '2026-01-01' },
      { name: 'x', area: 'abc', from: today, to: later },
      { name: 'x', area: COMMUNITY, from: today }]) {
      r = await req('POST', '/api/v1/campaigns', tokens.staff, body);
      assert.equal(r.status, 400, JSON.stringify(body));
    }
    r = await req('POST', '/api/v1/campaigns', tokens.staff,
      { name: '四万走访', area: COMMUNITY, from: today, to: later });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.targets, 5); // h1..h4 and o1
    const id = r.body.id;
    r = await req('GET', `/api/v1/campaigns/${id}`, tokens.leader);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.grids.map((g) => [g.grid, g.targets, g.visited]),
      [[GRID1, 4, 2], [GRID2, 1, 0]]);
    assert.equal(r.body.visited, 2);
    assert.equal(r.body.coverage, 0.4);
    const v = await req('POST', '/api/v1/visits', tokens.worker2,
      { household_id: ids.h4, findings: '一切正常' });
    assert.equal(v.status, 201);
    r = await req('GET', `/api/v1/campaigns/${id}`, tokens.staff);
    assert.deepEqual(r.body.grids.map((g) => [g.grid, g.targets, g.visited]),
      [[GRID1, 4, 2], [GRID2, 1, 1]]);
    assert.equal(r.body.grids[1].coverage, 1);
    r = await req('GET', `/api/v1/campaigns/${id}`, tokens.worker2);
    assert.equal(r.status, 403);
    r = await req('GET', '/api/v1/campaigns/4242', tokens.leader);
    assert.equal(r.status, 404);
  });

// ---- station teams and their office hours -------------------------------------------------

let teamId;

test('a leader forms a station team of cadres linked to a community, with a weekly schedule',
  async () => {
    const team = {
      name: '桂城驻点一组', area: '440605001', communities: [COMMUNITY], members: ['cadre1'],
      schedule: [{ weekday: 2, time: '19:00', duration_min: 120 }],
    };
    let r = await req('POST', '/api/v1/station-teams', tokens.staff, team);
    assert.equal(r.status, 403);
    r = await req('POST', '/api/v1/station-teams', tokens.cadre1, team);
    assert.equal(r.status, 403);
    const bad = [
      [{ ...team, area: COMMUNITY }, 400],
      [{ ...team, communities: [] }, 400],
      [{ ...team, communities: [COMMUNITY, '440605001002', '440605001003'] }, 400],
      [{ ...team, communities: [COMMUNITY, COMMUNITY] }, 400],
      [{ ...team, communities: ['440605002001'] }, 400],
      [{ ...team, communities: ['440605001009'] }, 404],
      [{ ...team, members: ['worker1'] }, 400],
      [{ ...team, members: ['cadre2'] }, 400],
      [{ ...team, members: ['nobody'] }, 404],
      [{ ...team, members: [] }, 400],
      [{ ...team, schedule: [{ weekday: 8, time: '19:00' }] }, 400],
      [{ ...team, schedule: [{ weekday: 2, time: '25:00' }] }, 400],
      [{ ...team, schedule: [{ weekday: 2, time: '19:00', community: '440605001002' }] }, 400],
      [{ ...team, name: '' }, 400],
      [{ ...team, colour: 'red' }, 400],
    ];
    for (const [body, status] of bad) {
      r = await req('POST', '/api/v1/station-teams', tokens.leader, body);
      assert.equal(r.status, status, JSON.stringify(body).slice(0, 120));
    }
    r = await req('POST', '/api/v1/station-teams', tokens.leader, team);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    teamId = r.body.id;
    assert.deepEqual(r.body.communities, [COMMUNITY]);
    assert.equal(r.body.members[0].username, 'cadre1');
    assert.deepEqual(r.body.schedule,
      [{ weekday: 2, time: '19:00', duration_min: 120, community: COMMUNITY }]);

    r = await req('GET', '/api/v1/station-teams', tokens.staff);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items.map((t) => t.id), [teamId]);
    r = await req('GET', '/api/v1/station-teams', tokens.worker2);
    assert.equal(r.body.items.length, 0);
    r = await req('GET', `/api/v1/station-teams/${teamId}`, tokens.cadre1);
    assert.equal(r.status, 200);
    r = await req('GET', `/api/v1/station-teams/${teamId}`, tokens.cadre2);
    assert.equal(r.status, 403);
    r = await req('GET', '/api/v1/station-teams/999', tokens.leader);
    assert.equal(r.status, 404);
  });

let sessionId;

test('a cadre records a session: solved on the spot, ticketed (a case), explained', async () => {
  const count = () => sql('SELECT (SELECT count(*) FROM station_sessions) || \',\' || (SELECT count(*) FROM cases)');
  const items = [
    { kind: 'solved_on_spot', summary: '楼道灯不亮，当场联系物业更换' },
    { kind: 'ticketed', summary: '小区门口积水', case: { category: '0101', description: '小区门口下雨积水严重' } },
    { kind: 'explained', summary: '咨询学位政策，已解释' },
  ];
  const before = count();
  const bad = [
    [tokens.worker1, { team_id: teamId, items }, 403],
    [tokens.cadre2, { team_id: teamId, items }, 403],
    [tokens.cadre1, { team_id: 999, items }, 404],
    [tokens.cadre1, { team_id: teamId, items: [] }, 400],
    [tokens.cadre1, { team_id: teamId, items: [{ kind: 'ticketed', summary: 'x' }] }, 400],
    [tokens.cadre1, { team_id: teamId, items: [{ ...items[2], case: items[1].case }] }, 400],
    [tokens.cadre1, { team_id: teamId, items: [{ kind: 'ignored', summary: 'x' }] }, 400],
    [tokens.cadre1, { team_id: teamId, items: [{ kind: 'explained', summary: '' }] }, 400],
    [tokens.cadre1, { team_id: teamId, community: '440605001002', items }, 400],
    [tokens.cadre1, { team_id: teamId, held_at: '2030-01-01T00:00:00Z', items }, 400],
    // the second ticket's case is bad: the first ticket's case is not kept either
    [tokens.cadre1, { team_id: teamId, items: [items[1], { ...items[1], case: { category: '9999', description: 'y' } }] }, 400],
  ];
  for (const [token, body, status] of bad) {
    const r = await req('POST', '/api/v1/sessions', token, body);
    assert.equal(r.status, status, JSON.stringify(body).slice(0, 120));
  }
  assert.equal(count(), before);

  const r = await req('POST', '/api/v1/sessions', tokens.cadre1, { team_id: teamId, items });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  sessionId = r.body.id;
  assert.equal(r.body.community, COMMUNITY);
  assert.deepEqual(r.body.items.map((i) => i.kind), ['solved_on_spot', 'ticketed', 'explained']);
  assert.equal(r.body.items[0].case_id, null);
  const caseId = r.body.items[1].case_id;
  assert.ok(caseId > 0);
  const c = await req('GET', `/api/v1/cases/${caseId}`, tokens.staff);
  assert.equal(c.body.channel, 'office_hours');
  assert.equal(c.body.area_code, COMMUNITY);
  assert.equal(sql(`SELECT source || ':' || source_id FROM field_case_links WHERE case_id = ${caseId}`),
    `session:${sessionId}`);

  let g = await req('GET', `/api/v1/sessions/${sessionId}`, tokens.staff);
  assert.equal(g.status, 200);
  assert.equal(g.body.items.length, 3);
  g = await req('GET', `/api/v1/sessions/${sessionId}`, tokens.worker2);
  assert.equal(g.status, 403);
  g = await req('GET', `/api/v1/sessions?team_id=${teamId}`, tokens.leader);
  assert.deepEqual(g.body.items.map((s) => s.id), [sessionId]);
  g = await req('GET', '/api/v1/sessions', tokens.staff);
  assert.equal(g.body.items.length, 1);
  g = await req('GET', `/api/v1/sessions?team_id=${teamId}`, tokens.cadre2);
  assert.equal(g.status, 403);
});

// ---- compliance: a small scenario computed by hand ---------------------------------------

test('compliance: patrols per day against the norm, unvisited households, who finds the cases, '
  + 'sessions held against scheduled', async () => {
  // a resident reports in grid 2 through the public form
  let r = await req('POST', '/api/v1/cases', undefined, {
    channel: 'web', category: '0101', description: '路面坑洼', lon: 113.05, lat: 23.15,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  // a second team that holds no sessions: Monday and Thursday office hours
  r = await req('POST', '/api/v1/station-teams', tokens.leader, {
    name: '桂城驻点二组', area: '440605001', communities: [COMMUNITY], members: ['cadre1'],
    schedule: [{ weekday: 1, time: '09:00' }, { weekday: 4, time: '15:30', duration_min: 90 }],
  });
  assert.equal(r.status, 201);
  const idleTeam = r.body.id;

  // seven whole local days (UTC+8) ending tomorrow: one Tuesday, one Monday, one Thursday
  const localToday = Date.parse(new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10));
  const day = (n) => new Date(localToday + n * DAY).toISOString().slice(0, 10);
  const q = `area=${COMMUNITY}&from=${day(-6)}&to=${day(1)}`;
  r = await req('GET', `/api/v1/compliance?${q}`, tokens.staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.days, 7);
  // worst patrolled first: grid 2 had 1 patrol in 7 days, grid 1 had 2 (norm: 14)
  assert.deepEqual(r.body.grids.map((g) => g.grid), [GRID2, GRID1]);
  const [g2, g1] = r.body.grids;
  assert.deepEqual(g2.patrols, { count: 1, per_day: 0.143, norm_per_day: 2, shortfall: 13 });
  assert.deepEqual(g1.patrols, { count: 2, per_day: 0.286, norm_per_day: 2, shortfall: 12 });
  // grid 1: h1 visited now; h2 and h3 opened 200 days ago and never visited
  assert.deepEqual(g1.households, { total: 3, unvisited_30d: 2, overdue: 2 });
  assert.deepEqual(g2.households, { total: 1, unvisited_30d: 0, overdue: 0 });
  // grid 1: the patrol case and the visit's follow-up; grid 2: the resident's report
  assert.deepEqual(g1.cases, { found_by_grid_workers: 2, reported_by_residents: 0, found_share: 1 });
  assert.deepEqual(g2.cases, { found_by_grid_workers: 0, reported_by_residents: 1, found_share: 0 });
  // teams: the idle one missed both its sessions; the first held its Tuesday session
  assert.deepEqual(r.body.teams.map((t) => [t.team_id, t.scheduled, t.held, t.missed, t.held_rate]),
    [[idleTeam, 2, 0, 2, 0], [teamId, 1, 1, 0, 1]]);

  r = await req('GET', `/api/v1/compliance?${q}&sort=unvisited`, tokens.leader);
  assert.deepEqual(r.body.grids.map((g) => g.grid), [GRID1, GRID2]);
  r = await req('GET', `/api/v1/compliance?${q}&sort=found`, tokens.leader);
  assert.deepEqual(r.body.grids.map((g) => g.grid), [GRID2, GRID1]);
  // an earlier week: nothing happened, every figure is zero, the schedule still counts
  r = await req('GET', `/api/v1/compliance?area=${COMMUNITY}&from=${day(-20)}&to=${day(-13)}`,
    tokens.leader);
  assert.deepEqual(r.body.grids.map((g) => g.patrols.count), [0, 0]);
  assert.equal(r.body.grids[0].cases.found_share, null);
  assert.deepEqual(r.body.teams.map((t) => t.missed), [2, 1]);

  const csv = await req('GET', `/api/v1/compliance?${q}&format=csv`, tokens.leader);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  const lines = csv.body.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^grid,name,patrols,patrols_per_day/);
  assert.ok(lines[1].startsWith(`${GRID2},第2网格,1,0.143,2,13,1,0,0,0,1,0.000,7.00`), lines[1]);
  const teams = await req('GET', `/api/v1/compliance?${q}&format=csv&list=teams`, tokens.leader);
  assert.equal(teams.body.trim().split('\n')[1], `${idleTeam},桂城驻点二组,2,0,2,0.000`);
  const xlsx = await fetch(`${server.url}/api/v1/compliance?${q}&format=xlsx`,
    { headers: { authorization: `Bearer ${tokens.leader}` } });
  assert.equal(xlsx.status, 200);
  assert.match(xlsx.headers.get('content-type'), /spreadsheetml/);
  const bytes = Buffer.from(await xlsx.arrayBuffer());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK');
});

test('compliance: scope and bad input', async () => {
  let r = await req('GET', `/api/v1/compliance?area=${COMMUNITY}`, tokens.worker1);
  assert.equal(r.status, 403);
  r = await req('GET', '/api/v1/compliance?area=440605001', tokens.staff);
  assert.equal(r.status, 403);
  r = await req('GET', '/api/v1/compliance', tokens.resident);
  assert.equal(r.status, 403);
  r = await req('GET', '/api/v1/compliance?area=440605', tokens.dispatcher);
  assert.equal(r.status, 200);
  assert.equal(r.body.grids.length, 2);
  for (const query of ['from=yesterday', 'from=2026-03-10&to=2026-03-01',
    'from=2024-01-01&to=2026-01-01', 'format=pdf', 'sort=best', 'list=people', 'area=4406x']) {
    r = await req('GET', `/api/v1/compliance?${query}`, tokens.leader);
    assert.equal(r.status, 400, query);
    assert.equal(r.body.error.code, 'invalid_argument');
  }
  r = await req('GET', '/api/v1/compliance?area=440605009', tokens.leader);
  assert.equal(r.status, 404);
});
