// The gridgov command line as an operator uses it: init, import areas (with every kind of
// rejection), export, locate, user add/list/passwd, schema refusal, demo.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  BIN, tempDir, removeDir, gridgov, mustGridgov, smallTree, feature, rect, makeDatabase, PASSWORD,
} from './helpers.mjs';

let dir;

before(() => { dir = tempDir(); });
after(() => removeDir(dir));

function writeJson(name, value) {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

test('init creates a database and reports its schema', () => {
  const db = join(dir, 'init.db');
  const r = mustGridgov('init', '--db', db);
  assert.match(r.stdout, /sqlite database at schema version \d+/);
  // Running it again is harmless.
  mustGridgov('init', '--db', db);
});

test('a newer database is refused with a clear message', () => {
  const db = join(dir, 'newer.db');
  mustGridgov('init', '--db', db);
  const s = spawnSync('sqlite3', [db, 'PRAGMA user_version = 999;'], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  const r = gridgov('locate', '--db', db, '113', '23');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /newer than this gridgov/);
});

test('import rejects bad features with their number and reason, and writes nothing', () => {
  const db = join(dir, 'bad.db');
  mustGridgov('init', '--db', db);
  const good = smallTree();
  const bad = structuredClone(good);
  // 1: self-intersecting bow tie
  bad.features.push(feature('440605002001', '坏社区', {
    type: 'Polygon', coordinates: [[[113.2, 23.0], [113.3, 23.1], [113.3, 23.0], [113.2, 23.1], [113.2, 23.0]]],
  }));
  // 2: duplicate code
  bad.features.push(feature('440605001002', '重复社区', rect(113.1, 23.0, 113.2, 23.2)));
  // 3: orphan (its street 440605003 exists nowhere)
  bad.features.push(feature('440605003001', '孤儿社区', rect(113.2, 23.0, 113.3, 23.1)));
  // 4: wrong nesting (a grid of 440605001001 lying in street 002)
  bad.features.push(feature('440605001001003', '出界网格', rect(113.3, 23.0, 113.4, 23.1)));
  // 5: not a polygon
  bad.features.push(feature('440605002002', '点', { type: 'Point', coordinates: [113.3, 23.1] }));
  // 6: bad code and 7: level contradicting the code
  bad.features.push(feature('44060500', '错码', rect(113.2, 23.0, 113.3, 23.1)));
  bad.features.push(feature('440605002003', '错级', rect(113.2, 23.0, 113.3, 23.1), { level: 'grid' }));
  const path = writeJson('bad.geojson', bad);
  const r = gridgov('import', 'areas', path, '--db', db);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /feature 10 \(440605002001\): .*Self-intersection/);
  assert.match(r.stderr, /feature 11 \(440605001002\): duplicate code \(also feature 5\)/);
  assert.match(r.stderr, /feature 12 \(440605003001\): orphan/);
  assert.match(r.stderr, /feature 13 \(440605001001003\): wrong nesting/);
  assert.match(r.stderr, /feature 14 \(440605002002\): .*Point/);
  assert.match(r.stderr, /feature 15: code '44060500' is not an area code/);
  assert.match(r.stderr, /feature 16 \(440605002003\): level 'grid' does not match/);
  assert.match(r.stderr, /nothing imported/);
  // Nothing was written.
  const e = gridgov('export', 'areas', '--db', db);
  assert.equal(e.status, 0);
  assert.equal(JSON.parse(e.stdout).features.length, 0);
  // Not JSON, not a FeatureCollection.
  let x = gridgov('import', 'areas', writeJson('junk.geojson', '{"type": "Feat'), '--db', db);
  assert.equal(x.status, 1);
  assert.match(x.stderr, /not valid JSON/);
  x = gridgov('import', 'areas', writeJson('fc.geojson', { type: 'Feature' }), '--db', db);
  assert.equal(x.status, 1);
  assert.match(x.stderr, /FeatureCollection/);
  x = gridgov('import', 'areas', join(dir, 'does-not-exist.geojson'), '--db', db);
  assert.equal(x.status, 1);
});

test('import, export and re-import round-trip the tree', () => {
  const db = join(dir, 'rt.db');
  mustGridgov('init', '--db', db);
  const r = mustGridgov('import', 'areas', writeJson('tree.geojson', smallTree()), '--db', db);
  assert.match(r.stdout, /imported 9 areas/);
  const out = join(dir, 'export.geojson');
  mustGridgov('export', 'areas', '--db', db, '--root', '440605', '--out', out);
  const exported = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(exported.type, 'FeatureCollection');
  assert.deepEqual(exported.features.map((f) => f.properties.code).sort(),
    smallTree().features.map((f) => f.properties.code).sort());
  const street = exported.features.find((f) => f.properties.code === '440605001');
  assert.equal(street.properties.name, '桂城街道');
  assert.equal(street.properties.level, 'street');
  assert.equal(street.properties.parent, '440605');
  // A subtree export holds only the subtree.
  const sub = JSON.parse(mustGridgov('export', 'areas', '--db', db, '--root', '440605001001001').stdout);
  assert.deepEqual(sub.features.map((f) => f.properties.code),
    ['440605001001001', '440605001001001001', '440605001001001002']);
  // The export imports into a fresh database.
  const db2 = join(dir, 'rt2.db');
  mustGridgov('init', '--db', db2);
  assert.match(mustGridgov('import', 'areas', out, '--db', db2).stdout, /imported 9 areas/);
  assert.equal(gridgov('export', 'areas', '--db', db, '--root', '440699').status, 1);
});

