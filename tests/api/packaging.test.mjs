// packaging/gridgov.service: systemd accepts it (`systemd-analyze verify`, no warnings about
// it), its sandbox rates as well hardened (`systemd-analyze security --offline`), it stops the
// server with SIGTERM (the graceful path), and docs/OPERATIONS.md points to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, tempDir, removeDir } from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const UNIT = resolve(here, '../../packaging/gridgov.service');
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

// The unit with ExecStart pointing at the binary just built (verify checks it exists).
function localCopy(dir) {
  const text = readFileSync(UNIT, 'utf8').replaceAll('/opt/gridgov/gridgov', BIN);
  const path = `${dir}/gridgov.service`;
  writeFileSync(path, text);
  return path;
}

test('the unit declares the hardening and the graceful stop', () => {
  const text = readFileSync(UNIT, 'utf8');
  const directives = new Map();
  for (const line of text.split('\n')) {
    const m = line.match(/^([A-Za-z]+)=(.*)$/);
    if (m) directives.set(m[1], [...(directives.get(m[1]) ?? []), m[2]]);
  }
  const one = (k) => (directives.get(k) ?? [])[0];
  assert.equal(one('ProtectSystem'), 'strict');
  assert.equal(one('NoNewPrivileges'), 'yes');
  assert.equal(one('PrivateTmp'), 'yes');
  assert.equal(one('KillSignal'), 'SIGTERM');
  assert.equal(one('User'), 'gridgov');
  assert.deepEqual(one('RestrictAddressFamilies').split(' ').sort(), ['AF_INET', 'AF_INET6', 'AF_UNIX']);
  assert.equal(one('ReadWritePaths'), '/var/lib/gridgov');
  assert.ok((directives.get('Environment') ?? []).includes('GRIDGOV_DB=/var/lib/gridgov/gridgov.db'));
  assert.match(one('ExecStart'), /gridgov serve$/);
  const ops = readFileSync(resolve(here, '../../docs/OPERATIONS.md'), 'utf8');
  assert.match(ops, /packaging\/gridgov\.service/);
});

test('systemd-analyze verify accepts the unit without warnings', { skip: !hasAnalyze && 'no systemd-analyze' }, () => {
  const dir = tempDir();
  try {
    const r = spawnSync('systemd-analyze', ['verify', localCopy(dir)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const about = r.stderr.split('\n').filter((l) => l.includes('gridgov.service'));
    assert.deepEqual(about, []);
  } finally {
    removeDir(dir);
  }
});

test('systemd rates the sandbox as well hardened', { skip: !hasAnalyze && 'no systemd-analyze' }, () => {
  const dir = tempDir();
  try {
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', localCopy(dir)], { encoding: 'utf8' });
    const m = `${r.stdout}${r.stderr}`.match(/Overall exposure level for gridgov\.service: ([\d.]+)/);
    if (!m) return; // this systemd cannot rate a unit file offline
    assert.ok(Number(m[1]) <= 2.0, `exposure ${m[1]}`);
  } finally {
    removeDir(dir);
  }
});
