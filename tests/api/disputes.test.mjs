// Disputes over HTTP: registration with parties, the lifecycle by the people who do each step
// (assign a mediator, mediate in sessions, agree, follow up, reopen), escalation level by
// level, referral, recurrences between the same parties, a dispute started from a case,
// statistics per area, scoping (403 outside the subtree), bad input (400 naming the field) and
// invalid transitions (409).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  tempDir, removeDir, makeDatabase, startServer, login, getJson, postJson, mustGridgov, PASSWORD,
} from './helpers.mjs';

// Parties are persons and organisations of the base data: persons 1..40 (ids in file order,
// in worker1's cell, one household each) and organisations 1..5.
function seedBaseData(dir, db) {
  const cell = '440605001001001001';
  const hh = ['household_no,kind,address,area_code'];
  const ps = ['name,id_number,sex,birth_date,is_registered,household_no,area_code'];
  for (let i = 1; i <= 40; i++) {
    hh.push(`H${i},registered_family,平洲社区${i}号,${cell}`);
    // GB 11643 check character computed here, independently of the server.
    const body = `44060519800101${String(100 + i).padStart(3, '0')}`;
    const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const sum = [...body].reduce((s, c, k) => s + Number(c) * w[k], 0);
    ps.push(`居民${i},${body}${'10X98765432'[sum % 11]},,,1,H${i},${cell}`);
  }
  const orgs = ['credit_code,name,kind,area_code'];
  for (let i = 1; i <= 5; i++) orgs.push(`C${i},单位${i},business,${cell}`);
  for (const [kind, rows] of [['households', hh], ['persons', ps], ['organisations', orgs]]) {
    const f = join(dir, `${kind}.csv`);
    writeFileSync(f, `${rows.join('\n')}\n`);
    mustGridgov('import', kind, f, '--db', db);
  }
}

let dir;
let db;
let server;
let url;
const tokens = {};
const users = {};

