// Ratings and surveys over HTTP (issue 7, item 4; docs/INDICATORS.md "Ratings", "Surveys"):
// a questionnaire created by an admin, answered on the public endpoint (one response per
// respondent key, a grid or cell required, bad answers refused), results per child area with
// small cells suppressed and ranks, paper answers imported from CSV (line-numbered rejects,
// idempotent), composite scores tied to the indicators, the year's stars rated once by a
// leader, and the rating settings document; answering is rate limited. Access: 401
// anonymous, 403 residents and areas outside the caller's subtree, admins/leaders only where
// the brief says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  tempDir, removeDir, makeDatabase, startServer, login, getJson, postJson, gridgov,
} from './helpers.mjs';

let dir;
let db;
let server;
let url;
const tokens = {};

// Today in city time (UTC+8): the survey of the current quarter is open.
const cityNow = new Date(Date.now() + 8 * 3600e3);
const YEAR = cityNow.getUTCFullYear();
const QUARTER = Math.floor(cityNow.getUTCMonth() / 3) + 1;

const QUESTIONS = [
  { id: 'q1', text: '您觉得本社区的治安状况如何？', type: 'rating', dimension: 'security', weight: 2 },
  { id: 'q2', text: '夜间独自出行是否感到安全？', type: 'yesno', dimension: 'security', weight: 1 },
  {
    id: 'q3',
    text: '您对网格员的服务是否满意？',
    type: 'choice',
    dimension: 'satisfaction',
    weight: 1,
    options: [{ label: '满意', score: 100 }, { label: '一般', score: 50 }, { label: '不满意', score: 0 }],
  },
];
const GRID1 = '440605001001001';
const GRID2 = '440605001001002';
const CELL1 = '440605001001001001';

let surveyId;
let pastSurveyId;

const near = (a, b) => Math.abs(a - b) < 1e-6;

async function respond(id, body) {
  return postJson(`${url}/api/v1/surveys/${id}/responses`, null, body);
}

before(async () => {
  dir = tempDir();
  db = makeDatabase(dir);
  server = await startServer(db, [], { GRIDGOV_SWEEP_INTERVAL_S: '3600' });
  url = server.url;
  for (const u of ['admin', 'leader', 'staff', 'worker1', 'resident', 'dispatcher']) {
    tokens[u] = (await login(url, u)).token;
  }
});

after(async () => {
  await server?.stop();
  removeDir(dir);
});

test('creating a survey: admins only, validated', async () => {
  const body = { title: `${YEAR}年第${QUARTER}季度群众安全感和满意度调查`, area: '440605', year: YEAR, quarter: QUARTER, questions: QUESTIONS };
  assert.equal((await postJson(`${url}/api/v1/surveys`, null, body)).status, 401);
  const staff = await postJson(`${url}/api/v1/surveys`, tokens.staff, body);
  assert.equal(staff.status, 403);
  const leader = await postJson(`${url}/api/v1/surveys`, tokens.leader, body);
  assert.equal(leader.status, 403);

  const bad = [
    [{ ...body, questions: [] }, /questions/],
    [{ ...body, quarter: 5 }, /quarter/],
    [{ ...body, questions: QUESTIONS.map((q) => ({ ...q, weight: 0 })) }, /all be 0/],
    [{ ...body, questions: [QUESTIONS[0], { ...QUESTIONS[1], id: 'q1' }] }, /repeated/],
    [{ ...body, questions: [{ ...QUESTIONS[0], type: 'scale' }] }, /type/],
    [{ ...body, questions: [{ ...QUESTIONS[2], options: [{ label: 'x', score: 101 }, { label: 'y', score: 0 }] }] }, /score/],
    [{ ...body, questions: [{ ...QUESTIONS[0], weight: -1 }] }, /weight/],
    [{ ...body, extra: 1 }, /extra/],
  ];
  for (const [b, message] of bad) {
    const r = await postJson(`${url}/api/v1/surveys`, tokens.admin, b);
    assert.equal(r.status, 400, JSON.stringify(b));
    assert.equal(r.body.error.code, 'invalid_argument');
    assert.match(r.body.error.message, message);
  }
  const outside = await postJson(`${url}/api/v1/surveys`, tokens.admin, { ...body, area: '440606' });
  assert.equal(outside.status, 403);
  const unknown = await postJson(`${url}/api/v1/surveys`, tokens.admin, { ...body, area: '440605009' });
  assert.equal(unknown.status, 404);

  const ok = await postJson(`${url}/api/v1/surveys`, tokens.admin, body);
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  surveyId = ok.body.id;
  const past = await postJson(`${url}/api/v1/surveys`, tokens.admin, { ...body, title: '去年的调查', year: YEAR - 1, quarter: 4 });
  assert.equal(past.status, 201);
  pastSurveyId = past.body.id;

  // Anyone reads the questionnaire (to answer it); staff list the surveys.
  const got = await getJson(`${url}/api/v1/surveys/${surveyId}`);
  assert.equal(got.status, 200);
  assert.equal(got.body.is_open, true);
  assert.equal(got.body.questions.length, 3);
  assert.deepEqual(got.body.questions[1].scores, [100, 0]);
  assert.equal(got.body.questions[2].options[1].label, '一般');
  assert.equal((await getJson(`${url}/api/v1/surveys/${pastSurveyId}`)).body.is_open, false);
  assert.equal((await getJson(`${url}/api/v1/surveys/99999`)).status, 404);
  assert.equal((await getJson(`${url}/api/v1/surveys/abc`)).status, 404);
  // A survey of the other street: listed for the admin, not for the first street's staff.
  const other = await postJson(`${url}/api/v1/surveys`, tokens.admin, { ...body, title: '九江镇调查', area: '440605002' });
  assert.equal(other.status, 201);
  const list = await getJson(`${url}/api/v1/surveys`, tokens.staff);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.surveys.map((s) => s.id), [pastSurveyId, surveyId]);
  const all = await getJson(`${url}/api/v1/surveys`, tokens.admin);
  assert.deepEqual(all.body.surveys.map((s) => s.id), [other.body.id, pastSurveyId, surveyId]);
  assert.equal((await getJson(`${url}/api/v1/surveys`, tokens.resident)).status, 403);
  assert.equal((await getJson(`${url}/api/v1/surveys`)).status, 401);
});

