// The bulk load of `gridgov import` (a large file into a nearly empty table: one transaction,
// the table's indexes dropped and rebuilt at the end, natural keys checked in memory): the
// indexes and the search index are all there afterwards, a row repeating an earlier row's key
// is rejected naming that line, a re-run updates, and a load killed halfway leaves the
// database as it was (indexes included) so that a re-run completes it without duplicates.
// SQLite only: PostgreSQL declines the bulk load and imports in batches (basedata.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, readFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BIN, tempDir, removeDir, makeDatabase, gridgov, mustGridgov, rawSql, idNumber,
} from './helpers.mjs';

const CELL = '440605001001001001';
const BULK_MIN = 20000; // BD_IMPORT_BULK_MIN_ROWS

let dir;
let db;

function sql(statement) {
  const r = rawSql(db, statement);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function indexesOf(database, table) {
  const r = rawSql(database, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '${table}' AND sql IS NOT NULL ORDER BY name`);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n');
}

function csvFile(name, lines) {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

before(() => {
  dir = tempDir();
  db = makeDatabase(dir);
});

after(() => removeDir(dir));

test('bulk import: rows land, indexes and search index rebuilt, a repeated key is rejected '
  + 'with the line of the first, a re-run updates', () => {
  const personIndexes = indexesOf(db, 'persons');
  const householdIndexes = indexesOf(db, 'households');
  assert.ok(personIndexes.includes('persons_id_number'), personIndexes.join());
  const N = BULK_MIN + 500;
  const hh = ['household_no,kind,address,area_code'];
  for (let i = 0; i < N; i++) hh.push(`B-${i},business,南桂东路${i}号,${CELL}`);
  let r = gridgov('import', 'households', csvFile('hh.csv', hh), '--db', db);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${N} rows: ${N} created, 0 updated, 0 rejected`));
  assert.deepEqual(indexesOf(db, 'households'), householdIndexes);

  const ps = ['name,id_number,phone,is_registered,household_no,area_code'];
  for (let i = 0; i < N; i++) {
    ps.push(`批量${i}号,${idNumber(i)},138${String(i).padStart(8, '0')},1,B-${i % 1000},${CELL}`);
  }
  ps.push(`重复者,${idNumber(7)},,1,B-1,${CELL}`); // line N+2 repeats the key of line 9
  ps.push(`坏号,110105194912310021,,1,B-1,${CELL}`); // line N+3: bad check digit
  const persons = csvFile('persons.csv', ps);
  r = gridgov('import', 'persons', persons, '--db', db);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, new RegExp(`${N + 2} rows: ${N} created, 0 updated, 2 rejected`),
    r.stderr.slice(0, 400));
  assert.match(r.stderr,
    new RegExp(`persons\\.csv:${N + 2}: field 'id_number': the same as on line 9`));
  assert.match(r.stderr, new RegExp(`persons\\.csv:${N + 3}: field 'id_number'`));
  assert.equal(r.stderr.includes(idNumber(7)), false); // numbers are not echoed

  // Every index is back, used, and consistent with the table; each row once.
  assert.deepEqual(indexesOf(db, 'persons'), personIndexes);
  assert.equal(sql('PRAGMA integrity_check'), 'ok');
  assert.equal(sql('SELECT count(*), count(DISTINCT id_number_hash) FROM persons'), `${N}|${N}`);
  assert.match(sql("EXPLAIN QUERY PLAN SELECT id FROM persons WHERE id_number_hash = 'x' "
    + "AND id_number_hash != ''"), /USING COVERING INDEX persons_id_number|USING INDEX persons_id_number/);
  // The search index holds the new rows (found by name) and nothing twice.
  assert.equal(sql('SELECT count(*) FROM base_fts WHERE rowid % 8 = 0'), String(N));
  assert.equal(sql("SELECT count(*) FROM base_fts WHERE base_fts MATCH '\"批量12345号\"'"), '1');
  // The unique index holds again: a second row with a stored hash is refused by SQLite.
  const dup = rawSql(db, 'INSERT INTO persons(cell_code, id_number_hash, created_ms) '
    + 'SELECT cell_code, id_number_hash, 0 FROM persons LIMIT 1');
  assert.notEqual(dup.status, 0);
  assert.match(dup.stderr, /UNIQUE constraint failed/);
  assert.equal(gridgov('verify', '--db', db).status, 0);

  // A re-run finds every key: the table is no longer nearly empty, so it updates in batches,
  // and there too the repeated row is reported rather than applied over the first.
  r = gridgov('import', 'persons', persons, '--db', db);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, new RegExp(`${N + 2} rows: 0 created, ${N} updated, 2 rejected`));
  assert.match(r.stderr,
    new RegExp(`persons\\.csv:${N + 2}: field 'id_number': the same as on line 9`));
  assert.equal(sql('SELECT count(*) FROM persons'), String(N));
});

