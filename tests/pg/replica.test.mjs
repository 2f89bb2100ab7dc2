// A primary and a streaming replica on 127.0.0.1: `gridgov serve --db PRIMARY --read-db
// REPLICA` writes to the primary and sends analytics reads (indicators) to the replica.
//
// Proof: with the replica's WAL replay paused, a case reported through the API is visible on
// the primary at once (GET /cases/ID) while the indicators still count the old total; once
// replay resumes they count it too. Both clusters are made here (initdb, pg_basebackup -R),
// run as user postgres when the test runs as root, and removed afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  tempDir, removeDir, mustGridgov, startServer, login, postJson, getJson, smallTree, PASSWORD,
} from '../api/helpers.mjs';

const isRoot = process.getuid && process.getuid() === 0;
function pgBin() {
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir && existsSync(join(dir, 'initdb')) ? dir : '/usr/lib/postgresql/15/bin';
}
const BIN = pgBin();

// Run a PostgreSQL program as the cluster owner.
function pg(prog, args, opts = {}) {
  const cmd = isRoot ? 'runuser' : join(BIN, prog);
  const full = isRoot ? ['-u', 'postgres', '--', join(BIN, prog), ...args] : args;
  const r = spawnSync(cmd, full, { encoding: 'utf8', timeout: 120000, cwd: work, ...opts });
  if (r.status !== 0) throw new Error(`${prog} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function freePort(offset) {
  return 20000 + ((process.pid * 7 + offset * 131 + Date.now()) % 12000);
}

let work; // cluster directories (owned by postgres)
let dir; // the test's own files
let primaryPort;
let replicaPort;
let server;
let url;
let staff;
let dispatcher;

function psql(port, sql) {
  return pg('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'gg',
    '-At', '-c', sql]).trim();
}

function startCluster(data, port) {
  pg('pg_ctl', ['-D', data, '-l', join(data, '..', `${port}.log`), '-w', '-t', '60', '-o',
    `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${work} -c fsync=off`,
    'start']);
}

before(async () => {
  dir = tempDir();
  work = mkdtempSync('/tmp/gridgov-replica-');
  if (isRoot) chownSync(work, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout),
    Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout));
  const primary = join(work, 'primary');
  const replica = join(work, 'replica');
  pg('initdb', ['-D', primary, '-U', 'postgres', '--auth=trust', '-E', 'UTF8',
    '--locale=C.UTF-8', '--no-sync']);
  // Streaming replication from 127.0.0.1 (trust, as the whole throwaway cluster).
  appendFileSync(join(primary, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\n');
  for (let i = 0; ; i++) {
    primaryPort = freePort(i);
    try { startCluster(primary, primaryPort); break; } catch (e) { if (i > 6) throw e; }
  }
  pg('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D',
    replica, '-R', '-X', 'stream']);
  for (let i = 10; ; i++) {
    replicaPort = freePort(i);
    try { startCluster(replica, replicaPort); break; } catch (e) { if (i > 16) throw e; }
  }

  const primaryUrl = `postgresql://postgres@127.0.0.1:${primaryPort}/gg`;
  const replicaUrl = `postgresql://postgres@127.0.0.1:${replicaPort}/gg`;
  process.env.GRIDGOV_KEY_FILE = join(dir, 'gg.key');
  const areas = join(dir, 'areas.geojson');
  writeFileSync(areas, JSON.stringify(smallTree()));
  mustGridgov('init', '--db', primaryUrl);
  mustGridgov('import', 'areas', areas, '--db', primaryUrl);
  for (const [name, role, area] of [['staff', 'community_staff', '440605001001'],
    ['dispatcher', 'dispatcher', '440605']]) {
    mustGridgov('user', 'add', '--db', primaryUrl, '--username', name, '--password', PASSWORD,
      '--role', role, '--area', area);
  }
  // The replica has everything so far before the server starts.
  for (let i = 0; i < 200; i++) {
    const lag = psql(primaryPort, "SELECT count(*) FROM pg_stat_replication WHERE replay_lsn = pg_current_wal_lsn()");
    if (lag === '1') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  server = await startServer(primaryUrl, ['--read-db', replicaUrl]);
  url = server.url;
  staff = (await login(url, 'staff')).token;
  dispatcher = (await login(url, 'dispatcher')).token;
});

after(async () => {
  if (server) await server.stop();
  for (const c of ['replica', 'primary']) {
    try { pg('pg_ctl', ['-D', join(work, c), '-m', 'immediate', 'stop']); } catch { /* gone */ }
  }
  spawnSync('rm', ['-rf', work]);
  removeDir(dir);
});

// today in the city's time (UTC+8), the day the indicators count a case created now on
const day = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
async function collected() {
  const r = await getJson(`${url}/api/v1/stats/indicators?area=440605&from=${day}&to=${day}`, dispatcher);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.rows.length ? r.body.rows[0].counters.collected : 0;
}

test('analytics read the replica, writes and case reads the primary', async () => {
  const report = () => postJson(`${url}/api/v1/cases`, staff, {
    channel: 'phone', category: '0204', description: '路灯不亮', area_code: '440605001001001',
  });
  let r = await report();
  assert.equal(r.status, 201, JSON.stringify(r.body));
  // Let the replica catch up, then freeze it.
  let before = 0;
  for (let i = 0; i < 100 && before !== 1; i++) {
    before = await collected();
    if (before !== 1) await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(before, 1);
  psql(replicaPort, 'SELECT pg_wal_replay_pause()');

  r = await report();
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.id;
  // The write reached the primary: the case reads back at once ...
  const got = await getJson(`${url}/api/v1/cases/${id}`, staff);
  assert.equal(got.status, 200);
  assert.equal(psql(primaryPort, `SELECT count(*) FROM cases`), '2');
  // ... while the analytics, served by the paused replica, do not see it yet.
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(await collected(), 1);
  assert.equal(psql(replicaPort, 'SELECT count(*) FROM cases'), '1');

  psql(replicaPort, 'SELECT pg_wal_replay_resume()');
  let after = 1;
  for (let i = 0; i < 100 && after !== 2; i++) {
    after = await collected();
    if (after !== 2) await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(after, 2);
});
