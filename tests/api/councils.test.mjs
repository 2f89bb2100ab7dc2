// Deliberation councils over HTTP: setting up a council (membership rules), topics proposed by
// the committees and by residents with co-signers, consultation, a meeting with attendance and
// a secret ballot whose individual ballots are never served (totals only), quorum and
// majority, the committees' review, execution tasks, supervision and the sign-off without which
// a topic cannot be done, publication and the public decision page, residents seeing only the
// published decisions of their village, 403 outside the subtree, 400 and 409.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  tempDir, removeDir, makeDatabase, startServer, login, getJson, postJson, mustGridgov, PASSWORD,
} from './helpers.mjs';

let dir;
let db;
let server;
let url;
const tokens = {};
const users = {};
let council;
const memberIds = {};

before(async () => {
  dir = tempDir();
  db = makeDatabase(dir);
  for (const [name, role, area] of [
    ['cm1', 'council_member', '440605001001'],
    ['cm2', 'council_member', '440605001001'],
    ['cm3', 'council_member', '440605001001'],
    ['sup1', 'council_member', '440605001001'],
    ['resident3', 'resident', '440605001001001'],
    ['res_far', 'resident', '440605001002'],
    ['outsider_staff', 'community_staff', '440605001002'],
  ]) {
    mustGridgov('user', 'add', '--db', db, '--username', name, '--password', PASSWORD,
      '--role', role, '--area', area);
  }
  server = await startServer(db);
  url = server.url;
  for (const u of ['admin', 'staff', 'cm1', 'cm2', 'cm3', 'sup1', 'resident', 'resident2',
    'resident3', 'res_far', 'outsider_staff', 'leader', 'worker1']) {
    const l = await login(url, u);
    tokens[u] = l.token;
    users[u] = l.user;
  }
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

const members = () => [
  { name: '陈主席', user_id: users.cm1.id, position: 'chair' },
  { name: '林委员', user_id: users.cm2.id, position: 'member' },
  { name: '黄委员', user_id: users.cm3.id, position: 'member' },
  { name: '委员四', person_id: 104, position: 'member' },
  { name: '委员五', person_id: 105, position: 'member' },
  { name: '委员六', person_id: 106, position: 'member' },
  { name: '委员七', person_id: 107, position: 'member' },
  { name: '监委会 周某', user_id: users.sup1.id, position: 'supervisor' },
];

const councilBody = (over = {}) => ({
  area_code: '440605001001', name: '平洲社区村务商议团', min_cosigners: 2,
  term_start: '2025-01-01', term_end: '2029-12-31', members: members(), ...over,
});

const topicUrl = (id) => `${url}/api/v1/councils/topics/${id}`;
const act = (token, id, body) => postJson(`${topicUrl(id)}/actions`, token, body);

test('a council is set up by the committees, 7 to 9 voting members, one chair, a supervisor', async () => {
  let r = await postJson(`${url}/api/v1/councils`, tokens.resident, councilBody());
  assert.equal(r.status, 403);
  r = await postJson(`${url}/api/v1/councils`, tokens.outsider_staff, councilBody());
  assert.equal(r.status, 403);
  r = await postJson(`${url}/api/v1/councils`, tokens.staff, councilBody({ members: members().slice(1) }));
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /7 to 9/);
  const twoChairs = members();
  twoChairs[1].position = 'chair';
  r = await postJson(`${url}/api/v1/councils`, tokens.staff, councilBody({ members: twoChairs }));
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /one chair/);
  r = await postJson(`${url}/api/v1/councils`, tokens.staff, councilBody({ members: members().slice(0, 7) }));
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /supervisor/);
  r = await postJson(`${url}/api/v1/councils`, tokens.staff, councilBody({ term_end: '2035-01-01' }));
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /5 years/);
  r = await postJson(`${url}/api/v1/councils`, tokens.staff, councilBody({ area_code: '440605001' }));
  assert.equal(r.status, 400);
  r = await postJson(`${url}/api/v1/councils`, tokens.staff, councilBody({ min_cosigners: 0 }));
  assert.equal(r.status, 400);
  r = await postJson(`${url}/api/v1/councils`, tokens.staff, councilBody());
  assert.equal(r.status, 201, JSON.stringify(r.body));
  council = r.body;
  const g = await getJson(`${url}/api/v1/councils/${council.id}`, tokens.cm1);
  assert.equal(g.status, 200);
  assert.equal(g.body.members.length, 8);
  for (const m of g.body.members) memberIds[m.name] = m.id;
  r = await getJson(`${url}/api/v1/councils/${council.id}`, tokens.outsider_staff);
  assert.equal(r.status, 403);
  r = await getJson(`${url}/api/v1/councils`, tokens.resident);
  assert.equal(r.body.items.length, 1, 'a resident sees the council of their village');
  r = await getJson(`${url}/api/v1/councils`, tokens.res_far);
  assert.equal(r.body.items.length, 0);
});

