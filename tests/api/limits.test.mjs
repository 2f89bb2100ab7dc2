// Limits against slow or heavy clients, each proven on a running server with raw sockets:
// the connection limit (total and per address), the request deadline (a slowloris client
// trickling its headers is cut off while other clients are served), body and upload size
// limits (413 before buffering), the per-connection memory bound (oversized headers, many
// small headers, a huge request line), and page-size caps on list endpoints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import {
  tempDir, removeDir, makeDatabase, startServer, login, getJson, postJson,
} from './helpers.mjs';

let dir;
let server;
let url;
let port;
let token;
const BODY_MAX = 4096;
const UPLOAD_MAX = 65536;
const PER_IP = 6;
const TOTAL = 12;
const REQUEST_TIMEOUT_S = 2;

before(async () => {
  dir = tempDir();
  const db = makeDatabase(dir);
  server = await startServer(db, [], {
    GRIDGOV_BODY_MAX: String(BODY_MAX),
    GRIDGOV_UPLOAD_MAX: String(UPLOAD_MAX),
    GRIDGOV_CONNECTION_LIMIT: String(TOTAL),
    GRIDGOV_CONNECTION_LIMIT_PER_IP: String(PER_IP),
    GRIDGOV_REQUEST_TIMEOUT_S: String(REQUEST_TIMEOUT_S),
    GRIDGOV_CONNECTION_TIMEOUT_S: '30',
  });
  url = server.url;
  port = server.port;
  token = (await login(url, 'staff')).token;
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A raw connection from a given loopback address; resolves once connected. `closedAt`
// resolves with the time the server ended it. Each test uses its own source addresses, since
// fetch's kept-alive connections from 127.0.0.1 count against that address's limit.
function connect(localAddress = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress });
    s.data = '';
    s.on('data', (d) => { s.data += d; });
    s.closedAt = new Promise((r) => s.on('close', () => r(Date.now())));
    s.on('error', () => {});
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

// Is the socket closed within ms?
async function closedWithin(s, ms) {
  const t = await Promise.race([s.closedAt, sleep(ms).then(() => null)]);
  return t !== null;
}

// GET path over a fresh connection from localAddress (so per-address limits do not mix).
function getFrom(localAddress, path) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

test('a slowloris client trickling headers is cut off and does not starve others', async () => {
  // Slow clients from one address take every connection it may hold, each sending one
  // header byte every 300 ms: never idle, never done.
  const SLOW = '127.0.0.8';
  const slow = [];
  for (let i = 0; i < PER_IP; i++) slow.push(await connect(SLOW));
  const started = Date.now();
  for (const s of slow) s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
  let stop = false;
  const trickle = (async () => {
    while (!stop) {
      for (const s of slow) if (!s.destroyed) s.write('X');
      await sleep(300);
    }
  })();
  try {
    // Another client is served meanwhile, and at once.
    const t0 = Date.now();
    const r = await getFrom('127.0.0.2', '/healthz');
    assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
    // One more connection from the slow address is refused (closed without an answer).
    const extra = await connect(SLOW);
    extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(await closedWithin(extra, 2000), 'a connection over the per-address limit stays open');
    assert.doesNotMatch(extra.data, /200 OK/);
    // Every slow connection is closed near the deadline, though it never went idle.
    for (const s of slow) {
      assert.ok(await closedWithin(s, (REQUEST_TIMEOUT_S + 3) * 1000), 'slow connection still open');
      const took = (await s.closedAt) - started;
      assert.ok(took >= REQUEST_TIMEOUT_S * 1000 - 200, `closed after ${took} ms`);
      assert.doesNotMatch(s.data, /200 OK/);
    }
  } finally {
    stop = true;
    await trickle;
    for (const s of slow) s.destroy();
  }
  // The address may connect again once its connections are gone.
  const r = await getFrom(SLOW, '/healthz');
  assert.equal(r.status, 200);
});

test('a slow request body is cut off at the deadline too', async () => {
  const s = await connect('127.0.0.3');
  const started = Date.now();
  s.write(`POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
  let stop = false;
  const trickle = (async () => {
    while (!stop && !s.destroyed) { s.write(' '); await sleep(200); }
  })();
  assert.ok(await closedWithin(s, (REQUEST_TIMEOUT_S + 3) * 1000));
  stop = true;
  await trickle;
  assert.ok((await s.closedAt) - started >= REQUEST_TIMEOUT_S * 1000 - 200);
  assert.doesNotMatch(s.data, /HTTP\/1.1 20/);
});

test('a kept-alive connection serves several requests within the deadline', async () => {
  const s = await connect('127.0.0.4');
  for (let i = 0; i < 3; i++) {
    s.data = '';
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let j = 0; j < 50 && !s.data.includes('"status":"ok"'); j++) await sleep(20);
    assert.match(s.data, /HTTP\/1.1 200/);
    await sleep(300);
  }
  s.destroy();
});

test('beyond the total connection limit, connections wait until one is free', async () => {
  // TOTAL connections from distinct addresses (each under the per-address limit), each in the
  // middle of its headers. libmicrohttpd stops accepting while it holds the limit, so a
  // further client is not served (its connection waits in the kernel's listen queue)...
  const held = [];
  for (let i = 0; i < TOTAL; i++) {
    const s = await connect(`127.0.1.${i + 1}`);
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    held.push(s);
  }
  await sleep(200);
  const waiting = await connect('127.0.2.1');
  waiting.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await sleep(800);
  assert.equal(waiting.data, '', 'served beyond the connection limit');
  // ...until the held connections go; then it is.
  for (const s of held) s.destroy();
  for (let j = 0; j < 100 && !waiting.data.includes('"status":"ok"'); j++) await sleep(20);
  assert.match(waiting.data, /HTTP\/1.1 200/);
  waiting.destroy();
});

test('bodies over body_max get 413 payload_too_large before they are buffered', async () => {
  const big = { channel: 'web', category: '0204', description: 'x'.repeat(BODY_MAX + 10), lon: 113.07, lat: 23.05 };
  let r = await postJson(`${url}/api/v1/cases`, token, big);
  assert.equal(r.status, 413);
  assert.equal(r.body.error.code, 'payload_too_large');
  // The same size is fine on the upload route...
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(BODY_MAX * 2)]);
  let res = await fetch(`${url}/api/v1/attachments`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' }, body: png,
  });
  assert.equal(res.status, 201, await res.clone().text());
  // ...up to upload_max.
  const huge = Buffer.concat([png, Buffer.alloc(UPLOAD_MAX)]);
  res = await fetch(`${url}/api/v1/attachments`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' }, body: huge,
  });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, 'payload_too_large');
  // A chunked body (no Content-Length) over the limit is also 413.
  const s = await connect('127.0.0.5');
  s.write('POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
  const chunk = 'y'.repeat(1024);
  for (let i = 0; i < 6; i++) s.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
  s.write('0\r\n\r\n');
  for (let j = 0; j < 100 && !s.data.includes('payload_too_large'); j++) await sleep(20);
  assert.match(s.data, /HTTP\/1.1 413/);
  s.destroy();
  // A declared length far beyond the limit is refused without reading the body.
  const t = await connect('127.0.0.6');
  t.write('POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n');
  for (let j = 0; j < 100 && !t.data.includes('payload_too_large'); j++) await sleep(20);
  assert.match(t.data, /HTTP\/1.1 413/);
  assert.ok(await closedWithin(t, 2000));
  // The server is fine.
  r = await getJson(`${url}/healthz`);
  assert.equal(r.status, 200);
});

test('oversized request headers are refused, not buffered', async () => {
  const s = await connect('127.0.0.7');
  s.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`);
  assert.ok(await closedWithin(s, 3000));
  assert.match(s.data, /HTTP\/1.1 431/);
});

test('per-connection memory is bounded: many small headers and a huge URL are refused too', async () => {
  // 64 KiB per connection (HTTP_CONN_MEMORY in src/http/server.c) holds the request line and
  // headers, whatever their shape: 2,000 headers of 40 bytes each are over it...
  const many = await connect('127.0.0.9');
  let head = 'GET /healthz HTTP/1.1\r\nHost: x\r\n';
  for (let i = 0; i < 2000; i++) head += `X-H${String(i).padStart(4, '0')}: ${'v'.repeat(30)}\r\n`;
  many.write(`${head}\r\n`);
  assert.ok(await closedWithin(many, 3000), 'a connection with 80 KB of small headers stays open');
  assert.match(many.data, /HTTP\/1.1 431/);
  // ...and so is a request line of 100 KB.
  const long = await connect('127.0.0.10');
  long.write(`GET /api/v1/cases?q=${'a'.repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.ok(await closedWithin(long, 3000), 'a connection with a 100 KB URL stays open');
  assert.match(long.data, /HTTP\/1.1 (414|431)/);
  // Just under the bound is served.
  const fits = await connect('127.0.0.11');
  fits.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Fits: ${'a'.repeat(16 * 1024)}\r\nConnection: close\r\n\r\n`);
  await fits.closedAt;
  assert.match(fits.data, /HTTP\/1.1 200/);
  const r = await getFrom('127.0.0.13', '/healthz');
  assert.equal(r.status, 200);
});

test('list page sizes are capped: limit outside 1..200 is 400 naming the parameter', async () => {
  for (const limit of ['100000', '201', '0', '-1', 'abc', '1e3']) {
    const r = await getJson(`${url}/api/v1/cases?limit=${limit}`, token);
    assert.equal(r.status, 400, `limit=${limit}`);
    assert.equal(r.body.error.code, 'invalid_argument');
    assert.match(r.body.error.message, /'limit'.*1 and 200/);
  }
  const r = await getJson(`${url}/api/v1/cases?limit=200`, token);
  assert.equal(r.status, 200);
});

test('every list endpoint caps its page size: one over the cap is 400, the cap itself is served', async () => {
  const admin = (await login(url, 'admin')).token;
  // [path, the cap, who may list it]
  const LISTS = [
    ['/api/v1/cases', 200, token], ['/api/v1/users', 500, admin],
    ['/api/v1/persons', 1000, token], ['/api/v1/households', 1000, token],
    ['/api/v1/buildings', 1000, token], ['/api/v1/organisations', 1000, token],
    ['/api/v1/facilities', 1000, token], ['/api/v1/search?q=测试路', 200, token],
    ['/api/v1/access-log', 1000, admin], ['/api/v1/disputes', 200, token],
    ['/api/v1/patrols', 1000, token], ['/api/v1/visits', 1000, token],
    ['/api/v1/tasks', 500, token], ['/api/v1/sessions', 1000, admin],
  ];
  for (const [path, cap, who] of LISTS) {
    const sep = path.includes('?') ? '&' : '?';
    for (const limit of [cap + 1, 1000000]) {
      const r = await getJson(`${url}${path}${sep}limit=${limit}`, who);
      assert.equal(r.status, 400, `${path} limit=${limit}: ${r.status}`);
      assert.match(r.body.error.message, new RegExp(`'limit'.*1 and ${cap}`), path);
    }
    const r = await getJson(`${url}${path}${sep}limit=${cap}`, who);
    assert.equal(r.status, 200, `${path} limit=${cap}: ${JSON.stringify(r.body)}`);
  }
  // Open311 pages are page_size 1..1000.
  for (const size of ['1001', '0', '-5', 'x']) {
    const res = await fetch(`${url}/open311/v2/requests.json?page_size=${size}`);
    assert.equal(res.status, 400, `page_size=${size}`);
  }
  const res = await fetch(`${url}/open311/v2/requests.json?page_size=1000`);
  assert.equal(res.status, 200);
});

test('the users list is paged: limit 1..500 (default 100), next_cursor walks all of them', async () => {
  const admin = (await login(url, 'admin')).token;
  const all = await getJson(`${url}/api/v1/users`, admin);
  assert.equal(all.status, 200);
  assert.equal(all.body.next_cursor, null);
  assert.ok(all.body.items.length >= 10);
  const names = [];
  let cursor = '';
  for (let i = 0; i < 20; i++) {
    const r = await getJson(`${url}/api/v1/users?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, admin);
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length <= 3);
    names.push(...r.body.items.map((u) => u.username));
    if (r.body.next_cursor === null) break;
    cursor = r.body.next_cursor;
  }
  assert.deepEqual(names, all.body.items.map((u) => u.username));
  assert.deepEqual([...names].sort(), names);
  for (const limit of ['0', '501', '100000', 'x']) {
    const r = await getJson(`${url}/api/v1/users?limit=${limit}`, admin);
    assert.equal(r.status, 400, `limit=${limit}`);
    assert.match(r.body.error.message, /'limit'.*1 and 500/);
  }
  const r = await getJson(`${url}/api/v1/users?cursor=${encodeURIComponent("' OR 1=1--")}`, admin);
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'invalid_argument');
});
