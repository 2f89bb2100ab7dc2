// Helpers for the API tests: build a small area tree, run gridgov commands, start and stop
// `gridgov serve` on a free 127.0.0.1 port. Every test file gets its own temporary database.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const BIN = process.env.GRIDGOV_BIN ?? resolve(here, '../../build/gridgov');
export const WEB = process.env.GRIDGOV_WEB ?? resolve(dirname(BIN), 'web');
export const PASSWORD = 'test-password-1';

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'gridgov-api-'));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// Run a gridgov subcommand synchronously, killed after timeoutMs; returns
// { status, stdout, stderr }.
export function gridgovWithin(timeoutMs, ...args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// The same with the usual 2 minutes: any one command of the tests takes seconds.
export function gridgov(...args) {
  return gridgovWithin(120000, ...args);
}

export function mustGridgovWithin(timeoutMs, ...args) {
  const r = gridgovWithin(timeoutMs, ...args);
  if (r.status !== 0) {
    const how = r.signal ? `killed by ${r.signal}` : `status ${r.status}`;
    throw new Error(`gridgov ${args.join(' ')} failed (${how}): ${r.stderr}`);
  }
  return r;
}

export function mustGridgov(...args) {
  return mustGridgovWithin(120000, ...args);
}

function rect(x0, y0, x1, y1) {
  return { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] };
}

// A valid 18-digit ID number (GB 11643 check digit) for person i: birth date and sequence.
export function idNumber(i) {
  const day = new Date(Date.UTC(1950, 0, 1) + Math.floor(i / 900) * 86400000);
  const ymd = day.toISOString().slice(0, 10).replaceAll('-', '');
  const body = `440605${ymd}${String(100 + (i % 900)).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let k = 0; k < 17; k++) sum += Number(body[k]) * w[k];
  return body + '10X98765432'[sum % 11];
}

export function feature(code, name, geometry, extra = {}) {
  return { type: 'Feature', properties: { code, name, ...extra }, geometry };
}

// A district 440605 split in two streets; street 001 has two communities; community 001001
// has two grids; grid 001001001 has two cells. Coordinates near Foshan.
export function smallTree() {
  const f = [];
  f.push(feature('440605', '南海区', rect(113.0, 23.0, 113.4, 23.2), { level: 'district' }));
  f.push(feature('440605001', '桂城街道', rect(113.0, 23.0, 113.2, 23.2)));
  f.push(feature('440605002', '九江镇', rect(113.2, 23.0, 113.4, 23.2)));
  f.push(feature('440605001001', '平洲社区', rect(113.0, 23.0, 113.1, 23.2)));
  f.push(feature('440605001002', '夏北社区', rect(113.1, 23.0, 113.2, 23.2)));
  f.push(feature('440605001001001', '第1网格', rect(113.0, 23.0, 113.1, 23.1)));
  f.push(feature('440605001001002', '第2网格', rect(113.0, 23.1, 113.1, 23.2)));
  f.push(feature('440605001001001001', '1栋', rect(113.0, 23.0, 113.05, 23.1)));
  f.push(feature('440605001001001002', '2栋', rect(113.05, 23.0, 113.1, 23.1)));
  return { type: 'FeatureCollection', features: f };
}

export { rect };

// The backend of this run: GRIDGOV_TEST_BACKEND=postgresql (the api_pg test, inside
// tests/with_pg.sh, which exports PGHOST/PGPORT/PGUSER of a throwaway cluster) gives each
// database a new PostgreSQL database; otherwise a SQLite file in the test's directory.
export const IS_PG = process.env.GRIDGOV_TEST_BACKEND === 'postgresql';
let dbCounter = 0;

// Name a new, not yet created database for a test (created by gridgov init or demo). With
// PostgreSQL the personal-data key lives in dir (GRIDGOV_KEY_FILE: a server's database has no
// file beside which to keep it).
export function newDatabaseName(dir, tag = 'test') {
  if (!IS_PG) return join(dir, `${tag}.db`);
  process.env.GRIDGOV_KEY_FILE = join(dir, `${tag}.key`);
  const name = `gg_${tag}_${process.pid}_${Date.now()}_${dbCounter++}`;
  const host = process.env.PGHOST ?? '127.0.0.1';
  return `postgresql://${process.env.PGUSER ?? 'postgres'}@${host}:${process.env.PGPORT}/${name}`;
}

// SQL straight to a test's database, around the server (fixtures a test cannot make through
// the API, or tampering): sqlite3 for a file, psql for a PostgreSQL URL. Returns the child's
// { status, stdout, stderr }; rows come out as lines of '|'-separated values either way.
export function rawSql(db, statement) {
  const r = IS_PG
    ? spawnSync('psql', [db, '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', statement], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-cmd', '.timeout 5000', db, statement], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Create a database with the small tree and one user per interesting role.
export function makeDatabase(dir) {
  const db = newDatabaseName(dir);
  const areas = join(dir, 'areas.geojson');
  writeFileSync(areas, JSON.stringify(smallTree()));
  mustGridgov('init', '--db', db);
  mustGridgov('import', 'areas', areas, '--db', db);
  const users = [
    ['admin', 'admin', '440605'],
    ['leader', 'leader', '440605'],
    ['worker1', 'grid_worker', '440605001001001'],
    ['worker2', 'grid_worker', '440605001001002'],
    ['resident', 'resident', '440605001001'],
    ['locked', 'resident', '440605001001'],
    ['staff', 'community_staff', '440605001001'],
    ['dispatcher', 'dispatcher', '440605'],
    ['handler', 'department_handler', '440605', 'urban_management'],
    ['waterman', 'department_handler', '440605', 'water_affairs'],
    ['resident2', 'resident', '440605001001'],
  ];
  for (const [name, role, area, dept] of users) {
    const args = ['user', 'add', '--db', db, '--username', name, '--password', PASSWORD,
      '--role', role, '--area', area];
    if (dept) args.push('--department', dept);
    mustGridgov(...args);
  }
  return db;
}

// Start `gridgov serve` on port 0 and resolve with { url, port, proc, stop() }.
export function startServer(db, extraArgs = [], env = {}) {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--threads', '2',
      '--web', WEB, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Rate limiting off unless a test turns it on: most tests log in and report from
      // 127.0.0.1 far faster than any real client (tests/api/ratelimit.test.mjs tests it).
      // Idle connections kept for an hour unless a test says otherwise (limits.test.mjs): fetch
      // keeps connections alive, and a test that runs the CLI with spawnSync blocks node's event
      // loop; when that outlasts the server's idle timeout (30 s: a PostgreSQL import), the
      // server closes a pooled connection that the next fetch reuses before node has read the
      // close, and that fetch fails ("fetch failed", seen in CI on api_pg).
      env: {
        ...process.env, GRIDGOV_LOG_LEVEL: 'warn', GRIDGOV_RATELIMIT_PER_MIN: '0',
        GRIDGOV_CONNECTION_TIMEOUT_S: '3600', ...env,
      },
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start: ${err}`));
    }, 60000);
    proc.stderr.on('data', (d) => { err += d; });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:(\d+))/);
      if (m) {
        clearTimeout(timer);
        const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
        resolvePromise({
          url: m[1],
          port: Number(m[2]),
          proc,
          stderr: () => err,
          exited,
          async stop() {
            proc.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${err}`));
    });
  });
}

export async function login(url, username, password = PASSWORD) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export async function postJson(url, token, body) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed = null;
  try { parsed = JSON.parse(text); } catch { parsed = text; }
  return { status: res.status, body: parsed, headers: res.headers };
}

export async function getJson(url, token) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, body, headers: res.headers };
}