let t1;
let t2;

test('topics: the committees propose; residents propose with enough co-signers', async () => {
  let r = await postJson(`${url}/api/v1/councils/${council.id}/topics`, tokens.resident, {
    title: '修建村道路灯', proposer: 'committees',
  });
  assert.equal(r.status, 403);
  r = await postJson(`${url}/api/v1/councils/${council.id}/topics`, tokens.staff, {
    title: '修建村道路灯', description: '主干道 30 盏', proposer: 'committees', secret: true,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  t1 = r.body;
  assert.equal(t1.state, 'proposed');
  assert.equal(t1.vote.secret, true);
  r = await postJson(`${url}/api/v1/councils/${council.id}/topics`, tokens.res_far, {
    title: '别村的事', proposer: 'residents',
  });
  assert.equal(r.status, 403);
  r = await postJson(`${url}/api/v1/councils/${council.id}/topics`, tokens.resident, {
    title: '增设垃圾分类点', proposer: 'residents',
  });
  assert.equal(r.status, 201);
  t2 = r.body;
  r = await act(tokens.staff, t2.id, { action: 'accept' });
  assert.equal(r.status, 409);
  assert.match(r.body.error.message, /0 co-signers.*2/);
  r = await act(tokens.resident, t2.id, { action: 'cosign' });
  assert.equal(r.status, 403, 'the proposer does not co-sign');
  r = await act(tokens.resident2, t2.id, { action: 'cosign' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.cosigners, 1);
  r = await act(tokens.resident2, t2.id, { action: 'cosign' });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'already_exists');
  r = await act(tokens.res_far, t2.id, { action: 'cosign' });
  assert.equal(r.status, 403);
  r = await act(tokens.resident3, t2.id, { action: 'cosign' });
  assert.equal(r.status, 200);
  r = await act(tokens.staff, t2.id, { action: 'accept' });
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'consultation');
  r = await act(tokens.resident, t1.id, { action: 'cosign' });
  assert.equal(r.status, 403, 'the committees\u2019 topic is not visible to a resident yet');
});

test('consultation, a meeting and a secret ballot: totals only, quorum and majority', async () => {
  let r = await act(tokens.staff, t1.id, { action: 'accept' });
  assert.equal(r.status, 200);
  r = await act(tokens.cm1, t1.id, { action: 'open_vote' });
  assert.equal(r.status, 409, 'no opinion recorded yet');
  r = await act(tokens.cm2, t1.id, {
    action: 'record_opinion', text: '路太黑, 支持', stance: 'support', household_id: 77,
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await act(tokens.cm2, t1.id, { action: 'record_opinion', text: 'x', stance: 'angry' });
  assert.equal(r.status, 400);
  r = await act(tokens.sup1, t1.id, { action: 'record_opinion', text: 'x' });
  assert.equal(r.status, 403, 'a supervisor does not consult as a member');
  r = await act(tokens.cm1, t1.id, { action: 'open_vote' });
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'voting');

  const ballot = (token, body) => postJson(`${topicUrl(t1.id)}/ballots`, token, body);
  r = await ballot(tokens.cm1, { choice: 'yes' });
  assert.equal(r.status, 409, 'no meeting yet');
  const present = [memberIds['陈主席'], memberIds['林委员'], memberIds['黄委员'], memberIds['委员四'],
    memberIds['委员五']];
  r = await postJson(`${topicUrl(t1.id)}/meetings`, tokens.cm1, { place: '村委会议室', present: [...present, memberIds['监委会 周某']] });
  assert.equal(r.status, 400, 'a supervisor does not vote');
  r = await postJson(`${topicUrl(t1.id)}/meetings`, tokens.resident, { present });
  assert.equal(r.status, 403);
  r = await postJson(`${topicUrl(t1.id)}/meetings`, tokens.cm1, { place: '村委会议室', present });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await ballot(tokens.cm1, { choice: 'yes' });
  assert.equal(r.status, 201);
  assert.deepEqual(r.body, { recorded: true });
  r = await ballot(tokens.cm1, { choice: 'no' });
  assert.equal(r.status, 409);
  r = await ballot(tokens.cm3, { member_id: memberIds['林委员'], choice: 'no' });
  assert.equal(r.status, 403, 'a member votes only for themselves');
  r = await ballot(tokens.cm2, { choice: 'yes' });
  assert.equal(r.status, 201);
  r = await ballot(tokens.cm3, { choice: 'yes' });
  assert.equal(r.status, 201);
  r = await ballot(tokens.staff, { member_id: memberIds['委员四'], choice: 'no' });
  assert.equal(r.status, 201, 'a paper ballot entered by the committees');
  r = await ballot(tokens.staff, { member_id: memberIds['委员五'], choice: 'abstain' });
  assert.equal(r.status, 201);
  r = await ballot(tokens.staff, { member_id: memberIds['委员六'], choice: 'yes' });
  assert.equal(r.status, 400, 'absent from the meeting');
  r = await ballot(tokens.staff, { member_id: memberIds['委员七'], choice: 'maybe' });
  assert.equal(r.status, 400);

  /* while voting, nothing about the ballots is shown */
  r = await getJson(topicUrl(t1.id), tokens.staff);
  assert.equal(r.body.vote.counted, false);
  assert.equal(r.body.vote.totals, undefined);

  r = await act(tokens.cm1, t1.id, { action: 'close_vote' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'review');
  assert.deepEqual(r.body.vote.totals, { eligible: 7, present: 5, yes: 3, no: 1, abstain: 1 });
  assert.equal(r.body.vote.quorate, true);
  assert.equal(r.body.vote.passed, true);
  assert.equal(r.body.vote.quorum_needed, 5);
  assert.equal(r.body.vote.majority_needed, 3);

  /* no individual ballot anywhere: not in the topic, not in its log */
  const all = JSON.stringify((await getJson(topicUrl(t1.id), tokens.admin)).body) +
    JSON.stringify((await getJson(`${topicUrl(t1.id)}/events`, tokens.admin)).body);
  assert.ok(!/ballot|"m:\d|"choice"/.test(all), all);
  r = await ballot(tokens.cm2, { choice: 'no' });
  assert.equal(r.status, 409, 'the vote is closed');
});

test('review, execution tasks, supervision and the sign-off; then publication', async () => {
  let r = await act(tokens.cm1, t1.id, { action: 'approve' });
  assert.equal(r.status, 403, 'the committees review, not the council');
  r = await act(tokens.staff, t1.id, { action: 'approve' });
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'executing');
  r = await act(tokens.staff, t1.id, { action: 'submit' });
  assert.equal(r.status, 409, 'no task');
  r = await act(tokens.staff, t1.id, { action: 'add_task', text: '采购路灯', due: '2026-12-31' });
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /owner/);
  r = await act(tokens.staff, t1.id, { action: 'add_task', text: '采购路灯', owner: '村委会 王主任', due: 'soon' });
  assert.equal(r.status, 400);
  r = await act(tokens.staff, t1.id, { action: 'add_task', text: '采购路灯', owner: '村委会 王主任', due: '2026-12-31' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.tasks, { total: 1, open: 1 });
  r = await act(tokens.staff, t1.id, { action: 'submit' });
  assert.equal(r.status, 409, 'a task is open');
  const g = await getJson(topicUrl(t1.id), tokens.staff);
  const taskId = g.body.execution[0].id;
  r = await act(tokens.staff, t1.id, { action: 'complete_task', task_id: taskId + 1000 });
  assert.equal(r.status, 400);
  r = await act(tokens.staff, t1.id, { action: 'complete_task', task_id: taskId });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.tasks, { total: 1, open: 0 });
  r = await act(tokens.staff, t1.id, { action: 'submit' });
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'supervision');
  r = await act(tokens.sup1, t1.id, { action: 'sign_off', text: '验收合格' });
  assert.equal(r.status, 409, 'no supervision note yet');
  r = await act(tokens.sup1, t1.id, { action: 'note', text: '现场查看 30 盏均已亮' });
  assert.equal(r.status, 200);
  r = await act(tokens.staff, t1.id, { action: 'sign_off', text: '验收合格' });
  assert.equal(r.status, 403, 'only the supervision committee signs off');
  r = await act(tokens.cm1, t1.id, { action: 'sign_off', text: '验收合格' });
  assert.equal(r.status, 403);
  r = await act(tokens.sup1, t1.id, { action: 'sign_off', text: '验收合格' });
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'done');
  assert.ok(r.body.done_at);

  /* not published yet: no public page, residents do not see it */
  r = await getJson(`${url}/api/v1/councils/decisions/${t1.id}`, null);
  assert.equal(r.status, 404);
  r = await getJson(topicUrl(t1.id), tokens.resident);
  assert.equal(r.status, 403);
  r = await act(tokens.staff, t1.id, { action: 'publish' });
  assert.equal(r.status, 200);
  assert.equal(r.body.published, true);
  r = await act(tokens.staff, t1.id, { action: 'publish' });
  assert.equal(r.status, 409);

  const pub = await getJson(`${url}/api/v1/councils/decisions/${t1.id}`, null);
  assert.equal(pub.status, 200);
  assert.equal(pub.body.title, '修建村道路灯');
  assert.equal(pub.body.state, 'done');
  assert.deepEqual(pub.body.vote.totals, { eligible: 7, present: 5, yes: 3, no: 1, abstain: 1 });
  assert.equal(pub.body.execution.tasks_total, 1);
  assert.equal(pub.body.execution.tasks[0].done, true);
  assert.equal(pub.body.signed_off, true);
  assert.ok(!/user_id|person_id|household|周某|路太黑/.test(JSON.stringify(pub.body)));
});

