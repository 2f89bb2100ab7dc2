// The server shuts down gracefully on SIGTERM and SIGINT: exit status 0 (under the sanitizer
// build this also proves no leak and no use-after-free on the way out).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, removeDir, makeDatabase, startServer, getJson, gridgov } from './helpers.mjs';

let dir;
let db;

before(() => {
  dir = tempDir();
  db = makeDatabase(dir);
});

after(() => removeDir(dir));

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal} stops the server cleanly`, async () => {
    const s = await startServer(db);
    const r = await getJson(`${s.url}/api/v1/locate?lon=113.07&lat=23.05`);
    assert.equal(r.status, 200);
    s.proc.kill(signal);
    const { code, signal: sig } = await s.exited;
    assert.equal(sig, null);
    assert.equal(code, 0, s.stderr());
  });
}

test('serve refuses a missing database and a bad listen address', () => {
  let r = gridgov('serve', '--db', `${dir}/missing.db`, '--listen', '127.0.0.1:0');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /does not exist/);
  r = gridgov('serve', '--db', db, '--listen', 'nonsense');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ADDR:PORT/);
});
