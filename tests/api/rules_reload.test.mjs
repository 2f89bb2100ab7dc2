// The case rules are checked once per request (service_ctx_versions): a change made by the CLI
// while the server runs (`gridgov import categories`) is in force for every request after it,
// on every worker's context, including the answers of reports, which are built on whichever
// context takes the request back after the writer's commit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  tempDir, removeDir, makeDatabase, startServer, login, postJson, mustGridgov,
} from './helpers.mjs';

let dir;
let db;
let server;
let token;

before(async () => {
  dir = tempDir();
  db = makeDatabase(dir);
  server = await startServer(db, ['--threads', '4']);
  token = (await login(server.url, 'worker1')).token;
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

// n reports at once, so that several contexts of the pool answer them.
async function reportMany(n, description) {
  return Promise.all(Array.from({ length: n }, (_, i) => postJson(`${server.url}/api/v1/cases`,
    token, {
      channel: 'patrol', category: '0204', description: `${description} ${i}`,
      lon: 113.07 + i * 0.0001, lat: 23.05,
    })));
}

test('a category renamed by the CLI is in force for every request after it', async () => {
  for (const r of await reportMany(12, '路灯不亮')) {
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.category_name, '路灯');
  }
  const csv = mustGridgov('export', 'categories', '--db', db).stdout;
  assert.match(csv, /^0204,02,路灯,/m);
  const renamed = join(dir, 'categories.csv');
  writeFileSync(renamed, csv.replace(/^0204,02,路灯,/m, '0204,02,路灯故障,'));
  mustGridgov('import', 'categories', renamed, '--db', db);
  for (let round = 0; round < 3; round++) {
    for (const r of await reportMany(12, `路灯又不亮 ${round}`)) {
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.category_name, '路灯故障');
    }
  }
});