test('residents see only the published decisions of their village', async () => {
  let r = await getJson(`${url}/api/v1/councils/${council.id}/topics`, tokens.resident2);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.items.map((t) => t.id), [t1.id]);
  r = await getJson(topicUrl(t1.id), tokens.resident2);
  assert.equal(r.status, 200);
  assert.equal(r.body.consultation, undefined, 'no consultation records for residents');
  r = await getJson(topicUrl(t1.id), tokens.res_far);
  assert.equal(r.status, 403);
  r = await getJson(topicUrl(t2.id), tokens.resident2);
  assert.equal(r.status, 403, 'not published');
  r = await getJson(topicUrl(t2.id), tokens.resident);
  assert.equal(r.status, 200, 'the proposer follows their own topic');
  r = await getJson(`${url}/api/v1/councils/${council.id}/topics`, tokens.staff);
  assert.equal(r.body.items.length, 2);
  r = await getJson(`${url}/api/v1/councils/${council.id}/topics?state=consultation`, tokens.staff);
  assert.deepEqual(r.body.items.map((t) => t.id), [t2.id]);
  r = await getJson(`${url}/api/v1/councils/${council.id}/topics`, tokens.outsider_staff);
  assert.equal(r.status, 403);
  r = await getJson(`${url}/api/v1/councils/${council.id}/topics`, tokens.worker1);
  assert.equal(r.status, 403, 'grid workers hold no council capability');
});