test('locate prints the path from the top to the deepest area', () => {
  const db = join(dir, 'loc.db');
  mustGridgov('init', '--db', db);
  mustGridgov('import', 'areas', writeJson('loc.geojson', smallTree()), '--db', db);
  let r = mustGridgov('locate', '--db', db, '113.02', '23.05');
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[0], /^district\s+440605\s+南海区$/);
  assert.match(lines[4], /^cell\s+440605001001001001\s+1栋$/);
  r = gridgov('locate', '--db', db, '10', '10');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no area contains/);
  r = gridgov('locate', '--db', db, '200', '10');
  assert.equal(r.status, 2);
});

test('user add, list and passwd', () => {
  const db = makeDatabase(dir);
  let r = gridgov('user', 'add', '--db', db, '--username', 'h1', '--password', PASSWORD,
    '--role', 'department_handler', '--area', '440605', '--department', 'water');
  assert.equal(r.status, 0, r.stderr);
  r = gridgov('user', 'add', '--db', db, '--username', 'h1', '--password', PASSWORD,
    '--role', 'admin', '--area', '440605');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /already exists/);
  r = gridgov('user', 'add', '--db', db, '--username', 'h2', '--password', 'short',
    '--role', 'admin', '--area', '440605');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /at least 8/);
  r = gridgov('user', 'add', '--db', db, '--username', 'h3', '--password', PASSWORD,
    '--role', 'admin', '--area', '440699');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /does not exist/);
  r = mustGridgov('user', 'list', '--db', db, '--area', '440605001001');
  assert.match(r.stdout, /worker1\s+grid_worker/);
  assert.doesNotMatch(r.stdout, /admin\s+admin/);
  r = mustGridgov('user', 'passwd', '--db', db, '--username', 'worker1', '--password', 'another-pass-9');
  assert.match(r.stdout, /password of worker1 changed/);
  // The new password can be given on stdin too.
  const s = spawnSync(BIN,
    ['user', 'passwd', '--db', db, '--username', 'worker2'], { input: 'stdin-pass-123\n', encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  assert.equal(gridgov('user', 'frobnicate', '--db', db).status, 2);
});

test('deadline overrides: bad rows named by line, good ones change new deadlines', (t) => {
  const own = tempDir();
  t.after(() => removeDir(own));
  const db = makeDatabase(own);
  let r = gridgov('import', 'deadlines', writeJson('bad-deadlines.csv',
    'category,urgency,step,area_level,setting,limit\n02,normal,accept,grid,,soon\n'), '--db', db);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /line 2/);
  r = gridgov('import', 'deadlines', writeJson('deadlines.csv',
    'category,urgency,step,area_level,setting,limit\n02,normal,accept,,,5wd\n'), '--db', db);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /1 deadline rules imported/);
  const due = (category) => {
    const out = mustGridgov('case', 'report', '--db', db, '--as', 'worker1', '--channel', 'patrol',
      '--category', category, '--description', '测试时限', '--area', '440605001001001').stdout;
    return Date.parse(out.match(/due (\S+)/)[1]);
  };
  // Facilities (02) now have 5 working days to be accepted; sanitation (01) keeps 1 working hour.
  assert.ok(due('0204') - due('0101') > 3 * 86400000);
});

test('demo generates the small city with one login per role', () => {
  const db = join(dir, 'demo.db');
  const r = mustGridgov('demo', '--db', db, '--scale', 'small', '--seed', '7', '--password', PASSWORD);
  assert.match(r.stdout, /demo city \(small, seed 7\)/);
  for (const role of ['resident', 'grid_worker', 'community_staff', 'station_cadre', 'dispatcher',
    'department_handler', 'mediator', 'council_member', 'volunteer', 'leader', 'admin']) {
    assert.match(r.stdout, new RegExp(`\\b${role}\\b`));
  }
  const again = gridgov('demo', '--db', db, '--scale', 'small');
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already holds areas/);
  // Every grid of the demo city is locatable: the centre of the district lies in a cell.
  const loc = mustGridgov('locate', '--db', db, '113.14', '23.03');
  assert.match(loc.stdout, /^cell\s+440605\d{12}/m);
});