test('responses: one per respondent key, a grid or cell inside the survey, valid answers', async () => {
  // r1..r5 in grid 1 (hand-computed scores: overall, security, satisfaction)
  const answers = [
    ['r1', CELL1, { q1: 5, q2: true, q3: '满意' }], // 100, 100, 100
    ['r2', GRID1, { q1: 4, q2: 'no', q3: 2 }], // (150+0+50)/4 = 50, 150/3 = 50, 50
    ['r3', GRID1, { q1: 3, q2: 'yes', q3: '不满意' }], // (100+100+0)/4 = 50, 200/3, 0
    ['r4', GRID1, { q1: 1 }], // 0, 0, none
    ['r5', CELL1, { q3: '满意', q1: null }], // 100, none, 100
    ['r6', GRID2, { q1: 5 }], // 100, 100, none (alone in grid 2)
  ];
  for (const [respondent, area, a] of answers) {
    const r = await respond(surveyId, { respondent, area, answers: a });
    assert.equal(r.status, 201, `${respondent}: ${JSON.stringify(r.body)}`);
  }
  const dup = await respond(surveyId, { respondent: 'r1', area: GRID1, answers: { q1: 1 } });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.error.code, 'already_exists');

  const bad = [
    [{ respondent: 'x1', area: '440605001001', answers: { q1: 3 } }, /grid or cell/],
    [{ respondent: 'x1', area: '440605002001001', answers: { q1: 3 } }, /does not exist/],
    [{ respondent: 'x1', area: 'abc', answers: { q1: 3 } }, /grid or cell/],
    [{ respondent: 'x1', area: GRID1, answers: { q9: 3 } }, /no question 'q9'/],
    [{ respondent: 'x1', area: GRID1, answers: { q1: 6 } }, /q1/],
    [{ respondent: 'x1', area: GRID1, answers: { q2: 3 } }, /q2/],
    [{ respondent: 'x1', area: GRID1, answers: { q3: '还行' } }, /q3/],
    [{ respondent: 'x1', area: GRID1, answers: {} }, /no question/],
    [{ respondent: 'x1', area: GRID1, answers: [3] }, /answers/],
    [{ respondent: '', area: GRID1, answers: { q1: 3 } }, /respondent/],
    [{ respondent: 'x'.repeat(65), area: GRID1, answers: { q1: 3 } }, /respondent/],
    [{ area: GRID1, answers: { q1: 3 } }, /respondent/],
    [{ respondent: 'x1', area: GRID1, answers: { q1: 3 }, name: 'me' }, /name/],
  ];
  for (const [b, message] of bad) {
    const r = await respond(surveyId, b);
    assert.equal(r.status, 400, JSON.stringify(b));
    assert.match(r.body.error.message, message, JSON.stringify(b));
  }
  // The closed survey refuses web answers; an unknown survey is 404.
  const closed = await respond(pastSurveyId, { respondent: 'x1', area: GRID1, answers: { q1: 3 } });
  assert.equal(closed.status, 409);
  assert.equal(closed.body.error.code, 'conflict');
  assert.equal((await respond(99999, { respondent: 'x1', area: GRID1, answers: { q1: 3 } })).status, 404);
});