test('a tie fails; a vote without quorum fails; withdraw and send back', async () => {
  const t = (await postJson(`${url}/api/v1/councils/${council.id}/topics`, tokens.staff, {
    title: '改建篮球场', proposer: 'committees',
  })).body;
  await act(tokens.staff, t.id, { action: 'accept' });
  await act(tokens.cm1, t.id, { action: 'record_opinion', text: '中立', member_id: memberIds['委员六'] });
  let r = await act(tokens.cm1, t.id, { action: 'record_opinion', text: 'x', member_id: 999999 });
  assert.equal(r.status, 400);
  await act(tokens.cm1, t.id, { action: 'open_vote' });
  r = await act(tokens.cm1, t.id, { action: 'close_vote' });
  assert.equal(r.status, 409, 'no meeting');
  const present = [memberIds['陈主席'], memberIds['林委员'], memberIds['黄委员'], memberIds['委员四'],
    memberIds['委员五'], memberIds['委员六']];
  await postJson(`${topicUrl(t.id)}/meetings`, tokens.cm1, { present });
  const ballot = (token, body) => postJson(`${topicUrl(t.id)}/ballots`, token, body);
  await ballot(tokens.cm1, { choice: 'yes' });
  await ballot(tokens.cm2, { choice: 'yes' });
  await ballot(tokens.cm3, { choice: 'yes' });
  await ballot(tokens.staff, { member_id: memberIds['委员四'], choice: 'no' });
  await ballot(tokens.staff, { member_id: memberIds['委员五'], choice: 'no' });
  await ballot(tokens.staff, { member_id: memberIds['委员六'], choice: 'no' });
  r = await act(tokens.cm1, t.id, { action: 'close_vote' });
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'rejected', '3 of 6 is not more than half');
  assert.equal(r.body.vote.quorate, true);
  assert.equal(r.body.vote.passed, false);

  const w = (await postJson(`${url}/api/v1/councils/${council.id}/topics`, tokens.staff, {
    title: '撤回的议题', proposer: 'committees',
  })).body;
  r = await act(tokens.staff, w.id, { action: 'withdraw' });
  assert.equal(r.status, 400);
  r = await act(tokens.staff, w.id, { action: 'withdraw', reason: '重复' });
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'withdrawn');
  r = await act(tokens.staff, w.id, { action: 'accept' });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'invalid_transition');
  /* the resident withdraws their own proposal */
  r = await act(tokens.resident2, t2.id, { action: 'withdraw', reason: 'x' });
  assert.equal(r.status, 403, 'not the proposer');
  r = await act(tokens.resident, t2.id, { action: 'withdraw', reason: '已由街道解决' });
  assert.equal(r.status, 200);
});