test('bulk import: killed halfway, the database is as before with its indexes; a re-run '
  + 'completes it without duplicates', async () => {
  const copy = join(dir, 'killed.db');
  mustGridgov('backup', '--db', db, copy);
  copyFileSync(`${db}.key`, `${copy}.key`);
  const count = (table) => {
    const r = rawSql(copy, `SELECT count(*) FROM ${table}`);
    assert.equal(r.status, 0, r.stderr);
    return Number(r.stdout);
  };
  const before = count('organisations');
  const indexes = indexesOf(copy, 'organisations');
  const ftsBefore = Number(rawSql(copy, 'SELECT count(*) FROM base_fts').stdout);
  const N = 80000;
  const rows = ['credit_code,name,kind,address,area_code'];
  for (let i = 0; i < N; i++) {
    rows.push(`91440605MA${String(i).padStart(8, '0')},企业${i},business,桂城${i}号,${CELL}`);
  }
  const file = csvFile('orgs.csv', rows);
  const proc = spawn(BIN, ['import', 'organisations', file, '--db', copy], { stdio: 'ignore' });
  // Kill it once it has used 0.3 s of CPU: well inside the row loop (startup takes a fraction
  // of that; the rows take several seconds), whatever the machine's load.
  const cpuTicks = () => {
    try {
      const f = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(f[11]) + Number(f[12]); // utime + stime
    } catch { return 0; }
  };
  let killed = false;
  const started = Date.now();
  while (Date.now() - started < 60000 && proc.exitCode === null) {
    await new Promise((res) => setTimeout(res, 10));
    if (cpuTicks() >= 30) { proc.kill('SIGKILL'); killed = true; break; }
  }
  await new Promise((res) => (proc.exitCode !== null || proc.signalCode ? res() : proc.on('exit', res)));
  assert.ok(killed, 'the import finished before it could be killed');
  assert.equal(proc.signalCode, 'SIGKILL');
  // As before: no row of the load, every index present, the database sound.
  assert.equal(count('organisations'), before);
  assert.deepEqual(indexesOf(copy, 'organisations'), indexes);
  assert.equal(Number(rawSql(copy, 'SELECT count(*) FROM base_fts').stdout), ftsBefore);
  assert.equal(rawSql(copy, 'PRAGMA integrity_check').stdout.trim(), 'ok');
  assert.equal(gridgov('verify', '--db', copy).status, 0);

  const again = gridgov('import', 'organisations', file, '--db', copy);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`${N} rows: ${N} created, 0 updated, 0 rejected`));
  assert.equal(count('organisations'), before + N);
  const distinct = rawSql(copy, 'SELECT count(DISTINCT credit_code) FROM organisations');
  assert.equal(Number(distinct.stdout), before + N);
  assert.deepEqual(indexesOf(copy, 'organisations'), indexes);
  assert.equal(rawSql(copy, 'PRAGMA integrity_check').stdout.trim(), 'ok');
  assert.equal(gridgov('verify', '--db', copy).status, 0);
});

test('a database failure in the middle of an import stops it, with the reader thread ahead of '
  + 'it, and the failed batch leaves nothing behind', () => {
  const copy = join(dir, 'failing.db');
  mustGridgov('backup', '--db', db, copy);
  copyFileSync(`${db}.key`, `${copy}.key`);
  const count = () => Number(rawSql(copy, 'SELECT count(*) FROM organisations').stdout);
  const before = count();
  // A trigger makes the store refuse one row, as a full disk or a broken file would.
  const trig = rawSql(copy, 'CREATE TRIGGER fail_import BEFORE INSERT ON organisations '
    + "WHEN new.name = '故障企业' BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  assert.equal(trig.status, 0, trig.stderr);
  const N = 3000; // several passes of the reader's ring, which is ahead of the failing row
  const rows = ['credit_code,name,kind,address,area_code'];
  for (let i = 0; i < N; i++) {
    const name = i === 1200 ? '故障企业' : `停止${i}`;
    rows.push(`91440605MB${String(i).padStart(8, '0')},${name},business,桂城${i}号,${CELL}`);
  }
  const r = gridgov('import', 'organisations', csvFile('failing.csv', rows), '--db', copy,
    '--batch', '500');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /line 1202: cannot store the row/);
  assert.match(r.stderr, /1201 rows read, 1000 created, 0 updated before the error/);
  // The two batches committed before it stay; the failing one is rolled back whole.
  assert.equal(count(), before + 1000);
  assert.equal(rawSql(copy, 'PRAGMA integrity_check').stdout.trim(), 'ok');
});