test('results: means per child area, small cells suppressed, ranks, access', async () => {
  const base = `${url}/api/v1/surveys/${surveyId}/results`;
  assert.equal((await getJson(base)).status, 401);
  assert.equal((await getJson(base, tokens.resident)).status, 403);
  assert.equal((await getJson(`${base}?area=440605002`, tokens.staff)).status, 403);
  assert.equal((await getJson(`${base}?area=44x`, tokens.admin)).status, 400);

  // The community by grid: grid 1 has 5 responses (k = 5), grid 2 one (suppressed).
  const r = await getJson(`${base}?area=440605001001`, tokens.admin);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.min_count, 5);
  const [g1, g2] = r.body.rows;
  assert.equal(g1.area, GRID1);
  assert.equal(g1.responses, 5);
  assert.ok(near(g1.score, 60)); // (100 + 50 + 50 + 0 + 100) / 5
  assert.ok(near(g1.security, (100 + 50 + 200 / 3 + 0) / 4));
  assert.ok(near(g1.satisfaction, 62.5)); // (100 + 50 + 0 + 100) / 4
  assert.equal(g1.rank, 1);
  assert.equal(g1.suppressed, false);
  assert.equal(g2.area, GRID2);
  assert.equal(g2.responses, null);
  assert.equal(g2.score, null);
  assert.equal(g2.rank, null);
  assert.equal(g2.suppressed, true);
  // The community's total counts all 6.
  assert.equal(r.body.total.responses, 6);
  assert.ok(near(r.body.total.score, 400 / 6));
  assert.ok(near(r.body.total.security, (100 + 50 + 200 / 3 + 0 + 100) / 5));

  // Staff default to their own community (inside the survey's district).
  const s = await getJson(base, tokens.staff);
  assert.equal(s.status, 200);
  assert.equal(s.body.area, '440605001001');
  // The district by street: street 2 has no responses at all (not suppressed, unranked).
  const d = await getJson(`${base}?area=440605`, tokens.admin);
  assert.equal(d.body.rows.length, 2);
  assert.equal(d.body.rows[0].responses, 6);
  assert.equal(d.body.rows[0].rank, 1);
  assert.equal(d.body.rows[1].responses, 0);
  assert.equal(d.body.rows[1].suppressed, false);
  assert.equal(d.body.rows[1].rank, null);
});

test('CSV import of paper answers: line-numbered rejects, idempotent', async () => {
  const csv = join(dir, 'answers.csv');
  writeFileSync(csv, [
    'respondent,area,q3,q1,q2',
    `p1,${GRID1},满意,5,是`,
    `p2,${GRID1},满意,9,是`, // line 3: rating out of range
    'p3,440605001001,满意,5,是', // line 4: a community, not a grid
    `p4,${GRID1},满意,5`, // line 5: a field missing
    `p5,${GRID2},3,2,否`, // good: choice by number
    `p6,${GRID1},,,`, // line 7: nothing answered
    '',
  ].join('\n'));
  const first = gridgov('import', 'survey-responses', String(pastSurveyId), csv, '--db', db);
  assert.equal(first.status, 1, first.stderr);
  assert.match(first.stdout, /6 rows: 2 imported, 0 already there, 4 rejected/);
  for (const line of [3, 4, 5, 7]) assert.match(first.stderr, new RegExp(`answers\\.csv:${line}: `));
  assert.match(first.stderr, /:3: .*q1/);
  assert.match(first.stderr, /:4: .*grid or cell/);
  const again = gridgov('import', 'survey-responses', String(pastSurveyId), csv, '--db', db);
  assert.match(again.stdout, /6 rows: 0 imported, 2 already there, 4 rejected/);

  const r = await getJson(`${url}/api/v1/surveys/${pastSurveyId}/results?area=440605001001`, tokens.admin);
  assert.equal(r.body.total.responses, null); // 2 < k: suppressed
  assert.equal(r.body.total.suppressed, true);

  const header = join(dir, 'header.csv');
  writeFileSync(header, 'respondent,area,q7\nz1,440605001001001,3\n');
  const h = gridgov('import', 'survey-responses', String(pastSurveyId), header, '--db', db);
  assert.equal(h.status, 1);
  assert.match(h.stderr, /column 'q7'/);
  const missing = gridgov('import', 'survey-responses', '99999', csv, '--db', db);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no such survey/);
});