test('a villagers\u2019 vote takes its eligible count from the registry', async () => {
  const t = (await postJson(`${url}/api/v1/councils/${council.id}/topics`, tokens.staff, {
    title: '土地流转方案', proposer: 'committees', vote_kind: 'households',
  })).body;
  await act(tokens.staff, t.id, { action: 'accept' });
  await act(tokens.cm1, t.id, { action: 'record_opinion', text: '征求意见' });
  await act(tokens.cm1, t.id, { action: 'open_vote' });
  const r = await act(tokens.cm1, t.id, { action: 'close_vote', present: 10, yes: 8, no: 2 });
  assert.equal(r.status, 409, 'this test village has no registered households');
  assert.match(r.body.error.message, /no registered households/);
  const m = await postJson(`${topicUrl(t.id)}/meetings`, tokens.cm1, { present: [] });
  assert.equal(m.status, 409, 'meetings and ballots belong to council votes');
});

test('bad input is refused with 400 and a code', async () => {
  for (const body of [
    { action: 'dance' },
    { action: 'note' },
    { action: 'comment', text: 'x', extra: 1 },
    { action: 'close_vote', present: -1 },
  ]) {
    const r = await act(tokens.staff, t1.id, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.error.code, 'invalid_argument');
  }
  for (const body of [
    { title: '', proposer: 'committees' },
    { title: 'x', proposer: 'king' },
    { title: 'x', proposer: 'committees', vote_kind: 'everyone' },
    { title: 'x', proposer: 'committees', secret: 'yes' },
  ]) {
    const r = await postJson(`${url}/api/v1/councils/${council.id}/topics`, tokens.staff, body);
    assert.equal(r.status, 400, JSON.stringify(body));
  }
  let r = await getJson(`${url}/api/v1/councils/topics/abc`, tokens.staff);
  assert.equal(r.status, 404);
  r = await getJson(`${url}/api/v1/councils/decisions/999999`, null);
  assert.equal(r.status, 404);
  r = await getJson(`${url}/api/v1/councils?area=12x`, tokens.staff);
  assert.equal(r.status, 400);
});
