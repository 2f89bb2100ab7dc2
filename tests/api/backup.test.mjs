// Backup and restore: a backup taken while the server is writing is a consistent database
// (every hash chain verifies, integrity check passes); restore puts it in place, refuses to
// overwrite without --force, and refuses a file that is not a gridgov database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  tempDir, removeDir, makeDatabase, startServer, login, postJson, getJson, gridgov, mustGridgov,
} from './helpers.mjs';

const dir = tempDir();
after(() => removeDir(dir));

test('an online backup is consistent and restores', async () => {
  const db = makeDatabase(dir);
  const server = await startServer(db);
  const token = (await login(server.url, 'worker1')).token;
  let stop = false;
  let created = 0;
  // Keep writing while the backup runs.
  const writer = (async () => {
    while (!stop) {
      const r = await postJson(`${server.url}/api/v1/cases`, token, {
        channel: 'patrol', category: '0101', description: '备份期间上报', area_code: '440605001001001',
      });
      assert.equal(r.status, 201);
      created++;
    }
  })();
  await new Promise((res) => setTimeout(res, 300));
  const copy = join(dir, 'copy.db');
  const b = gridgov('backup', '--db', db, copy);
  stop = true;
  await writer;
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /written and checked/);
  assert.ok(created > 0);
  assert.equal(gridgov('backup', '--db', db, copy).status, 1); // never overwrites

  // The copy is a database of its own: chains intact, cases readable.
  const v = mustGridgov('verify', '--db', copy);
  assert.match(v.stdout, /every hash chain is intact/);
  const n = Number(v.stdout.match(/verify: (\d+) cases/)[1]);
  assert.ok(n > 0 && n <= created, `${n} cases in the copy, ${created} created`);
  const live = await getJson(`${server.url}/api/v1/cases?limit=200`, token);
  assert.equal(live.status, 200);
  await server.stop();

  // Restore into a new place, then over an existing file only with --force.
  const target = join(dir, 'restored.db');
  mustGridgov('restore', '--db', target, copy);
  assert.match(mustGridgov('verify', '--db', target).stdout, new RegExp(`verify: ${n} cases`));
  let r = gridgov('restore', '--db', db, copy);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--force/);
  mustGridgov('restore', '--db', db, copy, '--force');
  assert.match(mustGridgov('verify', '--db', db).stdout, new RegExp(`verify: ${n} cases`));

  // Garbage is refused and changes nothing.
  const junk = join(dir, 'junk.db');
  writeFileSync(junk, 'not a database at all, just text long enough to look like a header.....');
  r = gridgov('restore', '--db', db, junk, '--force');
  assert.equal(r.status, 1);
  assert.match(mustGridgov('verify', '--db', db).stdout, new RegExp(`verify: ${n} cases`));
});
