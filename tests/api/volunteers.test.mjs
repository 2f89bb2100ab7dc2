// Volunteers, needs and matching, posts with hours, chiefs over HTTP (issue 5, SPEC section 8):
// every endpoint, area scope (403 outside the subtree, 401 anonymous), bad input with stable
// error codes, the order of the matches (recomputed here from the documented formula with an
// independent haversine), assignment limits, the hours rule, and a chief relaying cases of
// their cell through the normal cases workflow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  tempDir, removeDir, makeDatabase, startServer, login, mustGridgov, PASSWORD,
} from './helpers.mjs';

const COMMUNITY = '440605001001'; // staff's community: lon 113.0-113.1, lat 23.0-23.2
const CELL1 = '440605001001001001'; // lon 113.0-113.05, lat 23.0-23.1
const CELL2 = '440605001001001002'; // lon 113.05-113.1
const OTHER = '440605001002'; // staff2's community: lon 113.1-113.2
const R = 6371008.8;
const NEED = { lon: 113.03, lat: 23.03 };

let dir;
let server;
const tokens = {};
const users = {};

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

function haversine(a, b) {
  const rad = Math.PI / 180;
  const dp = (b.lat - a.lat) * rad;
  const dl = (b.lon - a.lon) * rad;
  const h = Math.sin(dp / 2) ** 2
    + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dl / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

// The next Saturday at 09:00 in UTC+8, at least a day ahead.
function nextSaturdayMorning() {
  const now = Date.now() + 8 * 3600000;
  const day = Math.floor(now / 86400000) * 86400000;
  let t = day + 9 * 3600000;
  for (let i = 0; i < 14; i++, t += 86400000) {
    if (new Date(t).getUTCDay() === 6 && t - now > 86400000) return new Date(t - 8 * 3600000);
  }
  throw new Error('no Saturday');
}

// Today's date in UTC+8, and n days from it.
function localDate(n = 0) {
  return new Date(Date.now() + 8 * 3600000 + n * 86400000).toISOString().slice(0, 10);
}

function expectError(r, status, code) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  assert.ok(r.body.error.message.length > 0);
}

