// Notifications survive a restart: a message queued while the receiver is down, with the
// server stopped and started again, is still delivered afterwards — once, with its key.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { tempDir, removeDir, makeDatabase, startServer, login, postJson } from './helpers.mjs';

const dir = tempDir();
after(() => removeDir(dir));

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

test('a notification queued while the receiver is down is delivered after a restart', async () => {
  const db = makeDatabase(dir);
  const port = await freePort();
  const env = { GRIDGOV_WEBHOOK_URLS: `http://127.0.0.1:${port}/hook` };

  // First life: the receiver is down; the report is acknowledged and its message queued.
  let server = await startServer(db, [], env);
  const token = (await login(server.url, 'worker1')).token;
  const r = await postJson(`${server.url}/api/v1/cases`, token, {
    channel: 'patrol', category: '0204', description: '路灯不亮', area_code: '440605001001001',
  });
  assert.equal(r.status, 201);
  const key = `case-${r.body.number}-event-1`;
  await new Promise((res) => setTimeout(res, 1500)); // at least one failed attempt
  const first = await server.stop();
  assert.equal(first.code, 0);

  // The receiver comes up; the server starts again and delivers what is still pending.
  const got = [];
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      got.push(req.headers['idempotency-key']);
      res.writeHead(200).end();
    });
  });
  await new Promise((res) => receiver.listen(port, '127.0.0.1', res));
  server = await startServer(db, [], env);
  const deadline = Date.now() + 15000;
  while (!got.includes(key) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
  await server.stop();
  receiver.close();
  assert.ok(got.includes(key), `not delivered; got ${JSON.stringify(got)}`);
  assert.equal(got.filter((k) => k === key).length, 1);
});