test('scores: every child area, components from the indicators and the surveys, ranked', async () => {
  // Two cases in community 1: one found on patrol and solved on site, one rejected.
  const report = (who, body) => postJson(`${url}/api/v1/cases`, tokens[who], {
    area_code: GRID1, category: '0101', ...body,
  });
  const a = await report('worker1', { channel: 'patrol', description: '井盖松动' });
  assert.equal(a.status, 201, JSON.stringify(a.body));
  const b = await report('staff', { channel: 'phone', description: '咨询' });
  assert.equal(b.status, 201);
  for (const [who, id, body] of [
    ['worker1', a.body.id, { action: 'resolve_on_site', evidence: '已固定' }],
    ['staff', a.body.id, { action: 'close', outcome: 'resolved' }],
    ['staff', b.body.id, { action: 'reject', reason: '不属于受理范围' }],
  ]) {
    const r = await postJson(`${url}/api/v1/cases/${id}/actions`, tokens[who], body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  const q = `area=440605001&from=${YEAR}-01-01&to=${YEAR}-12-31`;
  assert.equal((await getJson(`${url}/api/v1/stats/scores?${q}`)).status, 401);
  assert.equal((await getJson(`${url}/api/v1/stats/scores?${q}`, tokens.resident)).status, 403);
  assert.equal((await getJson(`${url}/api/v1/stats/scores?area=440605002`, tokens.staff)).status, 403);
  assert.equal((await getJson(`${url}/api/v1/stats/scores?area=440605001&from=2026-13-01`, tokens.admin)).status, 400);
  assert.equal((await getJson(`${url}/api/v1/stats/scores?area=440605001&from=${YEAR}-05-01&to=${YEAR}-04-01`, tokens.admin)).status, 400);

  const r = await getJson(`${url}/api/v1/stats/scores?${q}`, tokens.leader);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.rows.map((x) => x.area), ['440605001001', '440605001002']);
  const [c1, c2] = r.body.rows;
  const ind = (await getJson(`${url}/api/v1/stats/indicators?${q}&by=child`, tokens.leader)).body.rows
    .find((x) => x.key === '440605001001').indicators;
  // Hand-computed from the two cases: 应结案 1, closed 1; escalations 0 of 2; patrol 1 of 2.
  assert.equal(c1.cases, 2);
  assert.equal(c1.components.closure_rate.value, 1);
  assert.equal(c1.components.escalation_rate.value, 0);
  assert.equal(c1.components.escalation_rate.score, 100); // lower is better
  assert.equal(c1.components.patrol_found_share.value, 0.5);
  assert.equal(c1.components.patrol_found_share.score, 50);
  assert.equal(c1.components.satisfaction_rate.value, null); // nobody rated
  assert.equal(c1.components.on_time_closure_rate.value, ind.on_time_closure_rate);
  assert.equal(c1.components.response_rate.value, ind.response_rate);
  // The survey components: the community's 6 responses (k = 5) of this year's survey only.
  assert.equal(c1.survey_responses, 6);
  assert.ok(near(c1.components.survey_security.value, (100 + 50 + 200 / 3 + 0 + 100) / 5));
  assert.ok(near(c1.components.survey_satisfaction.value, 62.5));
  // The score: the weighted mean of the defined sub-scores.
  let sum = 0;
  let weights = 0;
  for (const c of Object.values(c1.components)) {
    if (c.score !== null) { sum += c.weight * c.score; weights += c.weight; }
  }
  assert.ok(near(c1.score, sum / weights));
  assert.ok(near(c1.coverage, weights / 100));
  assert.equal(c1.rank, 1);
  // Community 2: nothing known.
  assert.equal(c2.score, null);
  assert.equal(c2.rank, null);
  assert.equal(c2.coverage, 0);
  assert.equal(r.body.settings.weights.on_time_closure_rate, 20);
});

test('stars: rated once a year by admins or leaders, then read by staff', async () => {
  const post = (who, body) => postJson(`${url}/api/v1/stats/stars`, tokens[who], body);
  assert.equal((await postJson(`${url}/api/v1/stats/stars`, null, { year: YEAR })).status, 401);
  assert.equal((await post('staff', { year: YEAR })).status, 403);
  assert.equal((await post('dispatcher', { year: YEAR })).status, 403);
  assert.equal((await post('leader', { year: 1999 })).status, 400);
  assert.equal((await post('leader', { year: YEAR, area: '440606' })).status, 403);
  assert.equal((await post('leader', { year: YEAR, area: GRID1 })).status, 400);
  assert.equal((await post('leader', { year: YEAR, when: 1 })).status, 400);

  const before = await getJson(`${url}/api/v1/stats/stars?area=440605&year=${YEAR}`, tokens.staff);
  assert.equal(before.status, 403); // staff's subtree is their community
  const empty = await getJson(`${url}/api/v1/stats/stars?area=440605001001&year=${YEAR}`, tokens.staff);
  assert.equal(empty.status, 200);
  assert.equal(empty.body.rated, false);

  const scores = (await getJson(`${url}/api/v1/stats/scores?area=440605001&from=${YEAR}-01-01&to=${YEAR}-12-31`, tokens.leader)).body;
  const rated = await post('leader', { year: YEAR });
  assert.equal(rated.status, 201, JSON.stringify(rated.body));
  assert.equal(rated.body.rated, 2); // the two communities of the district
  const again = await post('admin', { year: YEAR, area: '440605001' });
  assert.equal(again.status, 409);

  const got = await getJson(`${url}/api/v1/stats/stars?area=440605&year=${YEAR}`, tokens.leader);
  assert.equal(got.status, 200);
  assert.equal(got.body.rated, true);
  const [s1, s2] = got.body.rows;
  assert.equal(s1.area, '440605001001');
  assert.equal(s1.name, '平洲社区');
  assert.ok(near(s1.score, scores.rows[0].score)); // the whole year's score
  assert.ok(near(s1.survey_score, 400 / 6));
  // Stars by the default thresholds (90/80/70/60), the survey's capping the score's.
  const starsOf = (x) => (x >= 90 ? 5 : x >= 80 ? 4 : x >= 70 ? 3 : x >= 60 ? 2 : 1);
  assert.equal(s1.stars, Math.min(starsOf(s1.score), starsOf(s1.survey_score)));
  assert.equal(s1.stars, 2);
  assert.equal(s1.components.patrol_found_share, 50);
  assert.equal(s2.area, '440605001002');
  assert.equal(s2.stars, 0); // nothing to rate on
  assert.equal(s2.score, null);
  assert.equal((await getJson(`${url}/api/v1/stats/stars?area=440605&year=abc`, tokens.leader)).status, 400);
  assert.equal((await getJson(`${url}/api/v1/stats/stars?area=440605&year=${YEAR}`, tokens.resident)).status, 403);

  // The command line rates another year, once.
  const cli = gridgov('rate', 'stars', '--year', String(YEAR - 1), '--db', db);
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /rated 2 communities/);
  const twice = gridgov('rate', 'stars', '--year', String(YEAR - 1), '--area', '440605001', '--db', db);
  assert.equal(twice.status, 1);
  assert.match(twice.stderr, /already rated/);
});

