// Analysis over HTTP on the demo city's year of cases (`gridgov demo --scale small`):
// forecasts with bands (weekly and monthly, cross-checked against the case list), hot spots
// and alerts raised by a surge reported through the API, the seasonal-peak suggestion for
// labour cases before the Spring Festival, access rules and precise 400s; and
// `gridgov backtest` on the same database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  newDatabaseName,
  tempDir, removeDir, startServer, login, getJson, postJson, gridgov, mustGridgov,
  mustGridgovWithin, PASSWORD,
} from './helpers.mjs';

let dir;
let db;
let server;
let url;
const tokens = {};

before(async () => {
  dir = tempDir();
  db = newDatabaseName(dir, 'demo');
  // The year of cases takes about 10 s on SQLite and 2 minutes on PostgreSQL (a round trip
  // per statement; see docs/PERFORMANCE.md), more on a loaded machine.
  mustGridgovWithin(900000, 'demo', '--db', db, '--scale', 'small', '--seed', '7',
    '--password', PASSWORD);
  server = await startServer(db);
  url = server.url;
  for (const name of ['leader', 'dispatcher', 'community_staff', 'grid_worker', 'resident']) {
    tokens[name] = (await login(url, name)).token;
  }
});

after(async () => {
  if (server) await server.stop();
  if (dir) removeDir(dir);
});

const get = (path, token = tokens.leader) => getJson(`${url}${path}`, token);

function dayOfWeek(text) {
  return new Date(`${text}T00:00:00Z`).getUTCDay();
}