before(async () => {
  dir = tempDir();
  db = makeDatabase(dir);
  seedBaseData(dir, db);
  for (const [name, role, area] of [
    ['mediator1', 'mediator', '440605001'],
    ['mediator2', 'mediator', '440605001'],
    ['outsider_staff', 'community_staff', '440605001002'],
  ]) {
    mustGridgov('user', 'add', '--db', db, '--username', name, '--password', PASSWORD,
      '--role', role, '--area', area);
  }
  server = await startServer(db);
  url = server.url;
  for (const u of ['admin', 'staff', 'worker1', 'worker2', 'mediator1', 'mediator2', 'outsider_staff',
    'resident', 'leader', 'dispatcher']) {
    const l = await login(url, u);
    tokens[u] = l.token;
    users[u] = l.user;
  }
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

const register = (token, body) => postJson(`${url}/api/v1/disputes`, token, body);
const act = (token, id, body) => postJson(`${url}/api/v1/disputes/${id}/actions`, token, body);

const parties = [
  { kind: 'person', person_id: 11, side: 'applicant' },
  { kind: 'outsider', name: '楼上住户 张某', side: 'respondent' },
];

test('a grid worker registers a dispute with its parties', async () => {
  const r = await register(tokens.worker1, {
    area_code: '440605001001001', title: '楼上漏水', type: 'neighbour', risk: 'low',
    summary: '卫生间漏水到楼下', parties,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.state, 'registered');
  assert.equal(r.body.state_name, '已登记');
  assert.equal(r.body.level, 5); /* minor: stays in the community */
  assert.equal(r.body.is_recurrence, false);
  const g = await getJson(`${url}/api/v1/disputes/${r.body.id}`, tokens.staff);
  assert.equal(g.status, 200);
  assert.equal(g.body.parties.length, 2);
  assert.equal(g.body.parties[1].name, '楼上住户 张某');
  assert.deepEqual(g.body.allowed_actions.sort(),
    ['accept', 'assign_mediator', 'comment', 'escalate', 'refer', 'withdraw'].sort());
});

test('the whole lifecycle: accept, assign, mediate, agree, follow up, reopen', async () => {
  const d = (await register(tokens.staff, {
    area_code: '440605001001001', title: '工资拖欠', type: 'labour_wages', risk: 'medium',
    parties: [{ kind: 'person', person_id: 21 }, { kind: 'organisation', organisation_id: 5, name: '某建筑公司' }],
  })).body;
  let r = await act(tokens.staff, d.id, { action: 'accept' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'accepted');
  /* no mediator yet: cannot start */
  r = await act(tokens.staff, d.id, { action: 'start_mediation' });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'invalid_transition');
  /* a mediator not assigned may not mediate */
  r = await act(tokens.mediator1, d.id, { action: 'start_mediation' });
  assert.equal(r.status, 409); /* the state refuses first: no mediator */
  r = await act(tokens.staff, d.id, {
    action: 'assign_mediator', mediator_role: 'lawyer', mediator_name: '李律师',
    mediator_user_id: users.mediator1.id,
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.mediator_count, 1);
  r = await act(tokens.mediator2, d.id, { action: 'start_mediation' });
  assert.equal(r.status, 403, 'a mediator not assigned to the dispute');
  r = await act(tokens.mediator1, d.id, { action: 'start_mediation' });
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'mediating');
  r = await act(tokens.mediator1, d.id, { action: 'reach_agreement', text: '分期支付' });
  assert.equal(r.status, 409, 'no session recorded yet');
  r = await act(tokens.mediator1, d.id, { action: 'record_session', text: '双方到场, 核对工时' });
  assert.equal(r.status, 200);
  assert.equal(r.body.session_count, 1);
  r = await act(tokens.mediator1, d.id, { action: 'reach_agreement', text: '三个月内分期支付' });
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'agreed');
  assert.equal(r.body.outcome, 'agreement');
  assert.ok(r.body.closed_at);
  r = await act(tokens.worker2, d.id, { action: 'follow_up', text: '另一网格' });
  assert.equal(r.status, 403, 'a grid worker of another grid');
  assert.match(r.body.error.message, /outside/);
  r = await act(tokens.worker1, d.id, { action: 'follow_up', text: '第一期已支付' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.follow_up_count, 1);
  r = await act(tokens.mediator1, d.id, { action: 'reopen', reason: '第二期未付' });
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'mediating');
  assert.equal(r.body.outcome, 'none');
  assert.equal(r.body.closed_at, null);
  r = await act(tokens.mediator1, d.id, { action: 'conclude', text: '公司一次付清' });
  assert.equal(r.status, 200);
  assert.equal(r.body.outcome, 'concluded');

  const g = await getJson(`${url}/api/v1/disputes/${d.id}`, tokens.staff);
  assert.equal(g.body.mediators[0].role, 'lawyer');
  assert.equal(g.body.mediators[0].role_name, '律师');
  assert.equal(g.body.sessions.length, 1);
  assert.equal(g.body.follow_ups[0].findings, '第一期已支付');
  const ev = await getJson(`${url}/api/v1/disputes/${d.id}/events`, tokens.staff);
  assert.equal(ev.status, 200);
  assert.deepEqual(ev.body.items.map((e) => e.action),
    ['register', 'accept', 'assign_mediator', 'start_mediation', 'record_session',
      'reach_agreement', 'follow_up', 'reopen', 'conclude']);
  assert.deepEqual(ev.body.items.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('major risks go to the town at once; escalation climbs level by level', async () => {
  const d = (await register(tokens.staff, {
    area_code: '440605001001', title: '征地补偿', type: 'land_expropriation', risk: 'major',
    parties,
  })).body;
  assert.equal(d.level, 4);
  assert.equal(d.level_name, 'street');
  let r = await act(tokens.staff, d.id, { action: 'escalate' });
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /reason/);
  r = await act(tokens.admin, d.id, { action: 'escalate', reason: '涉及多个村' });
  assert.equal(r.status, 200);
  assert.equal(r.body.level, 3);
  r = await act(tokens.admin, d.id, { action: 'refer', reason: '起诉', referral: 'court' });
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'referred');
  assert.equal(r.body.outcome, 'referred_court');
  r = await act(tokens.admin, d.id, { action: 'accept' });
  assert.equal(r.status, 409);
});

test('a dispute between the same parties again is flagged as a recurrence', async () => {
  const first = (await register(tokens.worker1, {
    area_code: '440605001001001', title: '噪音', type: 'neighbour',
    parties: [{ kind: 'person', person_id: 31 }, { kind: 'person', person_id: 32 }],
  })).body;
  const again = await register(tokens.worker1, {
    area_code: '440605001001001', title: '又是噪音', type: 'neighbour',
    parties: [{ kind: 'person', person_id: 32 }, { kind: 'person', person_id: 31 }],
  });
  assert.equal(again.status, 201);
  assert.equal(again.body.is_recurrence, true);
  assert.equal(again.body.recurrence_of, first.id);
  const other = await register(tokens.worker1, {
    area_code: '440605001001001', title: '噪音', type: 'neighbour',
    parties: [{ kind: 'person', person_id: 31 }, { kind: 'person', person_id: 33 }],
  });
  assert.equal(other.body.is_recurrence, false);
});

test('a dispute started from a case takes its area and links it', async () => {
  const c = await postJson(`${url}/api/v1/cases`, tokens.worker1, {
    channel: 'patrol', category: '0204', description: '邻居为占道吵架', area_code: '440605001001001',
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const d = await register(tokens.staff, {
    case_id: c.body.id, title: '占道纠纷', type: 'neighbour', parties,
  });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  assert.equal(d.body.case_id, c.body.id);
  assert.equal(d.body.area_code, '440605001001001');
  const l = await getJson(`${url}/api/v1/disputes?case_id=${c.body.id}`, tokens.staff);
  assert.equal(l.body.items.length, 1);
  const missing = await register(tokens.staff, {
    case_id: 999999, title: 'x', type: 'neighbour', parties,
  });
  assert.equal(missing.status, 404);
});

test('scoping: nobody reads or acts outside their subtree; residents see no disputes', async () => {
  const d = (await register(tokens.staff, {
    area_code: '440605001001001', title: '家庭矛盾', type: 'family', parties,
  })).body;
  let r = await getJson(`${url}/api/v1/disputes/${d.id}`, tokens.outsider_staff);
  assert.equal(r.status, 403);
  r = await act(tokens.outsider_staff, d.id, { action: 'accept' });
  assert.equal(r.status, 403);
  r = await getJson(`${url}/api/v1/disputes/${d.id}`, tokens.resident);
  assert.equal(r.status, 403);
  r = await getJson(`${url}/api/v1/disputes?area=440605001001`, tokens.outsider_staff);
  assert.equal(r.status, 403);
  r = await getJson(`${url}/api/v1/disputes`, tokens.outsider_staff);
  assert.equal(r.status, 200);
  assert.ok(r.body.items.every((x) => x.area_code.startsWith('440605001002')));
  r = await register(tokens.outsider_staff, {
    area_code: '440605001001001', title: 'x', type: 'family', parties,
  });
  assert.equal(r.status, 403);
  r = await register(tokens.resident, {
    area_code: '440605001001001', title: 'x', type: 'family', parties,
  });
  assert.equal(r.status, 403);
  r = await getJson(`${url}/api/v1/disputes/stats?area=440605`, tokens.staff);
  assert.equal(r.status, 403);
  r = await getJson(`${url}/api/v1/disputes`, null);
  assert.equal(r.status, 401);
  r = await getJson(`${url}/api/v1/disputes/999999`, tokens.admin);
  assert.equal(r.status, 404);
  /* the leader reads, but does not mediate */
  r = await getJson(`${url}/api/v1/disputes/${d.id}`, tokens.leader);
  assert.equal(r.status, 200);
  r = await act(tokens.leader, d.id, { action: 'accept' });
  assert.equal(r.status, 403);
});

test('bad input is refused with 400 and a code', async () => {
  const base = { area_code: '440605001001001', title: 't', type: 'neighbour', parties };
  const cases = [
    [{ ...base, type: 'war' }, /type/],
    [{ ...base, risk: 'extreme' }, /risk/],
    [{ ...base, parties: [parties[0]] }, /parties/],
    [{ ...base, parties: [{ kind: 'alien' }, parties[1]] }, /kind/],
    [{ ...base, parties: [{ kind: 'person' }, parties[1]] }, /person_id/],
    [{ ...base, parties: [{ kind: 'outsider', name: '  ' }, parties[1]] }, /name/],
    [{ ...base, parties: [{ kind: 'person', person_id: 1, evil: 1 }, parties[1]] }, /evil/],
    [{ ...base, area_code: '44060500100100' }, /area_code/],
    [{ ...base, title: '' }, /title/],
    [{ ...base, found_at: 'yesterday' }, /found_at/],
    [{ ...base, extra: 1 }, /extra/],
    [{ title: 't', type: 'neighbour', parties }, /area_code/],
  ];
  for (const [body, re] of cases) {
    const r = await register(tokens.staff, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.error.code, 'invalid_argument');
    assert.match(r.body.error.message, re);
  }
  const d = (await register(tokens.staff, base)).body;
  for (const [body, re] of [
    [{ action: 'fly' }, /unknown action/],
    [{ action: 'assign_mediator', mediator_role: 'priest', mediator_name: 'x' }, /mediator_role/],
    [{ action: 'assign_mediator', mediator_role: 'judge' }, /mediator_name/],
    [{ action: 'assign_mediator', mediator_role: 'judge', mediator_name: 'x', mediator_user_id: users.staff.id }, /not a mediator/],
    [{ action: 'refer', reason: 'x', referral: 'police' }, /referral/],
    [{ action: 'comment' }, /text/],
    [{ action: 'comment', text: 'x', mediator_user_id: users.mediator1.id }, /only for assign_mediator/],
  ]) {
    const r = await act(tokens.staff, d.id, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(r.body.error.message, re);
  }
  const bad = await fetch(`${url}/api/v1/disputes`, {
    method: 'POST', headers: { authorization: `Bearer ${tokens.staff}`, 'content-type': 'application/json' },
    body: '{"title": ',
  });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.code, 'malformed_json');
  let r = await getJson(`${url}/api/v1/disputes?state=nope`, tokens.staff);
  assert.equal(r.status, 400);
  r = await getJson(`${url}/api/v1/disputes/stats?from=2026-13-01`, tokens.staff);
  assert.equal(r.status, 400);
});

test('statistics per area: found, mediated, concluded, success rate, by type', async () => {
  const area = '440605001002'; /* a community nobody used above */
  const t = tokens.outsider_staff;
  const mk = async (type) => (await register(t, {
    area_code: area, title: 'x', type, parties: [{ kind: 'outsider', name: `甲${Math.random()}` }, { kind: 'outsider', name: '乙' }],
  })).body;
  const a = await mk('property');
  const b = await mk('property');
  const c = await mk('consumer');
  for (const d of [a, b]) {
    await act(t, d.id, { action: 'accept' });
    await act(t, d.id, { action: 'assign_mediator', mediator_role: 'peoples_mediator', mediator_name: '调解员' });
    await act(t, d.id, { action: 'start_mediation' });
    await act(t, d.id, { action: 'record_session', text: 'session' });
  }
  await act(t, a.id, { action: 'reach_agreement', text: 'ok' });
  await act(t, b.id, { action: 'withdraw', reason: 'parties settled privately' });
  const s = await getJson(`${url}/api/v1/disputes/stats?area=${area}`, t);
  assert.equal(s.status, 200, JSON.stringify(s.body));
  const prop = s.body.by_type.find((x) => x.type === 'property');
  assert.equal(prop.found, 2);
  assert.equal(prop.mediated, 2);
  assert.equal(prop.concluded, 2);
  assert.equal(prop.success, 1);
  assert.equal(prop.success_rate, 0.5);
  const cons = s.body.by_type.find((x) => x.type === 'consumer');
  assert.equal(cons.found, 1);
  assert.equal(cons.success_rate, null);
  assert.equal(s.body.total.found, 3);
  assert.equal(s.body.total.success, 1);
  assert.equal(c.state, 'registered');
  /* a period that ended before these were found */
  const old = await getJson(`${url}/api/v1/disputes/stats?area=${area}&from=2020-01-01&to=2020-02-01`, t);
  assert.equal(old.body.total.found, 0);
  /* the district level counts everything below it */
  const all = await getJson(`${url}/api/v1/disputes/stats?area=440605`, tokens.admin);
  assert.ok(all.body.total.found > s.body.total.found);
});

test('listing pages by cursor, newest first, filtered by type and state', async () => {
  const first = await getJson(`${url}/api/v1/disputes?area=440605001001&limit=2`, tokens.staff);
  assert.equal(first.status, 200);
  assert.equal(first.body.items.length, 2);
  assert.ok(first.body.items[0].id > first.body.items[1].id);
  assert.ok(first.body.next_cursor);
  const second = await getJson(`${url}/api/v1/disputes?area=440605001001&limit=2&cursor=${first.body.next_cursor}`, tokens.staff);
  assert.ok(second.body.items.every((x) => x.id < first.body.items[1].id));
  const byType = await getJson(`${url}/api/v1/disputes?type=neighbour`, tokens.admin);
  assert.ok(byType.body.items.length >= 3);
  assert.ok(byType.body.items.every((x) => x.type === 'neighbour'));
  const byState = await getJson(`${url}/api/v1/disputes?state=referred`, tokens.admin);
  assert.ok(byState.body.items.every((x) => x.state === 'referred'));
  assert.ok(byState.body.items.length >= 1);
});

test("a dispute appears in the file of a party's household; unknown parties are refused",
  async () => {
    const r = await register(tokens.worker1, {
      title: '邻里噪音', type: 'neighbour', risk: 'low', area_code: '440605001001001',
      summary: '夜间噪音', parties: [{ kind: 'person', person_id: 17, side: 'applicant' },
        { kind: 'outsider', name: '隔壁住户', side: 'respondent' }],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const file = await getJson(`${url}/api/v1/households/17/file`, tokens.worker1);
    assert.equal(file.status, 200);
    const entry = file.body.timeline.find((t) => t.kind === 'dispute');
    assert.ok(entry, JSON.stringify(file.body.timeline));
    assert.equal(entry.id, r.body.id);
    assert.equal(entry.summary, '邻里噪音');
    const missing = await register(tokens.worker1, {
      title: '无此人', type: 'neighbour', risk: 'low', area_code: '440605001001001',
      parties: [{ kind: 'person', person_id: 9999 }, { kind: 'outsider', name: '某人' }],
    });
    assert.equal(missing.status, 404);
    const org = await register(tokens.worker1, {
      title: '无此单位', type: 'labour_wages', risk: 'low', area_code: '440605001001001',
      parties: [{ kind: 'organisation', organisation_id: 99 }, { kind: 'outsider', name: '某人' }],
    });
    assert.equal(org.status, 404);
  });