before(async () => {
  dir = tempDir();
  const db = makeDatabase(dir);
  for (const [name, role, area] of [
    ['staff2', 'community_staff', OTHER],
    ['chief1', 'chief', CELL1],
    ['chief2', 'chief', CELL2],
    ['vol1', 'volunteer', COMMUNITY],
  ]) {
    mustGridgov('user', 'add', '--db', db, '--username', name, '--password', PASSWORD, '--role',
      role, '--area', area);
  }
  server = await startServer(db);
  for (const u of ['admin', 'leader', 'worker1', 'staff', 'staff2', 'resident', 'dispatcher',
    'chief1', 'chief2', 'vol1']) {
    const s = await login(server.url, u);
    tokens[u] = s.token;
    users[u] = (await req('GET', '/api/v1/me', s.token)).body;
  }
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

test('the skill list is public, with Chinese and English names', async () => {
  const r = await req('GET', '/api/v1/skills');
  assert.equal(r.status, 200);
  const codes = r.body.items.map((s) => s.code);
  for (const c of ['medical', 'legal', 'elderly_care', 'repair', 'teaching', 'translation',
    'psychology']) {
    assert.ok(codes.includes(c), c);
  }
  assert.equal(new Set(codes).size, codes.length);
  const medical = r.body.items.find((s) => s.code === 'medical');
  assert.equal(medical.name_zh, '医疗');
  assert.ok(medical.name_en.length > 0);
  assert.deepEqual(Object.keys(r.body.levels).sort(), ['1', '2', '3']);
});

const vols = {};

async function addVolunteer(key, body, token = tokens.staff) {
  const r = await req('POST', '/api/v1/volunteers', token, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  vols[key] = r.body;
  return r.body;
}

test('community staff register volunteers of their community', async () => {
  const a = await addVolunteer('a', {
    name: '王医生', area_code: CELL1, skills: ['legal', 'medical:3'],
    availability: ['sat:morning', 'sun:morning'], lon: 113.031, lat: 23.031,
    user_id: users.vol1.id,
  });
  assert.equal(a.status, 'active');
  assert.deepEqual(a.skills.map((s) => [s.code, s.level]), [['medical', 3], ['legal', 1]]);
  assert.equal(a.skills[0].name_zh, '医疗');
  assert.deepEqual(a.availability, ['sat:morning', 'sun:morning']);
  assert.deepEqual(a.home, { lon: 113.031, lat: 23.031 });
  assert.equal(a.user_id, users.vol1.id);
  assert.equal(a.person_id, null);
  // without availability: every slot
  await addVolunteer('b', {
    name: '李护士', area_code: COMMUNITY, skills: ['medical:3'], lon: 113.06, lat: 23.06,
  });
  assert.equal(vols.b.availability.length, 21);
  await addVolunteer('c', {
    name: '赵同学', area_code: CELL2, skills: ['medical:1', 'teaching:2'], lon: 113.032, lat: 23.03,
  });
  await addVolunteer('d', {
    name: '周大夫', area_code: CELL1, skills: ['medical:3'], availability: ['mon:morning'],
    lon: 113.03, lat: 23.03,
  });
  await addVolunteer('e', {
    name: '张师傅', area_code: CELL1, skills: ['repair:2'], lon: 113.03, lat: 23.03,
  });
  await addVolunteer('f', {
    name: '孙医生', area_code: CELL1, skills: ['medical:3'], lon: 113.03, lat: 23.03,
    status: 'paused',
  });
  await addVolunteer('far', {
    name: '吴医生', area_code: COMMUNITY, skills: ['medical:3'], lon: 113.03, lat: 23.19,
  });
  // another community, registered by its own staff; an admin anywhere
  await addVolunteer('other', {
    name: '钱律师', area_code: OTHER, skills: ['legal:3'], lon: 113.15, lat: 23.05,
  }, tokens.staff2);
  await addVolunteer('street2', {
    name: '郑医生', area_code: '440605002', skills: ['medical:3'], lon: 113.3, lat: 23.1,
  }, tokens.admin);
});

test('volunteer registration: bad input, scope and roles', async () => {
  const ok = { name: 'x', area_code: CELL1, skills: ['medical'] };
  const bad = [
    [{ ...ok, skills: ['sweeping'] }, /sweeping/],
    [{ ...ok, skills: ['medical:4'] }, /level/],
    [{ ...ok, skills: ['medical', 'medical:2'] }, /twice/],
    [{ ...ok, skills: 'medical' }, /skills/],
    [{ ...ok, skills: ['medical,legal'] }, /skills/],
    [{ ...ok, availability: ['mon:noon'] }, /availability/],
    [{ ...ok, availability: 'mon:morning' }, /availability/],
    [{ ...ok, name: '' }, /name/],
    [{ area_code: CELL1 }, /name/],
    [{ ...ok, area_code: 'abc' }, /area/],
    [{ ...ok, lon: 113.0 }, /lon/],
    [{ ...ok, lon: 190, lat: 23 }, /lon/],
    [{ ...ok, status: 'gone' }, /status/],
    [{ ...ok, colour: 'red' }, /colour/],
    [{ ...ok, user_id: users.worker1.id }, /not a volunteer/],
  ];
  for (const [body, msg] of bad) {
    const r = await req('POST', '/api/v1/volunteers', tokens.staff, body);
    expectError(r, 400, 'invalid_argument');
    assert.match(r.body.error.message, msg, JSON.stringify(body));
  }
  expectError(await req('POST', '/api/v1/volunteers', tokens.staff, { ...ok, person_id: 999999 }),
    404, 'not_found');
  expectError(await req('POST', '/api/v1/volunteers', tokens.staff, { ...ok, user_id: 999999 }),
    404, 'not_found');
  expectError(await req('POST', '/api/v1/volunteers', tokens.staff,
    { ...ok, area_code: '440605001001009' }), 404, 'not_found');
  // outside the subtree, above it, and roles that only read or do not hold the capability
  expectError(await req('POST', '/api/v1/volunteers', tokens.staff, { ...ok, area_code: OTHER }),
    403, 'forbidden');
  expectError(await req('POST', '/api/v1/volunteers', tokens.staff,
    { ...ok, area_code: '440605001' }), 403, 'forbidden');
  for (const u of ['worker1', 'leader', 'resident', 'chief1', 'vol1', 'dispatcher']) {
    expectError(await req('POST', '/api/v1/volunteers', tokens[u], ok), 403, 'forbidden');
  }
  expectError(await req('POST', '/api/v1/volunteers', undefined, ok), 401, 'unauthorized');
  const broken = await fetch(`${server.url}/api/v1/volunteers`, {
    method: 'POST', headers: { authorization: `Bearer ${tokens.staff}` }, body: '{"name":',
  });
  assert.equal(broken.status, 400);
  assert.equal((await broken.json()).error.code, 'malformed_json');
});

test('volunteers: read with scope, filters, update and leave', async () => {
  let r = await req('GET', '/api/v1/volunteers', tokens.staff);
  assert.equal(r.status, 200);
  const mine = r.body.items.map((v) => v.id);
  assert.ok(mine.includes(vols.a.id));
  assert.ok(!mine.includes(vols.other.id));
  assert.ok(!mine.includes(vols.street2.id));
  // worker1 reads their grid (its default scope), not the community above it
  r = await req('GET', '/api/v1/volunteers?skill=repair', tokens.worker1);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.items.map((v) => v.id), [vols.e.id]);
  expectError(await req('GET', `/api/v1/volunteers?area=${COMMUNITY}`, tokens.worker1), 403,
    'forbidden');
  r = await req('GET', `/api/v1/volunteers?area=${CELL1}&skill=repair`, tokens.worker1);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.items.map((v) => v.id), [vols.e.id]);
  r = await req('GET', '/api/v1/volunteers?status=paused', tokens.leader);
  assert.deepEqual(r.body.items.map((v) => v.id), [vols.f.id]);
  r = await req('GET', '/api/v1/volunteers?area=440605&limit=2', tokens.leader);
  assert.equal(r.body.items.length, 2);
  const after = r.body.items[1].id;
  r = await req('GET', `/api/v1/volunteers?area=440605&after=${after}&limit=1000`, tokens.leader);
  assert.ok(r.body.items.every((v) => v.id > after));
  assert.equal(r.body.items.length, Object.keys(vols).length - 2);
  expectError(await req('GET', '/api/v1/volunteers?skill=sweeping', tokens.staff), 400,
    'invalid_argument');
  expectError(await req('GET', '/api/v1/volunteers?status=x', tokens.staff), 400,
    'invalid_argument');
  expectError(await req('GET', '/api/v1/volunteers?limit=0', tokens.staff), 400,
    'invalid_argument');
  expectError(await req('GET', `/api/v1/volunteers?area=${COMMUNITY}`, tokens.staff2), 403,
    'forbidden');
  expectError(await req('GET', '/api/v1/volunteers', tokens.resident), 403, 'forbidden');
  expectError(await req('GET', '/api/v1/volunteers'), 401, 'unauthorized');

  r = await req('GET', `/api/v1/volunteers/${vols.a.id}`, tokens.dispatcher);
  assert.equal(r.status, 200);
  assert.equal(r.body.name, '王医生');
  expectError(await req('GET', `/api/v1/volunteers/${vols.a.id}`, tokens.staff2), 403,
    'forbidden');
  expectError(await req('GET', '/api/v1/volunteers/999999', tokens.staff), 404, 'not_found');
  expectError(await req('GET', '/api/v1/volunteers/abc', tokens.staff), 404, 'not_found');

  // PATCH replaces what is given; a volunteer cannot be moved out of the caller's area
  const x = await addVolunteer('x', { name: '临时', area_code: CELL1, skills: ['driving'] });
  r = await req('PATCH', `/api/v1/volunteers/${x.id}`, tokens.staff,
    { skills: ['driving:2', 'first_aid'], availability: ['fri:evening'] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.skills.map((s) => `${s.code}:${s.level}`), ['first_aid:1', 'driving:2']);
  assert.deepEqual(r.body.availability, ['fri:evening']);
  assert.equal(r.body.name, '临时');
  expectError(await req('PATCH', `/api/v1/volunteers/${x.id}`, tokens.staff,
    { area_code: OTHER }), 403, 'forbidden');
  expectError(await req('PATCH', `/api/v1/volunteers/${x.id}`, tokens.staff2, { name: 'y' }),
    403, 'forbidden');
  expectError(await req('PATCH', `/api/v1/volunteers/${x.id}`, tokens.leader, { name: 'y' }),
    403, 'forbidden');
  expectError(await req('PATCH', `/api/v1/volunteers/${x.id}`, tokens.staff, { skills: ['x'] }),
    400, 'invalid_argument');
  r = await req('DELETE', `/api/v1/volunteers/${x.id}`, tokens.staff);
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'left');
  r = await req('GET', `/api/v1/volunteers/${x.id}`, tokens.staff);
  assert.equal(r.body.status, 'left'); // kept for the record of their hours
  expectError(await req('DELETE', `/api/v1/volunteers/${x.id}`, tokens.worker1), 403,
    'forbidden');
  expectError(await req('DELETE', '/api/v1/volunteers/999999', tokens.staff), 404, 'not_found');
});

let need;

test('needs: declare a service need; bad input and scope', async () => {
  const starts = nextSaturdayMorning().toISOString();
  const body = {
    source: 'service', title: '周六义诊', skills: ['medical:2'], ...NEED, starts_at: starts,
    hours: 3, volunteers: 2,
  };
  const r = await req('POST', '/api/v1/needs', tokens.staff, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  need = r.body;
  assert.equal(need.area_code, CELL1); // located from the point
  assert.equal(need.slot, 'sat:morning');
  assert.equal(need.hours, 3);
  assert.equal(need.volunteers, 2);
  assert.equal(need.assigned, 0);
  assert.equal(need.status, 'open');
  assert.equal(need.radius_m, 5000);
  assert.deepEqual(need.place, NEED);

  const bad = [
    { ...body, source: 'wish' },
    { ...body, source_id: 3 },
    { ...body, source: 'case' },
    { ...body, source: 'post' },
    { ...body, title: '' },
    { ...body, skills: ['surgery'] },
    { ...body, hours: 0 },
    { ...body, hours: -2 },
    { ...body, hours: 30 },
    { ...body, volunteers: 0 },
    { ...body, volunteers: 51 },
    { ...body, radius_m: 10 },
    { ...body, radius_m: 60000 },
    { ...body, starts_at: 'next saturday' },
    { ...body, starts_at: new Date(Date.now() + 400 * 86400000).toISOString() },
    { ...body, starts_at: new Date(Date.now() - 3 * 86400000).toISOString() },
    { ...body, lon: undefined },
    { source: 'service', title: 'x', starts_at: starts },
    { ...body, extra: 1 },
  ];
  for (const b of bad) {
    expectError(await req('POST', '/api/v1/needs', tokens.staff, b), 400, 'invalid_argument');
  }
  expectError(await req('POST', '/api/v1/needs', tokens.staff, { ...body, source: 'case',
    source_id: 999999 }), 404, 'not_found');
  expectError(await req('POST', '/api/v1/needs', tokens.staff, { ...body, lon: 113.15 }), 403,
    'forbidden');
  expectError(await req('POST', '/api/v1/needs', tokens.staff, { ...body, lon: 120, lat: 30 }),
    404, 'not_found');
  expectError(await req('POST', '/api/v1/needs', tokens.worker1, body), 403, 'forbidden');
  expectError(await req('POST', '/api/v1/needs', undefined, body), 401, 'unauthorized');
});

test('a need of a case takes its place from the case', async () => {
  const c = await req('POST', '/api/v1/cases', tokens.staff, {
    channel: 'phone', category: '0101', description: '独居老人需要陪同就医', lon: 113.02, lat: 23.04,
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const r = await req('POST', '/api/v1/needs', tokens.staff, {
    source: 'case', source_id: c.body.id, title: '陪同就医', skills: ['elderly_care'],
    starts_at: new Date(Date.now() + 86400000).toISOString(), hours: 2,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.source, 'case');
  assert.equal(r.body.source_id, c.body.id);
  assert.equal(r.body.area_code, c.body.area_code);
  assert.deepEqual(r.body.place, { lon: 113.02, lat: 23.04 });
  // a case the caller may not see
  expectError(await req('POST', '/api/v1/needs', tokens.staff2, {
    source: 'case', source_id: c.body.id, title: 'x', starts_at: new Date().toISOString(),
  }), 403, 'forbidden');
  // nobody in the community cares for the elderly: an unmatched need
  const m = await req('GET', `/api/v1/needs/${r.body.id}/matches`, tokens.staff);
  assert.equal(m.status, 200);
  assert.deepEqual(m.body.items, []);
  assert.ok(m.body.excluded.no_skill > 0);
});

// The documented score, recomputed here.
function expected(v, hours30, assignments30) {
  const want = { medical: 2 };
  const lvl = Object.fromEntries(v.skills.map((s) => [s.code, s.level]));
  const skill = Object.entries(want)
    .map(([code, l]) => ((lvl[code] ?? 0) >= l ? 1 : (lvl[code] ?? 0) / l))
    .reduce((a, b) => a + b, 0) / Object.keys(want).length;
  const d = haversine(NEED, v.home);
  const distance = 1 - d / 5000;
  const load = 1 / (1 + hours30 / 20 + assignments30 / 4);
  return { skill, distance, load, total: 0.5 * skill + 0.3 * distance + 0.2 * load, d };
}

// The ids of the given volunteers in the order the formula puts them (ties: lower id first).
function expectedOrder(keys, load = {}) {
  return keys
    .map((k) => ({ id: vols[k].id, t: expected(vols[k], ...(load[k] ?? [0, 0])).total }))
    .sort((x, y) => y.t - x.t || x.id - y.id)
    .map((x) => x.id);
}

test('matches rank by skill fit, distance and load, explainably; filters are counted',
  async () => {
    const r = await req('GET', `/api/v1/needs/${need.id}/matches`, tokens.staff);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.weights, { skill: 0.5, distance: 0.3, load: 0.2 });
    const ids = r.body.items.map((m) => m.volunteer.id);
    // a (near, professional) first; b (4.5 km away) and c (level 1 of 2, near) as the formula
    // orders them; not d (Mondays only), not e (repair), not f (paused), not far (17 km), not
    // other/street2 (outside the pool)
    assert.equal(ids[0], vols.a.id);
    assert.deepEqual(ids, expectedOrder(['a', 'b', 'c']));
    assert.equal(r.body.excluded.unavailable, 1);
    assert.equal(r.body.excluded.no_skill, 1);
    assert.equal(r.body.excluded.inactive, 2); // f paused, x left
    assert.equal(r.body.excluded.too_far, 1);
    assert.equal(r.body.excluded.assigned, 0);
    // every volunteer of the pool looked at is either ranked or excluded for a reason
    assert.equal(r.body.candidates,
      r.body.items.length + Object.values(r.body.excluded).reduce((a, b) => a + b, 0));
    for (const [i, m] of r.body.items.entries()) {
      const v = Object.values(vols).find((x) => x.id === m.volunteer.id);
      const e = expected(v, 0, 0);
      assert.equal(m.rank, i + 1);
      assert.ok(Math.abs(m.distance_m - e.d) < 1, `${m.distance_m} vs ${e.d}`);
      assert.ok(Math.abs(m.score.skill - e.skill) < 0.001);
      assert.ok(Math.abs(m.score.distance - e.distance) < 0.001);
      assert.ok(Math.abs(m.score.load - e.load) < 0.001);
      assert.ok(Math.abs(m.score.total - e.total) < 0.002);
      assert.equal(m.hours_30d, 0);
    }
    for (let i = 1; i < r.body.items.length; i++) {
      assert.ok(r.body.items[i - 1].score.total >= r.body.items[i].score.total);
    }
    const one = await req('GET', `/api/v1/needs/${need.id}/matches?limit=1`, tokens.leader);
    assert.deepEqual(one.body.items.map((m) => m.volunteer.id), [vols.a.id]);
    expectError(await req('GET', `/api/v1/needs/${need.id}/matches?limit=0`, tokens.staff), 400,
      'invalid_argument');
    expectError(await req('GET', `/api/v1/needs/${need.id}/matches`, tokens.staff2), 403,
      'forbidden');
    expectError(await req('GET', `/api/v1/needs/${need.id}/matches`, tokens.resident), 403,
      'forbidden');
    expectError(await req('GET', `/api/v1/needs/${need.id}/matches`), 401, 'unauthorized');
    expectError(await req('GET', '/api/v1/needs/999999/matches', tokens.staff), 404, 'not_found');
  });

test('assigning volunteers to a need, up to the number wanted', async () => {
  const url = `/api/v1/needs/${need.id}/assign`;
  let r = await req('POST', url, tokens.staff, { volunteer_id: vols.a.id });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.assigned, 1);
  assert.equal(r.body.status, 'open');
  assert.deepEqual(r.body.assignments.map((a) => a.volunteer_id), [vols.a.id]);
  expectError(await req('POST', url, tokens.staff, { volunteer_id: vols.a.id }), 409,
    'already_exists');
  // the assigned one leaves the matches
  const m = await req('GET', `/api/v1/needs/${need.id}/matches`, tokens.staff);
  assert.deepEqual(m.body.items.map((x) => x.volunteer.id), expectedOrder(['b', 'c']));
  assert.equal(m.body.excluded.assigned, 1);
  expectError(await req('POST', url, tokens.staff, { volunteer_id: vols.f.id }), 400,
    'invalid_argument'); // paused
  expectError(await req('POST', url, tokens.staff, { volunteer_id: vols.street2.id }), 403,
    'forbidden'); // outside the pool
  expectError(await req('POST', url, tokens.staff, { volunteer_id: 999999 }), 404, 'not_found');
  expectError(await req('POST', url, tokens.staff, {}), 400, 'invalid_argument');
  expectError(await req('POST', url, tokens.staff, { volunteer_id: 'a' }), 400,
    'invalid_argument');
  expectError(await req('POST', url, tokens.leader, { volunteer_id: vols.b.id }), 403,
    'forbidden');
  expectError(await req('POST', url, tokens.staff2, { volunteer_id: vols.b.id }), 403,
    'forbidden');
  expectError(await req('POST', url, undefined, { volunteer_id: vols.b.id }), 401,
    'unauthorized');
  r = await req('POST', url, tokens.staff, { volunteer_id: vols.b.id });
  assert.equal(r.status, 201);
  assert.equal(r.body.status, 'filled');
  expectError(await req('POST', url, tokens.staff, { volunteer_id: vols.c.id }), 409, 'conflict');

  r = await req('GET', `/api/v1/needs/${need.id}`, tokens.worker1);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.assignments.map((a) => a.volunteer_id), [vols.a.id, vols.b.id]);
  expectError(await req('GET', `/api/v1/needs/${need.id}`, tokens.staff2), 403, 'forbidden');
  expectError(await req('GET', '/api/v1/needs/999999', tokens.staff), 404, 'not_found');
  r = await req('GET', '/api/v1/needs?status=filled', tokens.staff);
  assert.deepEqual(r.body.items.map((n) => n.id), [need.id]);
  r = await req('GET', '/api/v1/needs?status=open', tokens.staff);
  assert.ok(r.body.items.length >= 1 && r.body.items.every((n) => n.status === 'open'));
  r = await req('GET', '/api/v1/needs', tokens.staff2);
  assert.deepEqual(r.body.items, []);
  expectError(await req('GET', '/api/v1/needs?status=done', tokens.staff), 400,
    'invalid_argument');
  expectError(await req('GET', `/api/v1/needs?area=${COMMUNITY}`, tokens.staff2), 403,
    'forbidden');
});

let post;
let memberA;
let memberP;

test('posts (设岗定责) with duties and members', async () => {
  let r = await req('POST', '/api/v1/posts', tokens.staff, {
    area_code: COMMUNITY, kind: 'dispute_mediation', name: '平洲矛盾调解岗',
    duties: '每周二、四下午在议事厅调解邻里纠纷',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  post = r.body;
  assert.equal(post.kind_zh, '矛盾调解岗');
  for (const b of [
    { area_code: COMMUNITY, kind: 'sweeping', name: 'x' },
    { area_code: COMMUNITY, kind: 'other', name: '' },
    { area_code: COMMUNITY, kind: 'other' },
    { area_code: 'x', kind: 'other', name: 'x' },
    { area_code: COMMUNITY, kind: 'other', name: 'x', duties: 'x'.repeat(1001) },
  ]) {
    expectError(await req('POST', '/api/v1/posts', tokens.staff, b), 400, 'invalid_argument');
  }
  const ok = { area_code: OTHER, kind: 'other', name: 'x' };
  expectError(await req('POST', '/api/v1/posts', tokens.staff, ok), 403, 'forbidden');
  expectError(await req('POST', '/api/v1/posts', tokens.leader, ok), 403, 'forbidden');
  expectError(await req('POST', '/api/v1/posts', undefined, ok), 401, 'unauthorized');

  const url = `/api/v1/posts/${post.id}/members`;
  r = await req('POST', url, tokens.staff,
    { member_kind: 'volunteer', member_id: vols.a.id, duty: '调解员' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  memberA = r.body;
  assert.equal(memberA.hours, 0);
  expectError(await req('POST', url, tokens.staff, { member_kind: 'volunteer',
    member_id: vols.a.id }), 409, 'already_exists');
  // a party member from the base data
  const person = await req('POST', '/api/v1/persons', tokens.staff, {
    area_code: CELL1, name: '黄党员', sex: 'M', birth_date: '1962-03-01', is_registered: true,
  });
  assert.equal(person.status, 201, JSON.stringify(person.body));
  r = await req('POST', url, tokens.staff,
    { member_kind: 'person', member_id: person.body.id, duty: '记录员' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  memberP = r.body;
  expectError(await req('POST', url, tokens.staff, { member_kind: 'volunteer',
    member_id: vols.other.id }), 400, 'invalid_argument'); // from another community
  expectError(await req('POST', url, tokens.staff, { member_kind: 'volunteer',
    member_id: vols.f.id }), 400, 'invalid_argument'); // paused
  expectError(await req('POST', url, tokens.staff, { member_kind: 'robot', member_id: 1 }), 400,
    'invalid_argument');
  expectError(await req('POST', url, tokens.staff, { member_kind: 'person', member_id: 999999 }),
    404, 'not_found');
  expectError(await req('POST', url, tokens.staff, { member_kind: 'volunteer' }), 400,
    'invalid_argument');
  expectError(await req('POST', url, tokens.staff2, { member_kind: 'volunteer',
    member_id: vols.b.id }), 403, 'forbidden');
  expectError(await req('POST', '/api/v1/posts/999999/members', tokens.staff,
    { member_kind: 'volunteer', member_id: vols.b.id }), 404, 'not_found');

  r = await req('GET', '/api/v1/posts', tokens.worker1);
  assert.deepEqual(r.body.items, []); // the post's community is above worker1's grid
  expectError(await req('GET', `/api/v1/posts?area=${COMMUNITY}`, tokens.worker1), 403,
    'forbidden');
  r = await req('GET', '/api/v1/posts', tokens.leader);
  assert.deepEqual(r.body.items.map((p) => p.id), [post.id]);
  r = await req('GET', '/api/v1/posts', tokens.staff2);
  assert.deepEqual(r.body.items, []);
  expectError(await req('GET', `/api/v1/posts/${post.id}`, tokens.staff2), 403, 'forbidden');
  expectError(await req('GET', '/api/v1/posts/999999', tokens.staff), 404, 'not_found');
});

test('hours: logged per member and day, validated, totalled per post and per volunteer',
  async () => {
    const url = `/api/v1/posts/${post.id}/hours`;
    let r = await req('POST', url, tokens.staff,
      { member_id: memberA.id, date: localDate(), hours: 3, note: '调解两起' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.hours, 3);
    assert.equal(r.body.member_kind, 'volunteer');
    assert.equal(r.body.person_id, vols.a.id);
    r = await req('POST', url, tokens.staff, { member_id: memberA.id, date: localDate(-1),
      hours: 20 });
    assert.equal(r.status, 201);
    r = await req('POST', url, tokens.staff, { member_id: memberA.id, date: localDate(-1),
      hours: 4.5 });
    expectError(r, 400, 'invalid_argument');
    assert.match(r.body.error.message, /24 hours/);
    r = await req('POST', url, tokens.staff, { member_id: memberA.id, date: localDate(-1),
      hours: 4 });
    assert.equal(r.status, 201); // exactly 24
    r = await req('POST', url, tokens.staff, { member_id: memberP.id, date: localDate(),
      hours: 1.5 });
    assert.equal(r.status, 201);
    const bad = [
      [{ member_id: memberA.id, date: localDate(), hours: -2 }, /more than 0/],
      [{ member_id: memberA.id, date: localDate(), hours: 0 }, /more than 0/],
      [{ member_id: memberA.id, date: localDate(-2), hours: 25 }, /at most 24/],
      [{ member_id: memberA.id, date: localDate(1), hours: 1 }, /future/],
      [{ member_id: memberA.id, date: localDate(-400), hours: 1 }, /year/],
      [{ member_id: memberA.id, date: '2026-02-30', hours: 1 }, /date/],
      [{ member_id: memberA.id, date: 'yesterday', hours: 1 }, /date/],
      [{ member_id: memberA.id, hours: 1 }, /date/],
      [{ member_id: memberA.id, date: localDate(), hours: 'two' }, /hours/],
      [{ member_id: memberA.id, date: localDate(), hours: 1, note: 'x'.repeat(201) }, /note/],
    ];
    for (const [b, msg] of bad) {
      r = await req('POST', url, tokens.staff, b);
      expectError(r, 400, 'invalid_argument');
      assert.match(r.body.error.message, msg, JSON.stringify(b));
    }
    expectError(await req('POST', url, tokens.staff, { member_id: 999999, date: localDate(),
      hours: 1 }), 404, 'not_found');
    expectError(await req('POST', url, tokens.staff2, { member_id: memberA.id,
      date: localDate(), hours: 1 }), 403, 'forbidden');
    expectError(await req('POST', url, tokens.leader, { member_id: memberA.id,
      date: localDate(), hours: 1 }), 403, 'forbidden');
    expectError(await req('POST', url, undefined, { member_id: memberA.id, date: localDate(),
      hours: 1 }), 401, 'unauthorized');

    r = await req('GET', `/api/v1/posts/${post.id}`, tokens.leader);
    assert.equal(r.status, 200);
    const byId = Object.fromEntries(r.body.members.map((m) => [m.id, m]));
    assert.equal(byId[memberA.id].hours, 27);
    assert.equal(byId[memberA.id].entries, 3);
    assert.equal(byId[memberP.id].hours, 1.5);
    assert.equal(r.body.hours, 28.5);

    r = await req('GET', `/api/v1/volunteers/${vols.a.id}/hours`, tokens.staff);
    assert.equal(r.status, 200);
    assert.equal(r.body.hours, 27);
    assert.equal(r.body.entries, 3);
    assert.deepEqual(r.body.posts, [{ post_id: post.id, hours: 27, entries: 3 }]);
    r = await req('GET', `/api/v1/volunteers/${vols.a.id}/hours?from=${localDate()}`,
      tokens.staff);
    assert.equal(r.body.hours, 3);
    expectError(await req('GET', `/api/v1/volunteers/${vols.a.id}/hours?from=x`, tokens.staff),
      400, 'invalid_argument');
    expectError(await req('GET', `/api/v1/volunteers/${vols.a.id}/hours`, tokens.staff2), 403,
      'forbidden');

    // the hours weigh on the matching: a new Saturday need sees a's load
    const n2 = await req('POST', '/api/v1/needs', tokens.staff, {
      source: 'post', source_id: post.id, title: '调解岗值班', skills: ['medical:2'], ...NEED,
      starts_at: nextSaturdayMorning().toISOString(), hours: 2,
    });
    assert.equal(n2.status, 201, JSON.stringify(n2.body));
    assert.equal(n2.body.source, 'post');
    assert.equal(n2.body.source_id, post.id);
    // another community's staff may not attach a need to this post, even in their own area
    expectError(await req('POST', '/api/v1/needs', tokens.staff2, {
      source: 'post', source_id: post.id, title: 'x', lon: 113.15, lat: 23.05,
      starts_at: nextSaturdayMorning().toISOString(),
    }), 403, 'forbidden');
    expectError(await req('POST', '/api/v1/needs', tokens.staff, {
      source: 'post', source_id: 999999, title: 'x', ...NEED,
      starts_at: nextSaturdayMorning().toISOString(),
    }), 404, 'not_found');
    const m = await req('GET', `/api/v1/needs/${n2.body.id}/matches`, tokens.staff);
    const a = m.body.items.find((x) => x.volunteer.id === vols.a.id);
    assert.equal(a.hours_30d, 27);
    assert.equal(a.assignments_30d, 1);
    const e = expected(vols.a, 27, 1);
    assert.ok(Math.abs(a.score.load - e.load) < 0.001);
    assert.ok(Math.abs(a.score.total - e.total) < 0.002);
    // b (4.5 km, one assignment, no hours) now comes before busy a? recompute and compare
    const b = m.body.items.find((x) => x.volunteer.id === vols.b.id);
    const eb = expected(vols.b, 0, 1);
    assert.equal(m.body.items.indexOf(a) < m.body.items.indexOf(b), e.total > eb.total);
  });

let chief;

test('chiefs (三长) are linked to their cells', async () => {
  const building = await req('POST', '/api/v1/buildings', tokens.staff, {
    area_code: CELL1, building_no: 'B-1', name: '南桂东路1栋', floors: 7, is_rental: false,
  });
  assert.equal(building.status, 201, JSON.stringify(building.body));
  let r = await req('POST', '/api/v1/chiefs', tokens.staff, {
    kind: 'building', name: '陈楼长', building_id: building.body.id, user_id: users.chief1.id,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  chief = r.body;
  assert.equal(chief.area_code, CELL1); // the building's cell
  assert.equal(chief.kind_zh, '楼长');
  r = await req('POST', '/api/v1/chiefs', tokens.staff, {
    kind: 'lane', name: '林巷长', area_code: CELL2, user_id: users.chief2.id,
  });
  assert.equal(r.status, 201);
  const bad = [
    { kind: 'village', name: 'x', area_code: CELL1 },
    { kind: 'lane', name: '', area_code: CELL1 },
    { kind: 'lane', name: 'x' },
    { kind: 'lane', name: 'x', area_code: CELL1, user_id: users.worker1.id },
    { kind: 'lane', name: 'x', area_code: CELL1, user_id: users.chief2.id }, // scope is CELL2
    { kind: 'building', name: 'x', area_code: CELL2, building_id: building.body.id },
  ];
  for (const b of bad) {
    expectError(await req('POST', '/api/v1/chiefs', tokens.staff, b), 400, 'invalid_argument');
  }
  expectError(await req('POST', '/api/v1/chiefs', tokens.staff, { kind: 'building', name: 'x',
    building_id: 999999 }), 404, 'not_found');
  expectError(await req('POST', '/api/v1/chiefs', tokens.staff2, { kind: 'lane', name: 'x',
    area_code: CELL1 }), 403, 'forbidden');
  expectError(await req('POST', '/api/v1/chiefs', tokens.chief1, { kind: 'lane', name: 'x',
    area_code: CELL1 }), 403, 'forbidden');
  expectError(await req('POST', '/api/v1/chiefs', undefined, { kind: 'lane', name: 'x',
    area_code: CELL1 }), 401, 'unauthorized');
  r = await req('GET', `/api/v1/chiefs?area=${CELL1}`, tokens.worker1);
  assert.deepEqual(r.body.items.map((c) => c.id), [chief.id]);
  r = await req('GET', '/api/v1/chiefs', tokens.staff2);
  assert.deepEqual(r.body.items, []);
  // a chief lists only their own records (the web report form relays as one of them)
  r = await req('GET', '/api/v1/chiefs', tokens.chief1);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.items.map((c) => c.id), [chief.id]);
  r = await req('GET', '/api/v1/chiefs', tokens.chief2);
  assert.ok(r.body.items.length > 0 && r.body.items.every((c) => c.user_id === users.chief2.id));
});

test('a chief relays a case of their cell through the cases workflow', async () => {
  const body = {
    channel: 'building_chief', chief_id: chief.id, category: '0101',
    description: '楼道堆放杂物堵塞消防通道', lon: 113.02, lat: 23.05,
  };
  let r = await req('POST', '/api/v1/cases', tokens.chief1, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const relayed = r.body;
  assert.equal(relayed.channel, 'building_chief');
  assert.equal(relayed.status, 'reported');
  assert.equal(relayed.area_code, CELL1);
  // the case is in the normal workflow: staff of the community see it and its report event
  r = await req('GET', `/api/v1/cases/${relayed.id}/events`, tokens.staff);
  assert.equal(r.status, 200);
  assert.equal(r.body.items[0].action, 'report');
  // outside the chief's cell (the next cell of the same grid)
  expectError(await req('POST', '/api/v1/cases', tokens.chief1, { ...body, lon: 113.07 }), 403,
    'forbidden');
  expectError(await req('POST', '/api/v1/cases', tokens.chief1, { ...body, lon: undefined,
    lat: undefined, area_code: CELL2 }), 403, 'forbidden');
  // only as their own chief record, only through the chief channel
  const other = (await req('GET', `/api/v1/chiefs?area=${CELL2}`, tokens.staff)).body.items[0];
  expectError(await req('POST', '/api/v1/cases', tokens.chief1, { ...body, chief_id: other.id }),
    403, 'forbidden');
  expectError(await req('POST', '/api/v1/cases', tokens.chief1, { ...body, chief_id: undefined }),
    400, 'invalid_argument');
  expectError(await req('POST', '/api/v1/cases', tokens.chief1, { ...body, channel: 'phone' }),
    400, 'invalid_argument');
  expectError(await req('POST', '/api/v1/cases', tokens.chief1, { ...body, chief_id: 999999 }),
    404, 'not_found');
  // community staff relay a chief's phone call; not outside the chief's cell
  r = await req('POST', '/api/v1/cases', tokens.staff, { ...body, description: '楼长来电：电梯异响' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const byStaff = r.body;
  expectError(await req('POST', '/api/v1/cases', tokens.staff, { ...body, lon: 113.07 }), 403,
    'forbidden');
  expectError(await req('POST', '/api/v1/cases', tokens.staff2, body), 403, 'forbidden');
  // a grid worker reports, but does not relay for chiefs
  expectError(await req('POST', '/api/v1/cases', tokens.worker1, body), 403, 'forbidden');

  // the chief's record lists what was relayed; the chief reads their own record
  r = await req('GET', `/api/v1/chiefs/${chief.id}`, tokens.staff);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.relayed_cases.map((c) => c.id), [relayed.id, byStaff.id]);
  r = await req('GET', `/api/v1/chiefs/${chief.id}`, tokens.chief1);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.relayed_cases, []); // a chief does not read the area's cases
  expectError(await req('GET', `/api/v1/chiefs/${chief.id}`, tokens.chief2), 403, 'forbidden');
  expectError(await req('GET', `/api/v1/chiefs/${chief.id}`, tokens.staff2), 403, 'forbidden');
  expectError(await req('GET', '/api/v1/chiefs/999999', tokens.staff), 404, 'not_found');
  expectError(await req('GET', `/api/v1/chiefs/${chief.id}`), 401, 'unauthorized');
});
