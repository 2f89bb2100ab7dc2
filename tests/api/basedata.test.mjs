// Base data over HTTP and the CLI: CRUD of every kind with area-scoped access, masking per
// role, revealing with a reason and the access log, encryption at rest, exact lookup by ID
// number, Chinese search, the household file, bulk import (bad rows, duplicates, GBK,
// interruption), export and retention.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  readFileSync, writeFileSync, existsSync, copyFileSync, readdirSync, statSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  BIN, tempDir, removeDir, makeDatabase, startServer, login, getJson, postJson, gridgov,
  mustGridgov, IS_PG, newDatabaseName, idNumber,
} from './helpers.mjs';

const CELL1 = '440605001001001001'; // grid 440605001001001 (worker1)
const CELL2 = '440605001001001002';
const GRID2 = '440605001001002'; // worker2's grid (no cells of its own)
const ID1 = '11010519491231002X';
const ID2 = '440605199001011236';
const PHONE1 = '13800138000';

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

before(async () => {
  dir = tempDir();
  db = makeDatabase(dir);
  server = await startServer(db);
  for (const u of ['admin', 'leader', 'worker1', 'worker2', 'staff', 'dispatcher', 'handler',
    'resident']) {
    tokens[u] = (await login(server.url, u)).token;
  }
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

let householdId;
let personId;

// SQL straight to a PostgreSQL database, around the server (as the SQLite tests use sqlite3).
function psql(url, query) {
  const r = spawnSync('psql', [url, '-XAtqc', query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function filesUnder(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)));
}

// Every byte the database keeps on disk: the SQLite file and its WAL; with PostgreSQL, after a
// checkpoint, the files of the database's directory in the cluster and the write-ahead log.
function rawDatabaseBytes() {
  if (!IS_PG) {
    return Buffer.concat([readFileSync(db),
      existsSync(`${db}-wal`) ? readFileSync(`${db}-wal`) : Buffer.alloc(0)]);
  }
  psql(db, 'CHECKPOINT');
  const data = psql(db, 'SHOW data_directory');
  const oid = psql(db, 'SELECT oid FROM pg_database WHERE datname = current_database()');
  const files = [...filesUnder(join(data, 'base', oid)), ...filesUnder(join(data, 'pg_wal'))];
  assert.ok(files.length > 0);
  return Buffer.concat(files.map((f) => readFileSync(f)));
}

// The key file of the database (PostgreSQL: GRIDGOV_KEY_FILE, set by newDatabaseName).
const keyFile = () => (IS_PG ? process.env.GRIDGOV_KEY_FILE : `${db}.key`);

// A second, empty database with the areas (a place to run what must not touch db); on
// PostgreSQL it shares db's key file.
function secondDatabase(tag) {
  const key = process.env.GRIDGOV_KEY_FILE;
  const other = newDatabaseName(dir, tag);
  if (IS_PG) process.env.GRIDGOV_KEY_FILE = key;
  else copyFileSync(keyFile(), `${other}.key`);
  mustGridgov('init', '--db', other);
  mustGridgov('import', 'areas', join(dir, 'areas.geojson'), '--db', other);
  return other;
}

test('a grid worker creates a household and a person in their grid; personal data is masked',
  async () => {
    const h = await req('POST', '/api/v1/households', tokens.worker1, {
      area_code: CELL1, household_no: 'HH-0001', kind: '户籍家庭', address: '桂城街道南桂东路1号',
      head_name: '陈大文', phone: PHONE1,
    });
    assert.equal(h.status, 201, JSON.stringify(h.body));
    assert.equal(h.body.kind, 'registered_family');
    assert.equal(h.body.phone, '138****8000');
    assert.equal(h.body.personal_data, 'masked');
    householdId = h.body.id;

    const p = await req('POST', '/api/v1/persons', tokens.worker1, {
      area_code: CELL1, name: '陈大文', id_number: ID1.toLowerCase(), phone: `+86 ${PHONE1}`,
      is_registered: true, household_id: householdId, relation: '户主',
      tags: ['elderly_alone', '残疾人'],
    });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    assert.equal(p.body.id_number, '1101**********002X');
    assert.equal(p.body.phone, '138****8000');
    assert.equal(p.body.sex, 'F'); // from the ID number
    assert.equal(p.body.birth_date, '1949-12-31');
    assert.deepEqual(p.body.tags, ['elderly_alone', 'disabled']);
    personId = p.body.id;

    // The same ID number twice is refused on create.
    const dup = await req('POST', '/api/v1/persons', tokens.worker1, {
      area_code: CELL1, name: '陈大文', id_number: ID1, is_registered: true,
    });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'already_exists');
  });

test('bad input gets 400 naming the field, and nothing is written', async () => {
  const cases = [
    [{ area_code: CELL1, name: '王五', id_number: '110105194912310021', is_registered: true }, 'id_number'],
    [{ area_code: CELL1, name: '王五', sex: 'M', birth_date: '1990-02-30', is_registered: true }, 'birth_date'],
    [{ area_code: CELL1, name: '王五', sex: 'X', birth_date: '1990-01-01', is_registered: true }, 'sex'],
    [{ area_code: CELL1, name: '王五', sex: 'M', birth_date: '1990-01-01', is_registered: 'perhaps' }, 'is_registered'],
    [{ area_code: CELL1, name: '王五', sex: 'M', birth_date: '1990-01-01', is_registered: true, phone: '123' }, 'phone'],
    [{ area_code: CELL1, name: '王五', sex: 'M', birth_date: '1990-01-01', is_registered: true, tags: ['vip'] }, 'tags'],
    [{ area_code: CELL1, name: '王五', sex: 'M', birth_date: '1990-01-01', is_registered: true, salary: 1 }, 'salary'],
    [{ area_code: CELL1, sex: 'M', birth_date: '1990-01-01', is_registered: true }, 'name'],
    [{ name: '王五', sex: 'M', birth_date: '1990-01-01', is_registered: true }, 'area_code'],
    [{ area_code: CELL1, name: 'x'.repeat(65), sex: 'M', birth_date: '1990-01-01', is_registered: true }, 'name'],
  ];
  for (const [body, field] of cases) {
    const r = await req('POST', '/api/v1/persons', tokens.worker1, body);
    assert.equal(r.status, 400, `${field}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'invalid_argument');
    assert.match(r.body.error.message, new RegExp(field));
  }
  const nope = await req('POST', '/api/v1/persons', tokens.worker1, {
    area_code: CELL1, name: '王五', sex: 'M', birth_date: '1990-01-01', is_registered: true,
    household_id: 999999,
  });
  assert.equal(nope.status, 404);
  const notJson = await fetch(`${server.url}/api/v1/persons`, {
    method: 'POST', headers: { authorization: `Bearer ${tokens.worker1}` }, body: '{"name":',
  });
  assert.equal(notJson.status, 400);
  const list = await req('GET', `/api/v1/persons?area=${CELL1}`, tokens.worker1);
  assert.equal(list.body.items.length, 1);
});

test('scope: outside the subtree is 403 for reads, writes and lists', async () => {
  assert.equal((await req('GET', `/api/v1/persons/${personId}`, tokens.worker2)).status, 403);
  assert.equal((await req('PATCH', `/api/v1/persons/${personId}`, tokens.worker2,
    { occupation: '教师' })).status, 403);
  assert.equal((await req('DELETE', `/api/v1/persons/${personId}`, tokens.worker2)).status, 403);
  assert.equal((await req('GET', `/api/v1/persons?area=${CELL1}`, tokens.worker2)).status, 403);
  const own = await req('GET', '/api/v1/persons', tokens.worker2);
  assert.equal(own.status, 200);
  assert.equal(own.body.items.length, 0);
  const create = await req('POST', '/api/v1/persons', tokens.worker2, {
    area_code: CELL1, name: '王五', sex: 'M', birth_date: '1990-01-01', is_registered: true,
  });
  assert.equal(create.status, 403);
  // Roles without base data at all.
  for (const u of ['handler', 'resident']) {
    assert.equal((await req('GET', `/api/v1/persons/${personId}`, tokens[u])).status, 403, u);
    assert.equal((await req('GET', '/api/v1/persons', tokens[u])).status, 403, u);
  }
  assert.equal((await req('GET', `/api/v1/persons/${personId}`)).status, 401);
  // Readers who may not write.
  for (const u of ['leader', 'dispatcher']) {
    assert.equal((await req('GET', `/api/v1/persons/${personId}`, tokens[u])).status, 200, u);
    assert.equal((await req('PATCH', `/api/v1/persons/${personId}`, tokens[u],
      { occupation: '教师' })).status, 403, u);
  }
  // Worker 2 cannot attach a person to a household outside their grid.
  const cross = await req('POST', '/api/v1/persons', tokens.worker2, {
    area_code: `${GRID2}`, name: '王五', sex: 'M', birth_date: '1990-01-01', is_registered: true,
    household_id: householdId,
  });
  assert.equal(cross.status, 403);
});

test('masking per role; revealing needs the role and a reason, and is logged', async () => {
  for (const u of ['worker1', 'staff', 'leader', 'dispatcher', 'admin']) {
    const r = await req('GET', `/api/v1/persons/${personId}`, tokens[u]);
    assert.equal(r.status, 200, u);
    assert.equal(r.body.id_number, '1101**********002X', u);
    assert.equal(r.body.personal_data, 'masked', u);
  }
  const shown = await req('GET', `/api/v1/persons/${personId}?reveal=${encodeURIComponent('上门走访核实身份')}`,
    tokens.staff);
  assert.equal(shown.status, 200);
  assert.equal(shown.body.id_number, ID1);
  assert.equal(shown.body.phone, PHONE1);
  assert.equal(shown.body.personal_data, 'revealed');
  for (const u of ['leader', 'dispatcher', 'admin']) {
    const r = await req('GET', `/api/v1/persons/${personId}?reveal=audit`, tokens[u]);
    assert.equal(r.status, 403, u);
  }
  const short = await req('GET', `/api/v1/persons/${personId}?reveal=x`, tokens.staff);
  assert.equal(short.status, 400);
  const listed = await req('GET', `/api/v1/persons?household_id=${householdId}&reveal=visit`,
    tokens.worker1);
  assert.equal(listed.body.items[0].phone, PHONE1);

  const log = await req('GET', '/api/v1/access-log', tokens.admin);
  assert.equal(log.status, 200);
  const mine = log.body.items.filter((e) => e.subject_id === personId);
  assert.equal(mine.length, 2); // the staff read and the worker's list; refused reads log nothing
  assert.equal(mine[1].username, 'staff');
  assert.equal(mine[1].reason, '上门走访核实身份');
  assert.equal(mine[1].fields, 'id_number,phone');
  assert.equal(mine[0].username, 'worker1');
  const byUser = await req('GET', `/api/v1/access-log?user_id=${mine[1].user_id}`, tokens.admin);
  assert.ok(byUser.body.items.every((e) => e.username === 'staff'));
  for (const u of ['worker1', 'leader', 'staff']) {
    assert.equal((await req('GET', '/api/v1/access-log', tokens[u])).status, 403, u);
  }
});

test('exact lookup by ID number and phone; Chinese search scoped to the area', async () => {
  const byId = await req('GET', `/api/v1/persons?id_number=${ID1.toLowerCase()}`, tokens.worker1);
  assert.equal(byId.body.items.length, 1);
  assert.equal(byId.body.items[0].id, personId);
  const byPhone = await req('GET', `/api/v1/persons?phone=${encodeURIComponent('138-0013-8000')}`,
    tokens.staff);
  assert.equal(byPhone.body.items.length, 1);
  const none = await req('GET', `/api/v1/persons?id_number=${ID2}`, tokens.worker1);
  assert.equal(none.body.items.length, 0);
  const bad = await req('GET', '/api/v1/persons?id_number=123', tokens.worker1);
  assert.equal(bad.status, 400);

  const found = await req('GET', `/api/v1/search?q=${encodeURIComponent('南桂东路')}`, tokens.worker1);
  assert.equal(found.status, 200);
  assert.ok(found.body.items.some((h) => h.kind === 'household' && h.id === householdId));
  const elsewhere = await req('GET', `/api/v1/search?q=${encodeURIComponent('南桂东路')}`, tokens.worker2);
  assert.equal(elsewhere.body.items.length, 0);
  const twoChars = await req('GET', `/api/v1/persons?q=${encodeURIComponent('大文')}`, tokens.worker1);
  assert.equal(twoChars.body.items.length, 1);
  const short = await req('GET', `/api/v1/search?q=${encodeURIComponent('南桂')}`, tokens.worker1);
  assert.equal(short.status, 400);
  const tagged = await req('GET', '/api/v1/persons?tag=disabled', tokens.worker1);
  assert.equal(tagged.body.items.length, 1);
});

test('the household file: members, building and a time-ordered timeline with cases', async () => {
  const b = await req('POST', '/api/v1/buildings', tokens.worker1, {
    area_code: CELL1, building_no: 'B-9', name: '南桂东路9栋', floors: 9, is_rental: false,
    lon: 113.02, lat: 23.05,
  });
  assert.equal(b.status, 201, JSON.stringify(b.body));
  assert.equal(b.body.floors, 9);
  const patched = await req('PATCH', `/api/v1/households/${householdId}`, tokens.worker1,
    { building_id: b.body.id });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.building_id, b.body.id);
  assert.equal(patched.body.phone, '138****8000'); // kept through a change of another field

  for (const text of ['楼道漏水，请维修', '门口垃圾堆放']) {
    const c = await postJson(`${server.url}/api/v1/cases`, tokens.worker1, {
      channel: 'patrol', category: '0101', description: text, area_code: CELL1,
      household_id: householdId,
    });
    assert.equal(c.status, 201, JSON.stringify(c.body));
  }
  const outsider = await postJson(`${server.url}/api/v1/cases`, tokens.worker2, {
    channel: 'patrol', category: '0101', description: '别人的户', area_code: GRID2,
    household_id: householdId,
  });
  assert.equal(outsider.status, 403);

  const file = await req('GET', `/api/v1/households/${householdId}/file`, tokens.worker1);
  assert.equal(file.status, 200);
  assert.equal(file.body.household.id, householdId);
  assert.equal(file.body.members.length, 1);
  assert.equal(file.body.members[0].name, '陈大文');
  assert.equal(file.body.building.name, '南桂东路9栋');
  const kinds = file.body.timeline.map((t) => t.kind);
  assert.deepEqual(kinds, ['registered', 'case', 'case']);
  assert.equal(file.body.timeline[1].summary, '楼道漏水，请维修');
  assert.equal(file.body.timeline[1].status, 'reported');
  assert.match(file.body.timeline[1].number, /^440605-\d{8}-\d{5}$/);
  const times = file.body.timeline.map((t) => Date.parse(t.at));
  assert.deepEqual(times, [...times].sort((a, c) => a - c));
  assert.equal((await req('GET', `/api/v1/households/${householdId}/file`, tokens.worker2)).status,
    403);
  // A household with members or a timeline is not deleted.
  const del = await req('DELETE', `/api/v1/households/${householdId}`, tokens.worker1);
  assert.equal(del.status, 409);
});

test('every kind has CRUD: organisations and facilities, update and delete', async () => {
  const o = await req('POST', '/api/v1/organisations', tokens.staff, {
    area_code: CELL2, credit_code: '91440605MA4UJ5XK1P', name: '南海区某物业公司', kind: '企业',
    contact_phone: '0757-86123456', employees: 40,
  });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  assert.equal(o.body.kind, 'business');
  assert.equal(o.body.contact_phone, '0757-******56');
  const f = await req('POST', '/api/v1/facilities', tokens.staff, {
    area_code: CELL2, facility_no: 'LD-0001', kind: '路灯', status: 'damaged', lon: 113.06, lat: 23.05,
  });
  assert.equal(f.status, 201, JSON.stringify(f.body));
  const upd = await req('PATCH', `/api/v1/facilities/${f.body.id}`, tokens.staff, { status: 'ok' });
  assert.equal(upd.body.status, 'ok');
  assert.equal(upd.body.kind, 'street_light');
  assert.equal((await req('DELETE', `/api/v1/facilities/${f.body.id}`, tokens.staff)).status, 204);
  assert.equal((await req('GET', `/api/v1/facilities/${f.body.id}`, tokens.staff)).status, 404);
  const list = await req('GET', '/api/v1/organisations', tokens.staff);
  assert.equal(list.body.items.length, 1);
  assert.equal((await req('GET', '/api/v1/widgets', tokens.staff)).status, 404);
});

test('ID numbers and phones are encrypted at rest; without the key nothing is readable',
  async () => {
    // Read every byte the database wrote (file and WAL, or the cluster's files and WAL).
    const raw = rawDatabaseBytes();
    for (const secret of [ID1, PHONE1, '86123456', '0757-86123456']) {
      assert.equal(raw.includes(Buffer.from(secret)), false, `${secret} in the raw database`);
    }
    assert.ok(raw.includes(Buffer.from('南桂东路'))); // what is not personal is there to read
    assert.ok(existsSync(keyFile()));
    // The database without its key (a copy of the file; PostgreSQL: the database with the key
    // file gone): exports refuse to reveal, masked ones still work.
    const copy = IS_PG ? db : join(dir, 'copy.db');
    if (!IS_PG) mustGridgov('backup', '--db', db, copy);
    const key = process.env.GRIDGOV_KEY_FILE;
    if (IS_PG) process.env.GRIDGOV_KEY_FILE = join(dir, 'no-such.key');
    const out = join(dir, 'copy.csv');
    const r = gridgov('export', 'persons', '--db', copy, '--out', out, '--reveal', 'audit');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /key file/);
    const masked = gridgov('export', 'persons', '--db', copy, '--out', out);
    if (IS_PG) process.env.GRIDGOV_KEY_FILE = key;
    assert.equal(masked.status, 0, masked.stderr);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /1101\*\*\*\*\*\*\*\*\*\*002X/);
    assert.equal(text.includes(ID1), false);
  });

function csvFile(name, lines) {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

test('import: bad rows are reported by line and skipped, good rows land, re-runs update', () => {
  const hh = csvFile('hh.csv', [
    '户号,户类型,地址,户主姓名,area_code',
    `HH-1001,户籍家庭,平洲社区1号,李四,${CELL2}`,
    `HH-1002,经营户,平洲社区2号铺,张三,${CELL2}`,
    `HH-1003,no_such_kind,平洲社区3号,王五,${CELL2}`,
    'HH-1004,户籍家庭,平洲社区4号,赵六,449999001001001001',
  ]);
  let r = gridgov('import', 'households', hh, '--db', db);
  assert.equal(r.status, 3, r.stderr); // some rows rejected
  assert.match(r.stdout, /4 rows: 2 created, 0 updated, 2 rejected/);
  assert.match(r.stderr, /hh\.csv:4: field 'kind': unknown value 'no_such_kind'/);
  assert.match(r.stderr, /hh\.csv:5: no area 449999001001001001/);

  const ps = csvFile('persons.csv', [
    'name,id_number,phone,is_registered,household_no,relation,tags,area_code',
    `李四,${ID2},13912345678,是,HH-1001,户主,留守老人,${CELL2}`,
    `李四,${ID2},13912345678,是,HH-1001,户主,留守老人,${CELL2}`, // the same record again
    `王五,110105194912310021,,是,HH-1001,子女,,${CELL2}`, // bad check digit
    `赵六,440605200001010011,,是,HH-9999,子女,,${CELL2}`, // unknown household
    `"钱七",440605200001010038,,否,HH-1002,,,${CELL2},extra`, // too many fields
  ]);
  r = gridgov('import', 'persons', ps, '--db', db);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, /5 rows: 1 created, 0 updated, 4 rejected/);
  // a file holds each record once, whatever its size (small files and bulk loads alike)
  assert.match(r.stderr, /persons\.csv:3: field 'id_number': the same as on line 2/);
  assert.match(r.stderr, /persons\.csv:4: field 'id_number'/);
  assert.match(r.stderr, /persons\.csv:5: no household with household_no HH-9999/);
  assert.match(r.stderr, /persons\.csv:6: expected 8 fields, found 9/);
  assert.equal(r.stderr.includes('110105194912310021'), false); // numbers are not echoed
  r = gridgov('import', 'persons', ps, '--db', db);
  assert.match(r.stdout, /0 created, 1 updated, 4 rejected/);

  const noKey = csvFile('nokey.csv', ['name,sex,birth_date,is_registered,area_code',
    `孙八,M,1990-01-01,1,${CELL2}`]);
  r = gridgov('import', 'persons', noKey, '--db', db);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /id_number is required/);
  const badHeader = csvFile('badheader.csv', ['name,colour,area_code', `x,red,${CELL2}`]);
  r = gridgov('import', 'persons', badHeader, '--db', db);
  assert.match(r.stderr, /unknown column 'colour'/);
});

test('import: rows read ahead on a second thread are stored and reported in file order', () => {
  // More rows than the reader's ring holds (8 blocks of 64), in batches that end inside blocks,
  // with bad rows of every kind spread over several passes of the ring.
  const hh = ['household_no,kind,address,area_code'];
  for (let i = 0; i < 50; i++) hh.push(`PQ-${i},business,流水路${i}号,${CELL1}`);
  let r = gridgov('import', 'households', csvFile('pq-hh.csv', hh), '--db', db);
  assert.equal(r.status, 0, r.stderr);
  const N = 1500;
  const ps = ['name,id_number,is_registered,household_no,relation,area_code'];
  const bad = new Map([
    [70, [`坏号,110105194912310021,1,PQ-1,,${CELL1}`, "field 'id_number'"]],
    [600, [`无户,${idNumber(900000)},1,PQ-NONE,,${CELL1}`, 'no household with household_no PQ-NONE']],
    [900, [`缺列,${idNumber(900001)},1,PQ-2,${CELL1}`, 'expected 6 fields, found 5']],
    [1300, [`重复,${idNumber(500063)},1,PQ-3,,${CELL1}`, "field 'id_number': the same as on line 65"]],
    [1450, [`无区,${idNumber(900002)},1,PQ-4,,449999001001001001`, 'no area 449999001001001001']],
  ]);
  for (let line = 2; line <= N + 1; line++) {
    const i = line - 2;
    ps.push(bad.has(line) ? bad.get(line)[0] : `流水${i},${idNumber(500000 + i)},1,PQ-${i % 50},,${CELL1}`);
  }
  const persons = csvFile('pq-persons.csv', ps);
  r = gridgov('import', 'persons', persons, '--db', db, '--batch', '200');
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, new RegExp(`${N} rows: ${N - bad.size} created, 0 updated, ${bad.size} rejected`));
  const rejected = r.stderr.split('\n').filter((l) => l.includes('pq-persons.csv:'));
  assert.deepEqual(rejected.map((l) => Number(l.match(/pq-persons\.csv:(\d+):/)[1])), [...bad.keys()]);
  for (const [i, line] of [...bad.keys()].entries()) assert.ok(rejected[i].includes(bad.get(line)[1]), rejected[i]);
  // Each person is in the household its row named (references resolved by the writer).
  const out = join(dir, 'pq-export.csv');
  mustGridgov('export', 'households', '--db', db, '--out', out);
  const hhNo = new Map();
  let rows = readFileSync(out, 'utf8').trim().split('\n');
  let head = rows[0].split(',');
  for (const row of rows.slice(1)) {
    const f = row.split(',');
    hhNo.set(f[head.indexOf('id')], f[head.indexOf('household_no')]);
  }
  mustGridgov('export', 'persons', '--db', db, '--out', out);
  rows = readFileSync(out, 'utf8').trim().split('\n');
  head = rows[0].split(',');
  let seen = 0;
  for (const row of rows.slice(1)) {
    const f = row.split(',');
    const m = f[head.indexOf('name')].match(/^流水(\d+)$/);
    if (!m) continue;
    seen++;
    assert.equal(hhNo.get(f[head.indexOf('household_id')]), `PQ-${Number(m[1]) % 50}`, row);
  }
  assert.equal(seen, N - bad.size);
  // A re-run updates every good row and rejects the same lines again.
  r = gridgov('import', 'persons', persons, '--db', db, '--batch', '200');
  assert.match(r.stdout, new RegExp(`${N} rows: 0 created, ${N - bad.size} updated, ${bad.size} rejected`));
});

test('import: a GBK file gets a clear error, and imports with --encoding gb18030', () => {
  const utf8 = csvFile('gbk-src.csv', [
    '户号,户类型,地址,户主姓名,area_code',
    `HH-2001,户籍家庭,夏北社区8号,周九,${CELL2}`,
  ]);
  const gbk = join(dir, 'gbk.csv');
  const conv = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030', utf8, '-o', gbk]);
  assert.equal(conv.status, 0, String(conv.stderr));
  let r = gridgov('import', 'households', gbk, '--db', db);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not UTF-8.*GBK.*--encoding gb18030/s);
  r = gridgov('import', 'households', gbk, '--db', db, '--encoding', 'gb18030');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /1 rows: 1 created/);
});

test('import: a run killed halfway leaves a consistent database; a re-run completes it', async () => {
  const rows = ['household_no,kind,address,area_code'];
  const N = 60000;
  for (let i = 0; i < N; i++) rows.push(`K-${i},business,南桂东路${i}号,${CELL2}`);
  const big = csvFile('big.csv', rows);
  // Into a copy of db (PostgreSQL: a second database), counted before the import.
  let copy = join(dir, 'interrupt.db');
  if (IS_PG) {
    copy = secondDatabase('interrupt');
  } else {
    mustGridgov('backup', '--db', db, copy);
    copyFileSync(`${db}.key`, `${copy}.key`);
  }
  const count = () => Number(gridgov('export', 'households', '--db', copy, '--out',
    join(dir, 'n.csv')).stdout.match(/: (\d+) households/)[1]);
  const before = count();
  // Kill it once the first batches are committed.
  // Small batches, so that the kill lands between commits whatever the machine's speed.
  const proc = spawn(BIN, ['import', 'households', big, '--db', copy, '--batch', '500'],
    { stdio: 'ignore' });
  const started = Date.now();
  let killed = false;
  while (Date.now() - started < 20000) {
    await new Promise((r) => setTimeout(r, 50));
    const n = Number(gridgov('export', 'households', '--db', copy, '--out', join(dir, 'n.csv'))
      .stdout.match(/: (\d+) households/)?.[1] ?? 0);
    if (n > 5000) { proc.kill('SIGKILL'); killed = true; break; }
    if (proc.exitCode !== null) break;
  }
  await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
  const partial = count();
  assert.ok(killed, 'the import finished before it could be killed');
  assert.ok(partial > before && partial < before + N, `partial ${partial}`);
  assert.equal((partial - before) % 500, 0); // whole batches only
  const again = gridgov('import', 'households', big, '--db', copy);
  assert.equal(again.status, 0, again.stderr);
  const total = count();
  assert.equal(total, before + N); // every row once, no duplicates
  assert.equal(gridgov('verify', '--db', copy).status, 0);
});

test('export: CSV and XLSX over HTTP, masked, and unmasked only with a reason (logged)',
  async () => {
    const csv = await fetch(`${server.url}/api/v1/persons/export?format=csv`,
      { headers: { authorization: `Bearer ${tokens.staff}` } });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /text\/csv/);
    const text = await csv.text();
    assert.match(text.split('\n')[0], /^id,area_code,name,id_number/);
    assert.equal(text.includes(ID1), false);
    const xlsx = await fetch(`${server.url}/api/v1/persons/export?format=xlsx&reveal=audit`,
      { headers: { authorization: `Bearer ${tokens.staff}` } });
    assert.equal(xlsx.status, 200);
    const bytes = Buffer.from(await xlsx.arrayBuffer());
    assert.equal(bytes.subarray(0, 2).toString(), 'PK'); // a zip container
    const log = await req('GET', '/api/v1/access-log?subject_kind=export', tokens.admin);
    assert.ok(log.body.items.some((e) => e.username === 'staff' && /audit/.test(e.reason)));
    const leader = await fetch(`${server.url}/api/v1/persons/export?reveal=audit`,
      { headers: { authorization: `Bearer ${tokens.leader}` } });
    assert.equal(leader.status, 403);
    const outside = await fetch(`${server.url}/api/v1/persons/export?area=${CELL1}`,
      { headers: { authorization: `Bearer ${tokens.worker2}` } });
    assert.equal(outside.status, 403);
  });

test('retention anonymises persons who left long ago, with a dry run first', async () => {
  const gone = await req('POST', '/api/v1/persons', tokens.worker1, {
    area_code: CELL1, name: '迁出者', sex: 'M', birth_date: '1950-01-01', is_registered: true,
    phone: '13700001111', status: 'moved_away', moved_out_date: '2015-03-01',
  });
  assert.equal(gone.status, 201, JSON.stringify(gone.body));
  const recent = await req('POST', '/api/v1/persons', tokens.worker1, {
    area_code: CELL1, name: '刚迁出', sex: 'M', birth_date: '1950-01-01', is_registered: true,
    status: 'moved_away', moved_out_date: new Date().toISOString().slice(0, 10),
  });
  assert.equal(recent.status, 201);
  let r = gridgov('retention', 'run', '--db', db, '--dry-run');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /dry run: 1 persons .* would be anonymised/);
  assert.equal((await req('GET', `/api/v1/persons/${gone.body.id}`, tokens.worker1)).body.name, '迁出者');
  r = gridgov('retention', 'run', '--db', db);
  assert.match(r.stdout, /^1 persons/);
  const after1 = await req('GET', `/api/v1/persons/${gone.body.id}`, tokens.worker1);
  assert.equal(after1.body.name, '已匿名');
  assert.equal(after1.body.phone, null);
  assert.ok(after1.body.anonymised_at);
  assert.equal((await req('GET', `/api/v1/persons/${recent.body.id}`, tokens.worker1)).body.name, '刚迁出');
  r = gridgov('retention', 'run', '--db', db);
  assert.match(r.stdout, /^0 persons/); // idempotent
});

test("a case reporter's phone is encrypted, masked, and revealed only with a reason", async () => {
  const c = await postJson(`${server.url}/api/v1/cases`, tokens.resident, {
    channel: 'web', category: '0101', description: '路灯不亮', area_code: CELL1,
    reporter_name: '林小姐', reporter_phone: '+86 137-1234-5678',
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.deepEqual(c.body.reporter, { name: '林小姐', phone: '137****5678' });
  const staff = await req('GET', `/api/v1/cases/${c.body.id}`, tokens.staff);
  assert.equal(staff.body.reporter.phone, '137****5678');
  const shown = await req('GET', `/api/v1/cases/${c.body.id}?reveal=${encodeURIComponent('回访核实')}`,
    tokens.staff);
  assert.equal(shown.status, 200);
  assert.equal(shown.body.reporter.phone, '13712345678');
  assert.equal((await req('GET', `/api/v1/cases/${c.body.id}?reveal=audit`, tokens.dispatcher)).status,
    403);
  const log = await req('GET', '/api/v1/access-log?subject_kind=case', tokens.admin);
  assert.ok(log.body.items.some((e) => e.subject_id === c.body.id && e.reason === '回访核实'
    && e.fields === 'reporter_phone'));
  assert.equal(rawDatabaseBytes().includes(Buffer.from('13712345678')), false);
});

test('gridgov init encrypts reporter phones an earlier version stored in plain text', () => {
  // On a copy of db (PostgreSQL: db itself, this being the file's last test).
  const old = IS_PG ? db : join(dir, 'legacy.db');
  if (!IS_PG) {
    mustGridgov('backup', '--db', db, old);
    copyFileSync(`${db}.key`, `${old}.key`);
  }
  const sql = (q) => (IS_PG ? { status: 0, stdout: psql(old, q) }
    : spawnSync('sqlite3', [old, q], { encoding: 'utf8' }));
  let r = sql("UPDATE cases SET reporter_phone = '13688889999', reporter_phone_masked = '' "
    + 'WHERE id = (SELECT min(id) FROM cases)');
  assert.equal(r.status, 0, r.stderr);
  r = gridgov('init', '--db', old);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /encrypted the reporter phones of 1 cases/);
  r = sql("SELECT reporter_phone_masked || '|' || substr(reporter_phone, 1, 3) FROM cases "
    + 'WHERE id = (SELECT min(id) FROM cases)');
  assert.equal(r.stdout.trim(), '136****9999|v1:');
  r = gridgov('init', '--db', old);
  assert.doesNotMatch(r.stdout, /encrypted/); // once only
});
