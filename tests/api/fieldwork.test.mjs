// Field work over HTTP (issue 5): patrols (start, batched GPS upload with idempotent retries,
// points outside the grid flagged, end with distance and duration from the track, listing
// and reading with scope), cases found on a patrol.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, removeDir, makeDatabase, startServer, login } from './helpers.mjs';

const GRID1 = '440605001001001'; // worker1's grid: lon 113.0-113.1, lat 23.0-23.1
const COMMUNITY = '440605001001';
const R = 6371008.8;

let dir;
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
  const db = makeDatabase(dir);
  server = await startServer(db);
  for (const u of ['admin', 'leader', 'worker1', 'worker2', 'staff', 'dispatcher', 'resident']) {
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
  const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
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