test('rating settings: a validated document; the scores use its weights', async () => {
  const badFile = join(dir, 'bad-settings.csv');
  writeFileSync(badFile, 'setting,value\nweight.closure_rate,10\nweight.rework_rate,-1\n');
  const bad = gridgov('import', 'rating-settings', badFile, '--db', db);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /weight\.rework_rate/);
  const file = join(dir, 'settings.csv');
  writeFileSync(file, 'setting,value\nweight.closure_rate,40\nstars.5,95\n');
  const ok = gridgov('import', 'rating-settings', file, '--db', db);
  assert.equal(ok.status, 0, ok.stderr);
  const r = await getJson(`${url}/api/v1/stats/scores?area=440605001&from=${YEAR}-01-01&to=${YEAR}-12-31`, tokens.leader);
  assert.equal(r.body.settings.weights.closure_rate, 40);
  assert.equal(r.body.settings.star_min['5'], 95);
  assert.equal(r.body.rows[0].components.closure_rate.weight, 40);
});

test('answering is rate limited per client address like the other public routes', async () => {
  // One token a minute after a burst of 3: the fourth answer within the minute is refused.
  const limited = await startServer(db, [], { GRIDGOV_RATELIMIT_PER_MIN: '1', GRIDGOV_RATELIMIT_BURST: '3' });
  try {
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const r = await postJson(`${limited.url}/api/v1/surveys/${surveyId}/responses`, null, {
        respondent: `burst-${i}`, area: GRID1, answers: { q1: 4 },
      });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses.slice(0, 3), [201, 201, 201]);
    assert.deepEqual(statuses.slice(3), [429, 429, 429]);
  } finally {
    await limited.stop();
  }
});
