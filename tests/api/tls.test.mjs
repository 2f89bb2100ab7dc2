// Native HTTPS: `gridgov serve --tls-cert FILE --tls-key FILE` (libmicrohttpd with GnuTLS),
// checked with curl against a self-signed certificate the test makes with the openssl CLI:
// the API answers over TLS with the certificate given, an unverified peer is refused by curl,
// plain HTTP on the TLS port gets nothing, and bad certificate arguments fail at start-up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import {
  BIN, WEB, tempDir, removeDir, makeDatabase, gridgov, PASSWORD,
} from './helpers.mjs';

const hasTools = spawnSync('openssl', ['version']).status === 0 && spawnSync('curl', ['--version']).status === 0;

let dir;
let db;
let cert;
let key;
let proc;
let base;

function startTls(args) {
  return new Promise((resolvePromise, reject) => {
    const p = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--threads', '2', '--web', WEB, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GRIDGOV_LOG_LEVEL: 'warn' },
    });
    let out = '';
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (https:\/\/127\.0\.0\.1:(\d+))/);
      if (m) resolvePromise({ proc: p, url: m[1], port: Number(m[2]) });
    });
    p.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

function curl(...args) {
  return spawnSync('curl', ['-sS', '--max-time', '10', ...args], { encoding: 'utf8' });
}

before(async () => {
  if (!hasTools) return;
  dir = tempDir();
  db = makeDatabase(dir);
  cert = `${dir}/cert.pem`;
  key = `${dir}/key.pem`;
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const s = await startTls(['--tls-cert', cert, '--tls-key', key]);
  proc = s.proc;
  base = s.url;
});

after(async () => {
  if (proc) {
    const exited = new Promise((r) => proc.on('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  if (dir) removeDir(dir);
});

test('the API answers over HTTPS with the given certificate', { skip: !hasTools && 'needs openssl and curl' }, () => {
  let r = curl('--cacert', cert, '-w', '\n%{http_code} %{ssl_verify_result}', `${base}/healthz`);
  assert.equal(r.status, 0, r.stderr);
  const [body, status] = r.stdout.split('\n');
  assert.equal(JSON.parse(body).status, 'ok');
  assert.equal(status, '200 0');
  // A login and an authenticated call over the same TLS listener.
  r = curl('--cacert', cert, '-H', 'content-type: application/json',
    '-d', JSON.stringify({ username: 'staff', password: PASSWORD }), `${base}/api/v1/auth/login`);
  assert.equal(r.status, 0, r.stderr);
  const token = JSON.parse(r.stdout).token;
  assert.match(token, /.{20,}/);
  r = curl('--cacert', cert, '-H', `authorization: Bearer ${token}`, `${base}/api/v1/me`);
  assert.equal(JSON.parse(r.stdout).username, 'staff');
  // The certificate presented is ours.
  r = curl('--cacert', cert, '-v', '-o', '/dev/null', `${base}/healthz`);
  assert.match(r.stderr, /CN=127\.0\.0\.1/);
});

test('an unverified certificate is refused by the client; plain HTTP gets no answer', { skip: !hasTools && 'needs openssl and curl' }, async () => {
  let r = curl(`${base}/healthz`); // no --cacert: the self-signed certificate does not verify
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout, '');
  r = curl('-o', '/dev/null', '-w', '%{http_code}', base.replace('https:', 'http:') + '/healthz');
  assert.notEqual(r.stdout, '200');
  // The server is still fine after both.
  r = curl('--cacert', cert, `${base}/healthz`);
  assert.equal(r.status, 0, r.stderr);
  // Raw plaintext on the TLS port never yields an HTTP answer.
  const text = await new Promise((resolvePromise) => {
    const u = new URL(base);
    const s = net.connect({ host: '127.0.0.1', port: Number(u.port) });
    let data = '';
    s.on('data', (d) => { data += d.toString('latin1'); });
    s.on('close', () => resolvePromise(data));
    s.on('error', () => resolvePromise(data));
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    setTimeout(() => s.destroy(), 2000);
  });
  assert.doesNotMatch(text, /HTTP\/1\.1 200/);
});

test('bad TLS arguments fail at start-up with a clear message', { skip: !hasTools && 'needs openssl and curl' }, () => {
  let r = gridgov('serve', '--db', db, '--listen', '127.0.0.1:0', '--tls-cert', cert);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--tls-cert and --tls-key go together/);
  r = gridgov('serve', '--db', db, '--listen', '127.0.0.1:0', '--tls-cert', `${dir}/missing.pem`, '--tls-key', key);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /not a readable PEM certificate/);
  writeFileSync(`${dir}/junk.pem`, 'not a key');
  r = gridgov('serve', '--db', db, '--listen', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', `${dir}/junk.pem`);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /not a readable PEM private key/);
  // A key that does not match the certificate: libmicrohttpd refuses to start.
  const other = `${dir}/other-key.pem`;
  spawnSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', other]);
  r = gridgov('serve', '--db', db, '--listen', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', other);
  assert.notEqual(r.status, 0);
});