function addDays(text, n) {
  const d = new Date(`${text}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function assertBands(p) {
  for (const k of ['point', 'lo80', 'hi80', 'lo95', 'hi95']) assert.ok(Number.isFinite(p[k]), k);
  assert.ok(p.lo95 >= 0);
  assert.ok(p.lo95 <= p.lo80 && p.lo80 <= p.point && p.point <= p.hi80 && p.hi80 <= p.hi95,
    JSON.stringify(p));
}

// Cases of a category prefix created in the local (UTC+8) days [from, to), counted by paging
// the case list.
async function countCases(category, from, to) {
  const utc = (d) => new Date(Date.parse(`${d}T00:00:00Z`) - 8 * 3600 * 1000).toISOString()
    .replace(/\.\d+Z$/, 'Z');
  let n = 0;
  let cursor = '';
  for (;;) {
    const r = await get(`/api/v1/cases?area=440605&category=${category}&from=${utc(from)}` +
      `&to=${utc(to)}&limit=200${cursor ? `&cursor=${cursor}` : ''}`, tokens.dispatcher);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    n += r.body.items.length;
    if (!r.body.next_cursor) return n;
    cursor = r.body.next_cursor;
  }
}

test('weekly forecast: a year of Monday weeks, 12 weeks ahead with ordered bands', async () => {
  const r = await get('/api/v1/stats/forecast?area=440605&by=week');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const { history, forecast, model } = r.body;
  assert.equal(r.body.by, 'week');
  assert.equal(r.body.category, null);
  assert.ok(history.length >= 48 && history.length <= 53, `history ${history.length}`);
  for (let i = 0; i < history.length; i++) {
    assert.equal(dayOfWeek(history[i].start), 1, history[i].start);
    if (i > 0) assert.equal(history[i].start, addDays(history[i - 1].start, 7));
  }
  // the demo city has about 6,000 cases a year: 80-150 a week
  const mean = history.reduce((s, h) => s + h.count, 0) / history.length;
  assert.ok(mean > 80 && mean < 150, `mean ${mean}`);
  assert.equal(forecast.length, 12);
  assert.equal(forecast[0].start, addDays(history[history.length - 1].start, 7));
  for (let k = 0; k < 12; k++) {
    assertBands(forecast[k]);
    if (k > 0) assert.equal(forecast[k].start, addDays(forecast[k - 1].start, 7));
    // a sane forecast of a stable series: within half and double of the year's mean
    assert.ok(forecast[k].point > mean / 2 && forecast[k].point < mean * 2);
  }
  // bands widen (or stay) with the horizon
  assert.ok(forecast[11].hi95 - forecast[11].lo95 >= forecast[0].hi95 - forecast[0].lo95);
  assert.equal(model.season, 1); // one year of weeks holds no week-of-year season
  assert.ok(model.alpha > 0 && model.alpha < 1);
});

test('monthly forecast of a category equals the case list and runs 6 months ahead', async () => {
  const r = await get('/api/v1/stats/forecast?area=440605&category=08&by=month');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.category, '08');
  assert.equal(typeof r.body.category_name, 'string');
  const { history, forecast } = r.body;
  assert.ok(history.length >= 10 && history.length <= 12);
  for (const h of history) assert.equal(h.start.slice(8), '01');
  // two months cross-checked against the case list (local month bounds)
  for (const i of [0, history.length - 1]) {
    const from = history[i].start;
    const to = i + 1 < history.length ? history[i + 1].start : forecast[0].start;
    assert.equal(history[i].count, await countCases('08', from, to), from);
  }
  assert.equal(forecast.length, 6);
  for (const p of forecast) {
    assertBands(p);
    assert.equal(p.start.slice(8), '01');
  }
});

test('forecast parameters are validated and the area is access-checked', async () => {
  const bad = [
    ['/api/v1/stats/forecast?by=day', /by/],
    ['/api/v1/stats/forecast?by=year', /by/],
    ['/api/v1/stats/forecast?category=abc', /category/],
    ['/api/v1/stats/forecast?area=12345', /area/],
    ['/api/v1/stats/hotspots?from=2026-02-30', /from/],
    ['/api/v1/stats/hotspots?from=2026-03-01&to=2026-03-01', /period/],
    ['/api/v1/stats/hotspots?from=2024-01-01&to=2026-01-01', /period/],
    ['/api/v1/stats/hotspots?to=yesterday', /to/],
    ['/api/v1/alerts?area=x', /area/],
  ];
  for (const [path, re] of bad) {
    const r = await get(path);
    assert.equal(r.status, 400, path);
    assert.equal(r.body.error.code, 'invalid_argument', path);
    assert.match(r.body.error.message, re, path);
  }
  // outside the caller's subtree, a role without case reading, no login
  for (const path of ['/api/v1/stats/forecast?area=440605', '/api/v1/stats/hotspots?area=440605',
    '/api/v1/alerts?area=440605']) {
    const r = await get(path, tokens.community_staff);
    assert.equal(r.status, 403, path);
    assert.equal(r.body.error.code, 'forbidden');
    assert.equal((await get(path, tokens.resident)).status, 403, path);
    assert.equal((await get(path, null)).status, 401, path);
  }
  // default area: the caller's own scope
  const own = await get('/api/v1/stats/forecast', tokens.community_staff);
  assert.equal(own.status, 200);
  assert.equal(own.body.area, '440605011001');
  for (const path of ['/api/v1/stats/forecast', '/api/v1/stats/hotspots', '/api/v1/alerts']) {
    const r = await get(`${path}?area=440605999`, tokens.leader);
    assert.equal(r.status, 404, path);
    assert.equal(r.body.error.code, 'not_found');
  }
});

test('labour cases peak before the Spring Festival: a themed station session is suggested', async () => {
  const r = await get('/api/v1/alerts?area=440605');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const peak = r.body.items.find((a) => a.kind === 'seasonal_peak' && a.category === '08');
  assert.ok(peak, JSON.stringify(r.body.items));
  assert.ok(peak.expected_peak >= 1.5 * peak.baseline);
  assert.ok(peak.act_by < peak.peak_week);
  assert.equal(addDays(peak.act_by, 14) <= peak.peak_week, true);
  assert.match(peak.suggestion, /主题驻点/);
  // the peak falls in December to February
  assert.match(peak.peak_week, /-(12|01|02)-/);
});

test('a surge reported today is a hot spot among its siblings and breaks its band', async () => {
  // before: the community is not hot in class 13 and no band alert for 13
  const before13 = await get('/api/v1/stats/hotspots?area=440605011');
  assert.equal(before13.status, 200);
  assert.ok(!before13.body.items.some((h) => h.category === '13'));
  // 20 reports of category 1301 in one grid of community 440605011001, today
  for (let i = 0; i < 20; i++) {
    const r = await postJson(`${url}/api/v1/cases`, tokens.grid_worker, {
      channel: 'patrol', category: '1301', description: `第${i}起 同类问题集中出现`,
      area_code: '440605011001001',
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const hs = await get('/api/v1/stats/hotspots?area=440605011');
  assert.equal(hs.status, 200, JSON.stringify(hs.body));
  assert.ok(hs.body.areas >= 3, `${hs.body.areas} child areas`);
  const hot = hs.body.items.find((h) => h.area === '440605011001' && h.category === '13');
  assert.ok(hot, JSON.stringify(hs.body.items));
  assert.ok(hot.count >= 20);
  assert.ok(hot.p_value < 0.01);
  assert.ok(hot.z_sibling >= 2);
  assert.equal(typeof hot.area_name, 'string');
  // only that community is hot in class 13
  assert.equal(hs.body.items.filter((h) => h.category === '13').length, 1);
  // the district's class-13 series breaks its band this week
  const al = await get('/api/v1/alerts?area=440605');
  const band = al.body.items.find((a) => a.kind === 'above_band' && a.category === '13');
  assert.ok(band, JSON.stringify(al.body.items));
  assert.ok(band.observed > band.hi95);
  assert.ok(band.observed >= 20);
});

test('gridgov backtest reports MASE against seasonal naive and interval coverage', () => {
  const r = mustGridgov('backtest', '--db', db, '--json');
  const out = JSON.parse(r.stdout);
  assert.equal(out.by, 'day');
  assert.ok(out.series.length >= 5, `${out.series.length} series`);
  assert.ok(Number.isFinite(out.mase_ratio) && out.mase_ratio > 0);
  assert.ok(out.coverage_80 > 0.5 && out.coverage_80 <= 1);
  assert.ok(out.coverage_95 >= out.coverage_80);
  // the model beats seasonal naive on the demo's noisy daily counts
  assert.ok(out.mase_ratio < 0.9, `mase_ratio ${out.mase_ratio}`);
  let outcomes = 0;
  let ratio = 0;
  for (const s of out.series) {
    assert.match(s.category, /^\d\d$/);
    assert.ok(s.cases >= 100);
    outcomes += s.outcomes;
    ratio += s.mase / s.mase_snaive;
  }
  assert.equal(outcomes, out.outcomes);
  assert.ok(Math.abs(ratio / out.series.length - out.mase_ratio) < 1e-6);
  const weekly = JSON.parse(mustGridgov('backtest', '--db', db, '--json', '--by', 'week',
    '--area', '440605011').stdout);
  assert.equal(weekly.by, 'week');
  assert.equal(weekly.area, '440605011');
  const table = mustGridgov('backtest', '--db', db);
  assert.match(table.stdout, /mase_ratio/);
  assert.notEqual(gridgov('backtest', '--db', db, '--by', 'year').status, 0);
  assert.notEqual(gridgov('backtest', '--db', db, '--area', 'x').status, 0);
});
