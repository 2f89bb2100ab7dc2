// gridgov migrate: the demo city on SQLite -> PostgreSQL -> SQLite again, and nothing lost or
// changed on the way: every table's row count, every case event's hash, the verify of the
// chains; the PostgreSQL copy serves the same case list; a non-empty target is refused.
// Runs inside tests/with_pg.sh (PGHOST/PGPORT of a throwaway cluster).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  tempDir, removeDir, gridgov, mustGridgov, startServer, login, getJson, PASSWORD,
} from '../api/helpers.mjs';

let dir;
let lite;
let back;
let pgUrl;

function sqlite(db, sql) {
  const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

// Row count of every table but the full-text index tables and meta, as one text.
function counts(db) {
  const tables = sqlite(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
    + "LIKE 'sqlite_%' AND name NOT LIKE '%fts%' AND name <> 'meta' ORDER BY name").split('\n');
  return tables.map((t) => `${t}=${sqlite(db, `SELECT count(*) FROM "${t}"`)}`).join(' ');
}

// Every event's case, seq and hash, in order, as one digest.
const chain = (db) => createHash('sha256')
  .update(sqlite(db, 'SELECT case_id, seq, hash FROM case_events ORDER BY case_id, seq'))
  .digest('hex');

before(() => {
  dir = tempDir();
  lite = join(dir, 'demo.db');
  back = join(dir, 'back.db');
  process.env.GRIDGOV_KEY_FILE = join(dir, 'demo.db.key');
  mustGridgov('demo', '--db', lite, '--scale', 'small', '--seed', '3', '--password', PASSWORD);
  pgUrl = `postgresql://${process.env.PGUSER}@127.0.0.1:${process.env.PGPORT}/gg_migrate`;
});

after(() => removeDir(dir));

test('SQLite -> PostgreSQL -> SQLite keeps every row and every hash', async () => {
  let r = mustGridgov('migrate', '--from', lite, '--to', pgUrl);
  assert.match(r.stdout, /every hash chain is intact/);
  r = mustGridgov('verify', '--db', pgUrl);
  assert.match(r.stdout, /every hash chain is intact/);
  // The copy is analyzed when it ends (autovacuum's own pass sets last_autoanalyze instead):
  // the planner must not take the district's cases for a few dozen rows.
  const analyzed = spawnSync('psql', [pgUrl, '-XAtq', '-c', "SELECT count(*) FROM "
    + "pg_stat_user_tables WHERE relname IN ('cases', 'persons', 'case_events') "
    + 'AND last_analyze IS NOT NULL'], { encoding: 'utf8' });
  assert.equal(analyzed.status, 0, analyzed.stderr);
  assert.equal(analyzed.stdout.trim(), '3');

  r = mustGridgov('migrate', '--from', pgUrl, '--to', back);
  assert.match(r.stdout, /every hash chain is intact/);
  assert.equal(counts(back), counts(lite));
  assert.equal(chain(back), chain(lite));
  assert.equal(sqlite(back, 'SELECT count(*) FROM persons'), sqlite(lite, 'SELECT count(*) FROM persons'));
});

test('the PostgreSQL copy serves the same cases as the SQLite original', async () => {
  const list = async (db) => {
    const server = await startServer(db);
    try {
      const { token } = await login(server.url, 'dispatcher');
      const r = await getJson(`${server.url}/api/v1/cases?area=440605&limit=50`, token);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      // Full-text search answers on the copy too (its index was rebuilt, not copied).
      const q = encodeURIComponent(r.body.items[0].description.slice(0, 3));
      const found = await getJson(`${server.url}/api/v1/cases?area=440605&limit=50&q=${q}`, token);
      assert.equal(found.status, 200, JSON.stringify(found.body));
      assert.ok(found.body.items.length > 0);
      return [...r.body.items.map((c) => `${c.number} ${c.status}`),
        ...found.body.items.map((c) => c.number)];
    } finally {
      await server.stop();
    }
  };
  assert.deepEqual(await list(pgUrl), await list(lite));
});

test('a target that already holds data is refused, and left as it was', () => {
  const r = gridgov('migrate', '--from', lite, '--to', pgUrl);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /already holds data/);
  const again = gridgov('migrate', '--from', lite, '--to', join(dir, 'x.db'));
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /between SQLite and PostgreSQL/);
});
